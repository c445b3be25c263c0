"""How the rotator's Terraform module delivers messages to the function, for the emulator's demos
and tests (`terraform/modules/rotator/delivery.tf` and `audit.tf` with their defaults): one push
subscription, `TOPIC-push`, per topic that lets only one `eventType` through (SECRET_ROTATE on the
events topic, TOKEN_ROTATOR_AUDIT on the audit topic), pushes to the function's URL with the
trigger account's OIDC token (audience: that URL), backs off 10-600 s and dead-letters to
`token-rotator-dead-letter` after `max_delivery_attempts` (default 10)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import grpc
from google.pubsub_v1 import types

from emulator.core import ApiError
from emulator.pubsub.topics import split_topic

if TYPE_CHECKING:
    from emulator.pubsub.publisher import PubSub

SECRET_ROTATE = "SECRET_ROTATE"
MAX_DELIVERY_ATTEMPTS = 10
TRIGGER_ACCOUNT_ID = "token-rotator-trigger"
DEAD_LETTER_TOPIC_ID = "token-rotator-dead-letter"


@dataclass(frozen=True)
class FunctionDelivery:
    """The names around one events topic: its push subscription and its dead-letter topic."""

    topic: str  # projects/P/topics/T
    event_type: str = SECRET_ROTATE  # the only `eventType` attribute pushed

    @property
    def filter(self) -> str:
        return f'attributes.eventType = "{self.event_type}"'

    @property
    def project(self) -> str:
        return split_topic(self.topic)[0]

    @property
    def subscription(self) -> str:
        return f"projects/{self.project}/subscriptions/{split_topic(self.topic)[1]}-push"

    @property
    def dead_letter_topic(self) -> str:
        return f"projects/{self.project}/topics/{DEAD_LETTER_TOPIC_ID}"

    @property
    def trigger_account(self) -> str:
        return f"{TRIGGER_ACCOUNT_ID}@{self.project}.iam.gserviceaccount.com"

    def subscription_for(
        self, endpoint: str, max_delivery_attempts: int = MAX_DELIVERY_ATTEMPTS
    ) -> types.Subscription:
        return types.Subscription(
            name=self.subscription,
            topic=self.topic,
            filter=self.filter,
            push_config=types.PushConfig(
                push_endpoint=endpoint,
                oidc_token=types.PushConfig.OidcToken(
                    service_account_email=self.trigger_account, audience=endpoint
                ),
            ),
            retry_policy=types.RetryPolicy(
                minimum_backoff={"seconds": 10}, maximum_backoff={"seconds": 600}
            ),
            dead_letter_policy=types.DeadLetterPolicy(
                dead_letter_topic=self.dead_letter_topic,
                max_delivery_attempts=max_delivery_attempts,
            ),
        )


def push_to_function(
    pubsub: PubSub, topic: str, url: str | None, event_type: str = SECRET_ROTATE
) -> FunctionDelivery:
    """Push `topic`'s messages of `event_type` to `url`, creating the subscription and its
    dead-letter topic the first time; None stops pushing (the messages then wait)."""
    delivery = FunctionDelivery(pubsub.canonical(topic), event_type)
    subscriptions = pubsub.subscriptions
    if subscriptions.find(delivery.subscription) is not None:
        config = delivery.subscription_for(url).push_config if url else types.PushConfig()
        subscriptions.modify_push_config(delivery.subscription, config)
    elif url is not None:
        try:
            pubsub.create_topic(delivery.dead_letter_topic)
        except ApiError as error:
            if error.code != grpc.StatusCode.ALREADY_EXISTS:
                raise
        subscriptions.create(delivery.subscription_for(url))
    return delivery
