"""The emulator's HTTP controls: clock, reset, call counts, faults, deliveries, routing."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from google.api_core import exceptions

from emulator.http_control import HttpControl
from emulator.pubsub import Delivery
from emulator.routing import Request, Response
from rotation.gcp import clients

PROJECT = "projects/demo-project"


@pytest.fixture
def http(emulator):
    with httpx.Client(base_url=emulator.http_url, timeout=5) as client:
        yield client


def now(http: httpx.Client) -> datetime:
    response = http.get("/_emulator/clock")
    assert response.status_code == 200
    return datetime.fromisoformat(response.json()["now"])


def test_clock_advances(emulator, http):
    before = now(http)

    response = http.post("/_emulator/clock", json={"advance_seconds": 86400})

    assert response.status_code == 200
    moved = datetime.fromisoformat(response.json()["now"])
    assert timedelta(days=1) <= moved - before < timedelta(days=1, seconds=30)
    assert emulator.clock.now() - datetime.now(UTC) > timedelta(hours=23)


def test_clock_is_set(emulator, http):
    target = (datetime.now(UTC) + timedelta(days=1500)).replace(microsecond=0)
    response = http.post("/_emulator/clock", json={"set": _rfc3339(target)})

    assert response.status_code == 200
    assert datetime.fromisoformat(response.json()["now"]) - target < timedelta(seconds=30)
    assert now(http) - target < timedelta(seconds=30)


def _rfc3339(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


LATER = datetime.now(UTC) + timedelta(days=1500)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1]", "JSON object"),
        (b'{"advance_seconds": -5}', "non-negative"),
        (b'{"advance_seconds": "5"}', "non-negative"),
        (json.dumps({"advance_seconds": 5, "set": _rfc3339(LATER)}).encode(), "either"),
        (b'{"set": "tomorrow"}', "RFC 3339"),
        (json.dumps({"set": LATER.strftime("%Y-%m-%dT%H:%M:%S")}).encode(), "offset"),
    ],
)
def test_bad_clock_requests_are_400(emulator, http, content, message):
    before = emulator.clock.now()

    response = http.post("/_emulator/clock", content=content)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert emulator.clock.now() - before < timedelta(seconds=30)


def test_reset_forgets_resources_counts_and_clock(emulator, http):
    emulator.resource_manager.grant("demo-project", "roles/viewer", "user:alice@example.com")
    clients.projects().get_project(name=PROJECT)
    http.post("/_emulator/clock", json={"advance_seconds": 86400})

    response = http.post("/_emulator/reset")

    assert response.status_code == 200
    assert list(emulator.resource_manager.policy("demo-project").bindings) == []
    assert emulator.control.counts == {}
    assert now(http) - datetime.now(UTC) < timedelta(minutes=1)


def test_calls_reports_counts(emulator, http):
    clients.projects().get_project(name=PROJECT)
    clients.projects().get_project(name=PROJECT)

    body = http.get("/_emulator/calls").json()

    assert body["counts"] == {"Projects.GetProject": 2}
    assert "Projects.GetProject" in body["ever_called"]


def test_fault_by_code(emulator, http):
    response = http.post(
        "/_emulator/faults",
        json={"method": "Projects.GetIamPolicy", "code": "PERMISSION_DENIED", "nth": 2},
    )
    assert response.status_code == 200
    assert response.json() == {
        "method": "Projects.GetIamPolicy",
        "code": "PERMISSION_DENIED",
        "nth": 2,
        "times": 1,
    }
    client = clients.projects()

    client.get_iam_policy(resource=PROJECT)
    with pytest.raises(exceptions.PermissionDenied):
        client.get_iam_policy(resource=PROJECT)
    client.get_iam_policy(resource=PROJECT)


def test_fault_by_latency(emulator, http):
    response = http.post(
        "/_emulator/faults", json={"method": "Projects.GetProject", "latency_seconds": 0.2}
    )
    assert response.status_code == 200

    started = time.monotonic()
    clients.projects().get_project(name=PROJECT)

    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize(
    "body",
    [
        {"code": "UNAVAILABLE"},
        {"method": "GetProject", "code": "UNAVAILABLE"},
        {"method": "Projects.GetProject", "code": "UNAVAILABEL"},
        {"method": "Projects.GetProject", "code": "OK"},
        {"method": "Projects.GetProject", "code": "UNAVAILABLE", "nth": 0},
        {"method": "Projects.GetProject", "code": "UNAVAILABLE", "when": 1},
        {"method": "Projects.GetProject", "latency_seconds": -1},
        {"method": "Projects.GetProject", "latency_seconds": 1, "nth": 2},
    ],
)
def test_bad_faults_are_400(emulator, http, body):
    response = http.post("/_emulator/faults", json=body)

    assert response.status_code == 400
    assert response.json()["error"]
    assert emulator.control.faults == []


def test_deliveries(emulator, http, monkeypatch):
    assert http.get("/_emulator/deliveries").json() == {"deliveries": []}
    delivery = Delivery(
        message_id="1",
        topic="projects/demo-project/topics/rotations",
        endpoint="http://127.0.0.1:1/",
        attempt=1,
        status_code=204,
        error=None,
        time=LATER.replace(microsecond=0),
        subscription="projects/demo-project/subscriptions/rotations-push",
    )
    monkeypatch.setattr(emulator.pubsub, "deliveries", lambda: [delivery])

    body = http.get("/_emulator/deliveries").json()

    assert body["deliveries"] == [
        {
            "message_id": "1",
            "topic": "projects/demo-project/topics/rotations",
            "endpoint": "http://127.0.0.1:1/",
            "attempt": 1,
            "status_code": 204,
            "error": None,
            "time": _rfc3339(LATER),
            "subscription": "projects/demo-project/subscriptions/rotations-push",
            "ok": True,
        }
    ]


def test_unknown_path_is_404_and_wrong_method_is_405(emulator, http):
    assert http.get("/_emulator/nothing").status_code == 404

    response = http.get("/_emulator/reset")

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_more_routes_can_be_added(emulator):
    def simple(request: Request) -> Response:
        return Response(body=request.params["project"].encode(), content_type="text/html")

    def broken(request: Request) -> Response:
        raise RuntimeError("bug in a route")

    control = HttpControl(emulator, 0)
    control.route("GET", r"/simple/(?P<project>[^/]+)/", simple)
    control.route("GET", "/broken", broken)
    port = control.start()
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/simple/requests/?x=1", timeout=5)
        failure = httpx.get(f"http://127.0.0.1:{port}/broken", timeout=5)
    finally:
        control.stop()

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html"
    assert response.text == "requests"
    assert failure.status_code == 500
    assert failure.json() == {"error": "RuntimeError: bug in a route"}
