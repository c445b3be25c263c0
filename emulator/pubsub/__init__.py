"""Pub/Sub Publisher, plus push delivery of every message as Eventarc does it.

Each published message is POSTed, as a CloudEvent in binary mode, to the topic's push endpoint
by background workers; a non-2xx answer or a connection error is redelivered with the same
message id after an exponential backoff, as a trigger with RETRY_POLICY_RETRY would.
"""

from emulator.pubsub.cloud_events import EVENT_TYPE, cloud_event, rfc3339
from emulator.pubsub.messages import Delivery, Message, RedeliveryPolicy
from emulator.pubsub.publisher import PubSub
from emulator.pubsub.topics import split_topic

__all__ = [
    "EVENT_TYPE",
    "Delivery",
    "Message",
    "PubSub",
    "RedeliveryPolicy",
    "cloud_event",
    "rfc3339",
    "split_topic",
]
