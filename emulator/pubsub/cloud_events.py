"""The binary-mode CloudEvent an Eventarc Pub/Sub trigger POSTs for a message, and where to."""

from __future__ import annotations

import base64
import threading
from datetime import datetime

from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent
from google.protobuf import timestamp_pb2

from emulator.pubsub.messages import Message
from emulator.pubsub.topics import split_topic

EVENT_TYPE = "google.cloud.pubsub.topic.v1.messagePublished"


def rfc3339(when: datetime) -> str:
    """UTC with a `Z`, 0, 3, 6 or 9 fraction digits: how Pub/Sub writes `publishTime`."""
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(when)
    return str(stamp.ToJsonString())


def cloud_event(message: Message) -> tuple[dict[str, str], bytes]:
    """Headers and body of the binary-mode CloudEvent Eventarc POSTs for a Pub/Sub message."""
    project, topic_id = split_topic(message.topic)
    published = rfc3339(message.publish_time)
    pubsub_message: dict[str, object] = {"messageId": message.message_id, "publishTime": published}
    # Proto3 JSON leaves out empty fields: a TOPIC_CONFIGURED message arrives without "data".
    if message.attributes:
        pubsub_message["attributes"] = dict(message.attributes)
    if message.data:
        pubsub_message["data"] = base64.b64encode(message.data).decode()
    event = CloudEvent(
        {
            "type": EVENT_TYPE,
            "source": f"//pubsub.googleapis.com/{message.topic}",
            "id": message.message_id,
            "time": published,
            "datacontenttype": "application/json",
        },
        {
            "subscription": f"projects/{project}/subscriptions/eventarc-emulator-{topic_id}-sub",
            "message": pubsub_message,
        },
    )
    headers, body = to_binary(event)
    return headers, body


class EventarcEndpoints:
    """Eventarc-style push endpoints: one per topic, or a default for every other topic."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: dict[str, str] = {}
        self.default: str | None = None

    def set(self, canonical: str, url: str | None) -> None:
        with self._lock:
            if url is None:
                self._endpoints.pop(canonical, None)
            else:
                self._endpoints[canonical] = url

    def endpoint(self, canonical: str) -> str | None:
        with self._lock:
            return self._endpoints.get(canonical, self.default)

    def reset(self) -> None:
        with self._lock:
            self._endpoints.clear()
            self.default = None
