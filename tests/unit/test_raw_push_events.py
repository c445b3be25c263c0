"""A raw Pub/Sub push, as a push subscription POSTs it, made a CloudEvent by the real Functions
Framework's conversion (no server: its function over a Flask request), then decoded."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import flask
import pytest
from functions_framework import event_conversion
from functions_framework.exceptions import EventConversionException

from rotation.core.events import PUBSUB_EVENT_TYPE, MalformedEvent, decode

SECRET = "projects/123456789012/secrets/pypi-token"
PUBLISHED = datetime.now(UTC).replace(microsecond=123000)  # from the clock, never a literal date
PUBLISHED_Z = PUBLISHED.strftime("%Y-%m-%dT%H:%M:%S.123Z")


def raw_push(attributes: dict[str, str], data: bytes | None) -> dict[str, object]:
    message: dict[str, object] = {
        "attributes": attributes,
        "messageId": "4000000000000042",
        "message_id": "4000000000000042",
        "publishTime": PUBLISHED_Z,
        "publish_time": PUBLISHED_Z,
    }
    if data is not None:
        message["data"] = base64.b64encode(data).decode()
    return {
        "message": message,
        "subscription": "projects/demo-project/subscriptions/token-rotator-events-push",
        "deliveryAttempt": 1,
    }


def converted(body: dict[str, object]):
    app = flask.Flask(__name__)
    with app.test_request_context("/", method="POST", json=body):
        return event_conversion.background_event_to_cloud_event(flask.request)


def test_a_raw_push_becomes_a_cloud_event_the_function_decodes():
    attributes = {"eventType": "SECRET_ROTATE", "secretId": SECRET, "dataFormat": "JSON_API_V1"}
    cloud_event = converted(raw_push(attributes, json.dumps({"name": SECRET}).encode()))

    assert cloud_event["type"] == PUBSUB_EVENT_TYPE
    assert cloud_event["id"] == "4000000000000042"
    event = decode(cloud_event)
    assert event.event_type == "SECRET_ROTATE"
    assert event.message_id == "4000000000000042"
    assert event.published_at == PUBLISHED.replace(microsecond=123000)
    assert event.secret == SECRET
    assert not event.forced


def test_a_forced_raw_push_keeps_its_attributes():
    attributes = {"eventType": "SECRET_ROTATE", "secretId": SECRET, "force": "true"}
    event = decode(converted(raw_push(attributes, json.dumps({"name": SECRET}).encode())))

    assert event.forced


def test_a_raw_push_whose_body_names_another_secret_is_malformed():
    attributes = {"eventType": "SECRET_ROTATE", "secretId": SECRET}
    other = json.dumps({"name": "projects/1/secrets/other"}).encode()

    with pytest.raises(MalformedEvent, match="names secret"):
        decode(converted(raw_push(attributes, other)))


def test_a_raw_push_without_data_is_not_one_the_framework_converts():
    """TOPIC_CONFIGURED has no body: the framework refuses it (a 400, redelivered), which is why
    the subscription's filter must keep it away from the function."""
    with pytest.raises(EventConversionException):
        converted(raw_push({"eventType": "TOPIC_CONFIGURED"}, None))
