"""Decoding Eventarc envelopes: what Secret Manager sends is accepted, anything else is named."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cloudevents.http import CloudEvent

from rotation.core.events import PUBSUB_EVENT_TYPE, MalformedEvent, decode

SECRET = "projects/123456789012/secrets/pypi-token"
# Every time here derives from the real clock when the tests are collected, never a literal date.
PUBLISHED = datetime.now(UTC).replace(microsecond=55000)
SECONDS = PUBLISHED.strftime("%Y-%m-%dT%H:%M:%S")
PUBLISHED_Z = f"{SECONDS}.055Z"


def envelope(attributes=None, body=None, raw_data=None, **overrides) -> CloudEvent:
    attributes = (
        {
            "eventType": "SECRET_ROTATE",
            "secretId": SECRET,
            "dataFormat": "JSON_API_V1",
            "timestamp": PUBLISHED.astimezone(timezone(timedelta(hours=-7))).isoformat(),
        }
        if attributes is None
        else attributes
    )
    if raw_data is None:
        raw_data = base64.b64encode(
            json.dumps({"name": SECRET} if body is None else body).encode()
        ).decode()
    headers = {
        "type": PUBSUB_EVENT_TYPE,
        "source": "//pubsub.googleapis.com/projects/p/topics/t",
        "id": "msg-1",
        "time": PUBLISHED_Z,
        **overrides,
    }
    return CloudEvent(
        headers,
        {
            "message": {
                "attributes": attributes,
                "data": raw_data,
                "messageId": "msg-1",
                "publishTime": PUBLISHED_Z,
            }
        },
    )


def test_rotate_event_is_decoded():
    event = decode(envelope())
    assert event.event_type == "SECRET_ROTATE"
    assert event.secret == SECRET
    assert event.project == "123456789012"
    assert event.message_id == "msg-1"
    assert not event.forced
    assert event.published_at == PUBLISHED


def test_force_attribute_and_nanosecond_times():
    attributes = {"eventType": "SECRET_ROTATE", "secretId": SECRET, "force": "TRUE"}
    event = decode(envelope(attributes, time=f"{SECONDS}.123456789Z"))
    assert event.forced
    assert event.published_at.microsecond == 123456


def test_topic_configured_has_no_body_and_is_accepted():
    event = decode(envelope({"eventType": "TOPIC_CONFIGURED"}, raw_data=""))
    assert event.event_type == "TOPIC_CONFIGURED"
    assert event.secret is None


def test_version_events_need_no_body_check():
    attributes = {
        "eventType": "SECRET_VERSION_ADD",
        "secretId": SECRET,
        "versionId": SECRET + "/versions/3",
    }
    assert (
        decode(envelope(attributes, body={"name": SECRET + "/versions/3"})).event_type
        == "SECRET_VERSION_ADD"
    )


@pytest.mark.parametrize(
    ("event", "complaint"),
    [
        (envelope(type="google.cloud.storage.object.v1.finalized"), "is not google.cloud.pubsub"),
        (envelope({"secretId": SECRET}), "eventType"),
        (envelope({"eventType": "SECRET_ROTATE"}), "secretId ''"),
        (
            envelope({"eventType": "SECRET_ROTATE", "secretId": "projects/1/secrets/../x"}),
            "secretId",
        ),
        (
            envelope(
                {"eventType": "SECRET_ROTATE", "secretId": "projects/1/locations/eu/secrets/s"}
            ),
            "regional",
        ),
        (envelope({"eventType": "SECRET_ROTATE", "secretId": SECRET, "force": "maybe"}), "force"),
        (envelope(raw_data="!!!not base64"), "not base64-encoded JSON"),
        (envelope(raw_data=base64.b64encode(b"{nope").decode()), "not base64-encoded JSON"),
        (envelope(body=["a list"]), "not an object"),
        (envelope(body={"name": "projects/123456789012/secrets/other"}), "names secret"),
        (envelope(time="yesterday"), "not an RFC 3339 timestamp"),
        (envelope(time=SECONDS), "no UTC offset"),
        # A trailing newline passes a `$`-anchored pattern; hypothesis found it.
        (envelope({"eventType": "SECRET_ROTATE\n", "secretId": SECRET}), "eventType"),
        (
            envelope(
                {"eventType": "SECRET_ROTATE", "secretId": SECRET + "\n"},
                body={"name": SECRET + "\n"},
            ),
            "secretId",
        ),
    ],
)
def test_malformed_events_say_what_is_wrong(event, complaint):
    with pytest.raises(MalformedEvent, match=re.escape(complaint)):
        decode(event)


def test_not_a_pubsub_message():
    event = CloudEvent({"type": PUBSUB_EVENT_TYPE, "source": "s", "id": "1"}, {"no": "message"})
    with pytest.raises(MalformedEvent, match="no Pub/Sub `message`"):
        decode(event)


def test_hostile_values_are_cut_short_in_the_message():
    huge = "x" * 10_000
    with pytest.raises(MalformedEvent) as raised:
        decode(envelope({"eventType": "SECRET_ROTATE", "secretId": huge}))
    assert len(str(raised.value)) < 300
