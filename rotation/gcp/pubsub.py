"""Thin adapter over Pub/Sub: publish one notification to one topic, for the operator; and
whether a topic exists, for the audit."""

from __future__ import annotations

import threading
from typing import Any

from google.api_core import exceptions as google_exceptions

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


class TopicDirectory:
    """Whether topics exist, each looked up once: make one per audit (or status) run, so a
    topic every secret notifies costs one call, and a topic deleted since shows in the next run."""

    def __init__(self, client: Any = None, calls: CallPolicies = DEFAULT_POLICIES) -> None:
        self._client = client
        self._read = calls.read.options()
        self._known: dict[str, bool] = {}
        self._lock = threading.Lock()

    def exists(self, topic: str) -> bool:
        with self._lock:
            if topic in self._known:
                return self._known[topic]
            client = self._client = self._client or clients.publisher()
            with google_call(f"reading topic {topic}"):
                try:
                    client.get_topic(topic=topic, **self._read)
                    found = True
                except google_exceptions.NotFound:
                    found = False
            self._known[topic] = found
            return found
