"""`PubSub.push_to_function`: the emulator's in-process wiring of a topic to the function (what
the demo and the playground use), as terraform/modules/rotator's delivery.tf makes it."""

from __future__ import annotations

from google.cloud.pubsub_v1 import SubscriberClient

from tests.emulator.pubsub_support import TOPIC


def test_push_to_function_wires_a_topic_as_the_terraform_module_does(emulator, publisher, receiver):
    publisher.create_topic(name=TOPIC)

    delivery = emulator.pubsub.push_to_function(TOPIC, receiver.url)

    with SubscriberClient() as subscriber:
        made = subscriber.get_subscription(subscription=delivery.subscription)
    assert made.filter == 'attributes.eventType = "SECRET_ROTATE"'
    assert made.push_config.push_endpoint == receiver.url
    assert made.push_config.oidc_token.service_account_email == delivery.trigger_account
    assert made.push_config.oidc_token.audience == receiver.url
    assert made.name == "projects/demo-project/subscriptions/rotations-push"
    assert delivery.dead_letter_topic == "projects/demo-project/topics/token-rotator-dead-letter"
    assert made.retry_policy.minimum_backoff.total_seconds() == 10
    assert made.retry_policy.maximum_backoff.total_seconds() == 600
    assert made.dead_letter_policy.dead_letter_topic == delivery.dead_letter_topic
    assert made.dead_letter_policy.max_delivery_attempts == 10
    assert publisher.get_topic(topic=delivery.dead_letter_topic).name == delivery.dead_letter_topic

    emulator.pubsub.push_to_function(TOPIC, None)
    emulator.pubsub.publish(TOPIC, b"{}", {"eventType": "SECRET_ROTATE"})
    assert emulator.pubsub.wait_idle(5)
    assert receiver.requests == []

    emulator.pubsub.push_to_function(TOPIC, receiver.url)
    emulator.pubsub.publish(TOPIC, b"{}", {"eventType": "SECRET_ROTATE"})
    emulator.pubsub.publish(TOPIC, b"{}", {"eventType": "SECRET_UPDATE"})
    assert emulator.pubsub.wait_idle(5)
    [(headers, _)] = receiver.requests
    assert headers["authorization"].startswith("Bearer ")
