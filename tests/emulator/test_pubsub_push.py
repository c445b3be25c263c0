"""The Pub/Sub emulator's Eventarc-style push delivery: the cloud event, redelivery and backoff."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest
from google.api_core import exceptions

from emulator.core import Clock, Projects
from emulator.pubsub import PubSub, RedeliveryPolicy
from tests.emulator.pubsub_support import TOPIC, TOPIC_BY_NUMBER


def test_push_is_a_binary_cloud_event(emulator, publisher, receiver):
    publisher.create_topic(name=TOPIC)
    emulator.pubsub.set_default_push_endpoint(receiver.url)

    message_id = emulator.pubsub.publish(TOPIC_BY_NUMBER, b'{"a": 1}', {"eventType": "X"})

    assert emulator.pubsub.wait_idle(5)
    [(headers, body)] = receiver.requests
    assert headers["ce-specversion"] == "1.0"
    assert headers["content-type"] == "application/json"
    [event] = receiver.events()
    [message] = emulator.pubsub.messages(TOPIC)
    assert event["type"] == "google.cloud.pubsub.topic.v1.messagePublished"
    assert event["source"] == f"//pubsub.googleapis.com/{TOPIC}"
    assert event["id"] == message_id
    assert datetime.fromisoformat(event["time"]) == message.publish_time
    data = json.loads(body)
    assert data["subscription"].startswith("projects/demo-project/subscriptions/eventarc-")
    assert data["message"]["messageId"] == message_id
    assert data["message"]["publishTime"] == event["time"]
    assert data["message"]["attributes"] == {"eventType": "X"}
    assert json.loads(base64.b64decode(data["message"]["data"])) == {"a": 1}


def test_push_leaves_out_empty_data(emulator, publisher, receiver):
    publisher.create_topic(name=TOPIC)
    emulator.pubsub.set_push_endpoint(TOPIC, receiver.url)

    emulator.pubsub.publish(TOPIC, b"", {"eventType": "TOPIC_CONFIGURED"})

    assert emulator.pubsub.wait_idle(5)
    message = json.loads(receiver.requests[0][1])["message"]
    assert "data" not in message
    assert message["attributes"] == {"eventType": "TOPIC_CONFIGURED"}


def test_failed_push_is_redelivered_with_the_same_id(emulator, publisher, receiver):
    publisher.create_topic(name=TOPIC)
    emulator.pubsub.set_push_endpoint(TOPIC, receiver.url)
    receiver.statuses = [500, 503]

    message_id = publisher.publish(TOPIC, b"payload").result(timeout=10)

    assert emulator.pubsub.wait_idle(5)
    assert [event["id"] for event in receiver.events()] == [message_id] * 3
    deliveries = emulator.pubsub.deliveries()
    assert [(d.message_id, d.attempt, d.status_code) for d in deliveries] == [
        (message_id, 1, 500),
        (message_id, 2, 503),
        (message_id, 3, 204),
    ]
    assert [d.ok for d in deliveries] == [False, False, True]
    assert all(d.topic == TOPIC and d.endpoint == receiver.url for d in deliveries)


def test_redeliver_sends_a_duplicate(emulator, publisher, receiver):
    publisher.create_topic(name=TOPIC)
    emulator.pubsub.set_default_push_endpoint(receiver.url)
    message_id = emulator.pubsub.publish(TOPIC, b"once", {})
    assert emulator.pubsub.wait_idle(5)

    emulator.pubsub.redeliver(message_id)

    assert emulator.pubsub.wait_idle(5)
    assert [event["id"] for event in receiver.events()] == [message_id, message_id]
    assert [d.attempt for d in emulator.pubsub.deliveries()] == [1, 2]
    with pytest.raises(KeyError):
        emulator.pubsub.redeliver("no-such-message")


def test_topic_endpoint_overrides_the_default(emulator, publisher, receiver):
    other = "projects/demo-project/topics/other"
    publisher.create_topic(name=TOPIC)
    publisher.create_topic(name=other)
    emulator.pubsub.set_default_push_endpoint("http://127.0.0.1:9/unused")
    emulator.pubsub.set_push_endpoint(TOPIC, receiver.url)
    emulator.pubsub.set_push_endpoint(other, receiver.url)

    emulator.pubsub.publish(TOPIC, b"a", {})
    emulator.pubsub.publish(other, b"b", {})

    assert emulator.pubsub.wait_idle(5)
    assert sorted(e["source"] for e in receiver.events()) == sorted(
        [f"//pubsub.googleapis.com/{TOPIC}", f"//pubsub.googleapis.com/{other}"]
    )


def test_reset_forgets_everything(emulator, publisher, receiver):
    publisher.create_topic(name=TOPIC)
    emulator.pubsub.set_default_push_endpoint(receiver.url)
    emulator.pubsub.publish(TOPIC, b"x", {})
    assert emulator.pubsub.wait_idle(5)

    emulator.pubsub.reset()

    assert emulator.pubsub.deliveries() == []
    assert emulator.pubsub.messages(TOPIC) == []
    with pytest.raises(exceptions.NotFound):
        publisher.get_topic(topic=TOPIC)
    emulator.pubsub.create_topic(TOPIC)
    emulator.pubsub.publish(TOPIC, b"y", {})
    assert emulator.pubsub.wait_idle(5)
    assert len(receiver.requests) == 1


def test_unreachable_endpoint_gives_up_after_max_attempts():
    policy = RedeliveryPolicy(min_backoff_seconds=0.01, max_backoff_seconds=0.02, max_attempts=3)
    pubsub = PubSub(Clock(), Projects({"demo-project": 123456789012}), policy)
    try:
        pubsub.create_topic(TOPIC)
        pubsub.set_push_endpoint(TOPIC, "http://127.0.0.1:9/closed")

        message_id = pubsub.publish(TOPIC, b"x", {})

        assert pubsub.wait_idle(5)
        deliveries = pubsub.deliveries()
        assert [(d.message_id, d.attempt) for d in deliveries] == [
            (message_id, n) for n in (1, 2, 3)
        ]
        assert all(d.status_code is None and d.error for d in deliveries)
    finally:
        pubsub.stop()


def test_backoff_doubles_within_bounds():
    policy = RedeliveryPolicy(min_backoff_seconds=0.1, max_backoff_seconds=0.5)

    assert [policy.backoff(n) for n in (1, 2, 3, 4, 10)] == [0.1, 0.2, 0.4, 0.5, 0.5]
