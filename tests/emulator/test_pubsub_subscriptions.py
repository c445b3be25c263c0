"""Push subscriptions on the emulator, driven with the real SubscriberClient over gRPC: the filter,
the raw push body with its OIDC token, the retry backoff and dead-lettering."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator

import pytest
from google.api_core import exceptions
from google.auth import jwt
from google.cloud.pubsub_v1 import SubscriberClient
from google.pubsub_v1 import types

from tests.emulator.pubsub_support import TOPIC

SUBSCRIPTION = "projects/demo-project/subscriptions/rotations-push"
DEAD_LETTER = "projects/demo-project/topics/rotations-dead-letter"
ACCOUNT = "trigger@demo-project.iam.gserviceaccount.com"
ROTATE = 'attributes.eventType = "SECRET_ROTATE"'


@pytest.fixture
def subscriber(emulator, publisher) -> Iterator[SubscriberClient]:
    publisher.create_topic(name=TOPIC)
    publisher.create_topic(name=DEAD_LETTER)
    client = SubscriberClient()
    yield client
    client.close()


def push_subscription(endpoint: str, **fields: object) -> types.Subscription:
    settings: dict[str, object] = {
        "name": SUBSCRIPTION,
        "topic": TOPIC,
        "filter": ROTATE,
        "push_config": {
            "push_endpoint": endpoint,
            "oidc_token": {"service_account_email": ACCOUNT},
        },
        "retry_policy": {"minimum_backoff": {"seconds": 10}, "maximum_backoff": {"seconds": 600}},
        "dead_letter_policy": {"dead_letter_topic": DEAD_LETTER, "max_delivery_attempts": 5},
    }
    settings.update(fields)
    return types.Subscription(settings)


def test_only_matching_messages_are_pushed_raw_with_an_oidc_token(emulator, subscriber, receiver):
    created = subscriber.create_subscription(request=push_subscription(receiver.url))
    assert created.push_config.attributes["x-goog-version"] == "v1"

    configured = emulator.pubsub.publish(TOPIC, b"", {"eventType": "TOPIC_CONFIGURED"})
    rotate = emulator.pubsub.publish(TOPIC, b'{"name": "s"}', {"eventType": "SECRET_ROTATE"})

    assert emulator.pubsub.wait_idle(5)
    [(headers, body)] = receiver.requests
    assert [d.message_id for d in emulator.pubsub.deliveries()] == [rotate]
    assert emulator.pubsub.subscriptions.unmatched == {SUBSCRIPTION: 1}
    assert configured not in body.decode()
    assert headers["content-type"] == "application/json"
    assert "ce-type" not in headers
    [message] = [m for m in emulator.pubsub.messages(TOPIC) if m.message_id == rotate]
    pushed = json.loads(body)
    assert pushed["subscription"] == SUBSCRIPTION
    assert pushed["deliveryAttempt"] == 1
    assert pushed["message"]["messageId"] == pushed["message"]["message_id"] == rotate
    assert pushed["message"]["publishTime"] == pushed["message"]["publish_time"]
    assert pushed["message"]["attributes"] == {"eventType": "SECRET_ROTATE"}
    assert base64.b64decode(pushed["message"]["data"]) == b'{"name": "s"}'
    scheme, token = headers["authorization"].split(" ")
    assert scheme == "Bearer"
    claims = jwt.decode(
        token, certs=emulator.pubsub.subscriptions.oidc_certs(), audience=receiver.url
    )
    assert claims["email"] == ACCOUNT
    assert claims["iss"] == "https://accounts.google.com"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["iat"] >= int(message.publish_time.timestamp())  # signed at push time


def test_the_token_carries_the_configured_audience(emulator, subscriber, receiver):
    config = {
        "push_endpoint": receiver.url,
        "oidc_token": {"service_account_email": ACCOUNT, "audience": "https://rotator.example"},
    }
    subscriber.create_subscription(request=push_subscription(receiver.url, push_config=config))

    emulator.pubsub.publish(TOPIC, b"{}", {"eventType": "SECRET_ROTATE"})

    assert emulator.pubsub.wait_idle(5)
    [(headers, _)] = receiver.requests
    token = headers["authorization"].removeprefix("Bearer ")
    certs = emulator.pubsub.subscriptions.oidc_certs()
    assert jwt.decode(token, certs=certs, audience="https://rotator.example")["email"] == ACCOUNT
    with pytest.raises(ValueError, match="audience"):
        jwt.decode(token, certs=certs, audience=receiver.url)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"filter": 'attributes.eventType = "A" AND attributes.x = "1" OR attributes:y'}, "filter"),
        ({"filter": "eventType = SECRET_ROTATE"}, "filter"),
        (
            {"dead_letter_policy": {"dead_letter_topic": DEAD_LETTER, "max_delivery_attempts": 4}},
            "5 and 100",
        ),
        (
            {
                "dead_letter_policy": {
                    "dead_letter_topic": DEAD_LETTER,
                    "max_delivery_attempts": 101,
                }
            },
            "5 and 100",
        ),
        (
            {
                "retry_policy": {
                    "minimum_backoff": {"seconds": 10},
                    "maximum_backoff": {"seconds": 601},
                }
            },
            "600",
        ),
        (
            {
                "retry_policy": {
                    "minimum_backoff": {"seconds": 60},
                    "maximum_backoff": {"seconds": 10},
                }
            },
            "above",
        ),
        ({"push_config": {"push_endpoint": "ftp://host/"}}, r"http\(s\) URL"),
    ],
)
def test_bad_subscriptions_are_invalid_argument(subscriber, receiver, fields, says):
    with pytest.raises(exceptions.InvalidArgument, match=says):
        subscriber.create_subscription(request=push_subscription(receiver.url, **fields))
    with pytest.raises(exceptions.NotFound):
        subscriber.get_subscription(subscription=SUBSCRIPTION)


def test_missing_topics_and_duplicates_are_refused_and_zero_attempts_means_five(
    subscriber, receiver
):
    missing = "projects/demo-project/topics/nowhere"
    with pytest.raises(exceptions.NotFound):
        subscriber.create_subscription(request=push_subscription(receiver.url, topic=missing))
    dead_letter = {"dead_letter_topic": missing, "max_delivery_attempts": 5}
    with pytest.raises(exceptions.NotFound):
        subscriber.create_subscription(
            request=push_subscription(receiver.url, dead_letter_policy=dead_letter)
        )
    dead_letter = {"dead_letter_topic": DEAD_LETTER, "max_delivery_attempts": 0}
    subscriber.create_subscription(
        request=push_subscription(receiver.url, dead_letter_policy=dead_letter)
    )
    stored = subscriber.get_subscription(subscription=SUBSCRIPTION)
    assert stored.dead_letter_policy.max_delivery_attempts == 5
    assert stored.filter == ROTATE
    with pytest.raises(exceptions.AlreadyExists):
        subscriber.create_subscription(request=push_subscription(receiver.url))
    subscriber.delete_subscription(subscription=SUBSCRIPTION)
    with pytest.raises(exceptions.NotFound):
        subscriber.get_subscription(subscription=SUBSCRIPTION)


def test_a_failed_push_is_retried_with_exponential_backoff(emulator, subscriber, receiver):
    """10 s then 20 s, scaled by RedeliveryPolicy.subscription_backoff_scale (0.005: 50, 100 ms)."""
    receiver.statuses = [500, 503]
    subscriber.create_subscription(request=push_subscription(receiver.url))

    message = emulator.pubsub.publish(TOPIC, b"{}", {"eventType": "SECRET_ROTATE"})

    assert emulator.pubsub.wait_idle(5)
    deliveries = emulator.pubsub.deliveries()
    assert [(d.attempt, d.status_code, d.subscription) for d in deliveries] == [
        (1, 500, SUBSCRIPTION),
        (2, 503, SUBSCRIPTION),
        (3, 204, SUBSCRIPTION),
    ]
    assert {d.message_id for d in deliveries} == {message}
    assert [json.loads(body)["deliveryAttempt"] for _, body in receiver.requests] == [1, 2, 3]
    scale = emulator.pubsub.subscriptions.policy.subscription_backoff_scale
    gaps = [(b.time - a.time).total_seconds() for a, b in itertools.pairwise(deliveries)]
    assert gaps[0] >= 10 * scale * 0.9
    assert gaps[1] >= 20 * scale * 0.9
    assert emulator.pubsub.messages(DEAD_LETTER) == []


def test_after_max_delivery_attempts_the_message_goes_to_the_dead_letter_topic(
    emulator, subscriber, receiver
):
    receiver.statuses = [500] * 20
    retry = {"minimum_backoff": {"seconds": 1}, "maximum_backoff": {"seconds": 2}}
    subscriber.create_subscription(request=push_subscription(receiver.url, retry_policy=retry))

    message = emulator.pubsub.publish(TOPIC, b'{"n": 1}', {"eventType": "SECRET_ROTATE"})

    assert emulator.pubsub.wait_idle(5)
    assert [d.attempt for d in emulator.pubsub.deliveries()] == [1, 2, 3, 4, 5]
    [original] = emulator.pubsub.messages(TOPIC)
    [dead] = emulator.pubsub.messages(DEAD_LETTER)
    assert dead.message_id != message
    assert dead.data == b'{"n": 1}'
    assert dead.attributes == {
        "eventType": "SECRET_ROTATE",
        "CloudPubSubDeadLetterSourceDeliveryCount": "5",
        "CloudPubSubDeadLetterSourceSubscription": "rotations-push",
        "CloudPubSubDeadLetterSourceSubscriptionProject": "demo-project",
        "CloudPubSubDeadLetterSourceTopicPublishTime": json.loads(receiver.requests[0][1])[
            "message"
        ]["publishTime"],
    }
    assert original.message_id == message


def test_an_empty_push_config_stops_pushing(emulator, subscriber, receiver):
    subscriber.create_subscription(request=push_subscription(receiver.url))
    subscriber.modify_push_config(subscription=SUBSCRIPTION, push_config={})

    emulator.pubsub.publish(TOPIC, b"{}", {"eventType": "SECRET_ROTATE"})

    assert emulator.pubsub.wait_idle(5)
    assert receiver.requests == []
    subscriber.modify_push_config(
        subscription=SUBSCRIPTION, push_config={"push_endpoint": receiver.url}
    )
    emulator.pubsub.publish(TOPIC, b"{}", {"eventType": "SECRET_ROTATE"})
    assert emulator.pubsub.wait_idle(5)
    [(headers, _)] = receiver.requests
    assert "authorization" not in headers
