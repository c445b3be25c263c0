"""Hostile input. Hypothesis makes Secret Manager notifications with one thing wrong (wrong types,
missing fields, huge values, bad base64, invalid JSON, foreign projects, names with path tricks,
replays) and raw garbage. Over HTTP, to the real Functions Framework in binary and structured
mode: never a 5xx, never a state change, always a log line that says what was wrong. In process,
in volume: the decoder raises nothing but MalformedEvent, whose text names the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from cloudevents.http import CloudEvent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import Emulator
from rotation.core.events import MalformedEvent, SecretEvent, decode
from rotation.gcp.clients import USER_AGENT
from tests.redaction import SCAN
from tests.reliability.hostile import (
    SECRET,
    Hostile,
    binary_mode,
    garbage_requests,
    json_values,
    printable,
    structured_mode,
)
from tests.reliability.hostile_defects import hostile_events
from tests.support import World

NOW = datetime.now(UTC)
ACCEPTED_BY_DECODER = {"foreign project", "stale (replayed)"}  # well formed: the handler refuses
READS = ("Get", "List", "Access")


def bounded(examples: int) -> settings:
    """Fixed examples (derandomized, no example database): the same run in CI as here."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,  # the state is shared on purpose: it must not change
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@pytest.fixture(scope="module")
def guarded_function(start_function):
    """The function as the terraform module deploys it by default: ALLOWED_PROJECTS is its own."""
    return start_function(ALLOWED_PROJECTS="demo-project")


@pytest.fixture
def target(emulator, guarded_function):
    """A secret the events name, opted in and rotatable; nothing pushes to this function."""
    world = World(emulator)
    assert world.rotated_secret() == SECRET
    return emulator, guarded_function


def snapshot(emulator: Emulator) -> object:
    return (
        sorted(emulator.secret_manager.payloads()),
        [(s.name, s.etag, dict(s.annotations)) for s in emulator.secret_manager.secrets()],
        [(r.name, r.update_time) for r in emulator.artifact_registry.repositories()],
    )


def post(function, headers: dict[str, str], body: bytes) -> tuple[httpx.Response, list[dict]]:
    """Send one request; the answer and the function's log lines about it."""
    mark = function.mark()
    response = httpx.post(function.url, headers=headers, content=body, timeout=30)
    SCAN.exception_texts.append(response.text)
    return response, function.entries(mark)


def changes(emulator: Emulator, start: int) -> list[str]:
    return [
        c.method
        for c in emulator.control.calls[start:]
        if c.caller == USER_AGENT and not c.method.split(".")[1].startswith(READS)
    ]


@bounded(160)
@given(event=hostile_events(NOW), structured=st.booleans())
def test_hostile_events_are_acknowledged_logged_and_change_nothing(target, event, structured):
    emulator, function = target
    before, start = snapshot(emulator), len(emulator.control.calls)
    headers, body = (structured_mode if structured else binary_mode)(event)

    response, entries = post(function, headers, body)

    said = [e["message"] for e in entries if e["severity"] in ("WARNING", "ERROR")]
    assert response.status_code == 200, (event.defect, response.status_code, response.text)
    assert any(event.expect in message for message in said), (event.defect, entries)
    assert changes(emulator, start) == []
    assert snapshot(emulator) == before


@bounded(80)
@given(request=garbage_requests)
def test_garbage_gets_a_4xx_or_an_acknowledgement_and_a_log_line(target, request):
    emulator, function = target
    ce_headers, content_type, body = request
    headers = {**ce_headers, **({"content-type": content_type} if content_type else {})}
    before = snapshot(emulator)

    response, entries = post(function, headers, body)

    assert response.status_code < 500, (response.status_code, response.text)
    assert [e for e in entries if e["severity"] == "ERROR" and e["message"]], entries
    assert snapshot(emulator) == before


def in_process(event: Hostile) -> CloudEvent:
    return CloudEvent(event.attributes, event.data)


@bounded(600)
@given(event=hostile_events(NOW).filter(lambda e: e.defect not in ACCEPTED_BY_DECODER))
def test_the_decoder_names_what_is_wrong(event):
    with pytest.raises(MalformedEvent) as raised:
        decode(in_process(event))
    SCAN.record_exception(raised.value)
    assert event.expect in str(raised.value)
    assert len(str(raised.value)) <= 500


message_fields = st.dictionaries(
    st.sampled_from(["attributes", "data", "messageId", "publishTime"]) | printable,
    json_values
    | st.dictionaries(st.sampled_from(["eventType", "secretId", "force"]) | printable, json_values),
    max_size=5,
)


@bounded(600)
@given(
    attributes=st.dictionaries(st.sampled_from(["id", "time", "subject"]), json_values),
    event_type=st.just("google.cloud.pubsub.topic.v1.messagePublished") | printable,
    data=json_values | st.fixed_dictionaries({"message": message_fields}),
)
def test_the_decoder_raises_nothing_but_malformed_event(attributes, event_type, data):
    event = CloudEvent({**attributes, "type": event_type, "source": "//hostile"}, data)
    try:
        decoded = decode(event)
    except MalformedEvent as error:
        SCAN.record_exception(error)
        assert str(error)
        return
    assert isinstance(decoded, SecretEvent)
    assert decoded.message_id
    assert decoded.secret is None or decoded.secret.count("/") == 3


@dataclass(frozen=True)
class Unreadable:
    method: str
    headers: dict[str, str]
    body: bytes
    status: int
    reason: str


CE_HEADERS = {"ce-id": "1", "ce-source": "s", "ce-type": "t", "content-type": "application/json"}


@pytest.mark.parametrize(
    "request_",
    [
        # These two crashed the Functions Framework's legacy-event fallback with a 500.
        Unreadable(
            "POST",
            {"content-type": "application/octet-stream"},
            b"\x00\xffgarbage",
            400,
            "not a CloudEvent",
        ),
        Unreadable(
            "POST",
            {"content-type": "application/cloudevents+json"},
            b"[1, 2]",
            400,
            "not a CloudEvent",
        ),
        # These it answered with a bare 400 and no log line.
        Unreadable(
            "POST",
            {"content-type": "application/cloudevents+json"},
            b"{no",
            400,
            "not a CloudEvent",
        ),
        Unreadable(
            "POST", {**CE_HEADERS, "ce-specversion": "9.9"}, b"{}", 400, "invalid specversion"
        ),
        Unreadable("POST", {}, b"", 415, "content type None is not JSON"),
        Unreadable("GET", {}, b"", 405, "method GET is not allowed"),
    ],
    ids=lambda r: r.reason,
)
def test_requests_that_are_not_cloud_events_get_a_4xx_and_a_log_line(target, request_):
    function = target[1]
    mark = function.mark()
    response = httpx.request(
        request_.method, function.url, headers=request_.headers, content=request_.body, timeout=30
    )

    rejected = [e for e in function.entries(mark) if e.get("event") == "malformed_request"]
    assert response.status_code == request_.status
    assert response.text.strip() == rejected[0]["message"].split(": ", 1)[1]
    assert request_.reason in rejected[0]["message"]
    assert rejected[0]["severity"] == "ERROR"
    assert "Traceback" not in function.text(mark)
