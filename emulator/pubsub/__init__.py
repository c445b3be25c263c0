"""Pub/Sub Publisher and Subscriber (push subscriptions), plus Eventarc-style push delivery.

Each published message goes to every push subscription on its topic whose filter matches it, as
the raw push body with an OIDC token, retried with the subscription's backoff and dead-lettered
after `max_delivery_attempts`; `PubSub.push_to_function` wires a topic to the function as the
Terraform module does. A topic's Eventarc-style push endpoint (`set_push_endpoint`) gets each
message as a binary-mode CloudEvent, redelivered as a trigger with RETRY_POLICY_RETRY would.
"""

from emulator.pubsub.cloud_events import EVENT_TYPE, cloud_event, rfc3339
from emulator.pubsub.function_delivery import FunctionDelivery
from emulator.pubsub.messages import Delivery, Message, RedeliveryPolicy
from emulator.pubsub.publisher import PubSub
from emulator.pubsub.topics import split_topic

__all__ = [
    "EVENT_TYPE",
    "Delivery",
    "FunctionDelivery",
    "Message",
    "PubSub",
    "RedeliveryPolicy",
    "cloud_event",
    "rfc3339",
    "split_topic",
]
