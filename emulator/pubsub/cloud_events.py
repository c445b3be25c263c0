"""The binary-mode CloudEvent an Eventarc Pub/Sub trigger POSTs for a message."""

from __future__ import annotations

import base64
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
