"""The notifications published to a secret's topics, kept until the topic takes them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from google.protobuf import json_format

from emulator.core import Clock
from emulator.pubsub import PubSub
from emulator.secretmanager.model import StoredSecret, StoredVersion


def _to_json(message: Any) -> bytes:
    """Proto3 JSON (camelCase, enum names), as in a notification body."""
    return str(json_format.MessageToJson(type(message).pb(message), indent=None)).encode()


class Notifier:
    """Publishes to Pub/Sub; the caller holds the service's lock around every use."""

    def __init__(self, clock: Clock, pubsub: PubSub) -> None:
        self._clock = clock
        self._pubsub = pubsub
        # Notifications no topic took yet, oldest first: tried again before every call, on every
        # clock move and whenever a topic is created, instead of being dropped.
        self._undelivered: list[tuple[str, bytes, dict[str, str]]] = []

    def undelivered(self) -> int:
        return len(self._undelivered)

    def reset(self) -> None:
        self._undelivered.clear()

    def publish(
        self, entry: StoredSecret, event: str, body: Any, extra: Mapping[str, str] | None = None
    ) -> None:
        """The notification of `event` with `body` as JSON, to each of the secret's topics."""
        attributes = {
            "eventType": event,
            "dataFormat": "JSON_API_V1",
            "secretId": entry.secret.name,
            "timestamp": self._clock.now().isoformat(timespec="microseconds"),
            **(extra or {}),
        }
        data = _to_json(body)
        for topic in entry.secret.topics:
            self.notify(topic.name, data, attributes)

    def publish_version(self, entry: StoredSecret, event: str, version: StoredVersion) -> None:
        self.publish(entry, event, version.version, {"versionId": version.version.name})

    def configure_topics(self, entry: StoredSecret, before: Collection[str]) -> None:
        """The TOPIC_CONFIGURED test message, to each topic the secret did not have before."""
        for topic in entry.secret.topics:
            if topic.name not in before:
                self.notify(topic.name, b"", {"eventType": "TOPIC_CONFIGURED"})

    def notify(self, topic: str, data: bytes, attributes: dict[str, str]) -> None:
        """Publish, or keep the notification to try again, after any older one for the topic."""
        waiting = any(queued == topic for queued, _, _ in self._undelivered)
        if waiting or self._pubsub.publish(topic, data, attributes) is None:
            self._undelivered.append((topic, data, attributes))

    def retry_undelivered(self) -> None:
        queued, self._undelivered = self._undelivered, []
        for topic, data, attributes in queued:
            self.notify(topic, data, attributes)
