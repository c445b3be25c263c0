"""The Pub/Sub emulator through the real PublisherClient: topics and publishing."""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from tests.emulator.pubsub_support import TOPIC, TOPIC_BY_NUMBER


def test_create_and_get_topic_by_project_id_or_number(emulator, publisher):
    created = publisher.create_topic(name=TOPIC_BY_NUMBER)

    assert created.name == TOPIC
    assert publisher.get_topic(topic=TOPIC).name == TOPIC
    assert publisher.get_topic(topic=TOPIC_BY_NUMBER).name == TOPIC


def test_topic_errors(emulator, publisher):
    publisher.create_topic(name=TOPIC)

    with pytest.raises(exceptions.AlreadyExists):
        publisher.create_topic(name=TOPIC_BY_NUMBER)
    with pytest.raises(exceptions.NotFound):
        publisher.get_topic(topic="projects/demo-project/topics/missing")
    with pytest.raises(exceptions.NotFound):
        publisher.get_topic(topic="projects/no-such-project/topics/rotations")
    with pytest.raises(exceptions.InvalidArgument):
        publisher.create_topic(name="projects/demo-project/topics/goog-reserved")
    with pytest.raises(exceptions.InvalidArgument):
        publisher.create_topic(name="projects/demo-project/topics/a")


def test_publish_keeps_messages(emulator, publisher):
    publisher.create_topic(name=TOPIC)
    before = emulator.clock.now()

    first = publisher.publish(TOPIC, b"hello", kind="greeting").result(timeout=10)
    second = publisher.publish(TOPIC_BY_NUMBER, b"", only="attributes").result(timeout=10)

    messages = emulator.pubsub.messages(TOPIC_BY_NUMBER)
    assert [m.message_id for m in messages] == [first, second]
    assert first != second
    assert (messages[0].data, messages[0].attributes) == (b"hello", {"kind": "greeting"})
    assert (messages[1].data, messages[1].attributes) == (b"", {"only": "attributes"})
    assert messages[0].topic == TOPIC
    assert before <= messages[0].publish_time <= emulator.clock.now()


def test_publish_errors(emulator, publisher):
    with pytest.raises(exceptions.NotFound):
        publisher.publish("projects/demo-project/topics/missing", b"x").result(timeout=10)
    publisher.create_topic(name=TOPIC)
    with pytest.raises(exceptions.InvalidArgument):
        publisher.api.publish(topic=TOPIC, messages=[{}], retry=None)
    with pytest.raises(exceptions.InvalidArgument):
        publisher.api.publish(topic=TOPIC, messages=[], retry=None)
    assert emulator.pubsub.messages(TOPIC) == []


def test_python_publish_to_a_missing_topic_answers_none(emulator):
    assert emulator.pubsub.publish("projects/demo-project/topics/missing", b"x", {}) is None
    assert emulator.pubsub.publish("projects/nowhere/topics/missing", b"x", {}) is None
    assert emulator.pubsub.messages("projects/demo-project/topics/missing") == []
