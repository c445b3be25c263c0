"""Thin adapter over Pub/Sub: publish one notification to one topic, for the operator."""

from __future__ import annotations

from typing import Any

from rotation.core.notifications import Notification
from rotation.gcp import clients
from rotation.gcp.deadlines import DEFAULT_POLICIES, CallPolicies
from rotation.gcp.errors import google_call


class Publisher:
    def __init__(self, client: Any = None, calls: CallPolicies = DEFAULT_POLICIES) -> None:
        self._client = client or clients.publisher()
        # One attempt: a retried publish that had reached Pub/Sub would publish the event twice.
        self._write = calls.write.options()

    def publish(self, topic: str, notification: Notification) -> str:
        """Publish and return the message id Pub/Sub assigned."""
        message = {"data": notification.data, "attributes": notification.attributes}
        with google_call(f"publishing to topic {topic}"):
            response = self._client.publish(topic=topic, messages=[message], **self._write)
        return str(response.message_ids[0])
