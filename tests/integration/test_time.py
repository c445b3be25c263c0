"""Time-dependent decisions, in process with freezegun: event age, minimum interval, lease expiry."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cloudevents.http import CloudEvent
from freezegun import freeze_time

from rotation.core.errors import RotationBusy
from rotation.core.state import Phase, RotationState
from rotation.function import handler, wiring
from tests.support import World, repository_name

REPO = repository_name("pypi")


@pytest.fixture
def start() -> datetime:
    """Where each test's frozen clock starts: now, so no test depends on the date it runs."""
    return datetime.now(UTC)


@pytest.fixture
def local(emulator, monkeypatch):
    """The handler in this process, with fresh settings and clients for the emulator."""
    monkeypatch.setenv("CHECK_DELAY", "0s")
    wiring.settings.cache_clear()
    wiring.services.cache_clear()
    yield World(emulator)
    wiring.settings.cache_clear()
    wiring.services.cache_clear()


def rotate_event(
    secret: str, published: datetime, message_id: str, force: bool = False
) -> CloudEvent:
    attributes = {"eventType": "SECRET_ROTATE", "secretId": secret, "dataFormat": "JSON_API_V1"}
    if force:
        attributes["force"] = "true"
    data = base64.b64encode(json.dumps({"name": secret}).encode()).decode()
    return CloudEvent(
        {
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "id": message_id,
            "source": "//pubsub.googleapis.com/projects/demo-project/topics/secret-events",
            "time": published.isoformat(),
        },
        {"message": {"attributes": attributes, "data": data, "messageId": message_id}},
    )


def test_event_age_limit_with_clock_skew_tolerance(local, start):
    with freeze_time(start, tick=True):
        secret = local.rotated_secret()
        handler.handle(rotate_event(secret, start - timedelta(hours=24, minutes=6), "too-old"))
        assert local.versions(secret) == {1: "ENABLED"}
        handler.handle(rotate_event(secret, start - timedelta(hours=24, minutes=4), "within-skew"))
        assert local.aliases(secret) == {"current": 2, "previous": 1}


def test_minimum_interval_skips_unforced_requests(local, start):
    with freeze_time(start, tick=True) as clock:
        secret = local.rotated_secret(min_interval="1h")
        handler.handle(rotate_event(secret, start, "first"))
        clock.move_to(start + timedelta(minutes=30))
        handler.handle(rotate_event(secret, start + timedelta(minutes=30), "too-soon"))
        assert local.aliases(secret)["current"] == 2
        handler.handle(rotate_event(secret, start + timedelta(minutes=30), "forced", force=True))
        assert local.aliases(secret)["current"] == 3
        clock.move_to(start + timedelta(minutes=95))
        handler.handle(rotate_event(secret, start + timedelta(minutes=95), "later"))
        assert local.aliases(secret)["current"] == 4


def test_request_published_before_the_last_completion_is_skipped_even_when_forced(local, start):
    with freeze_time(start, tick=True) as clock:
        secret = local.rotated_secret()
        clock.move_to(start + timedelta(minutes=10))
        handler.handle(rotate_event(secret, start + timedelta(minutes=10), "newer"))
        handler.handle(rotate_event(secret, start + timedelta(minutes=5), "older", force=True))
        assert local.aliases(secret)["current"] == 2


def test_a_live_lease_makes_the_delivery_retry_and_an_expired_one_is_taken_over(local, start):
    with freeze_time(start, tick=True) as clock:
        secret = local.rotated_secret()
        stuck = RotationState(
            phase=Phase.CREATING,
            rotation="crashed",
            started_at=start,
            baseline=1,
            holder="dead-attempt",
            lease_until=start + timedelta(minutes=10),
        )
        snapshot = local.sm.get_secret(name=secret)
        snapshot.annotations["token-rotator.state"] = stuck.dump()
        local.sm.update_secret(secret=snapshot, update_mask={"paths": ["annotations"]})

        clock.move_to(start + timedelta(minutes=5))
        with pytest.raises(RotationBusy, match="being worked on by another delivery"):
            handler.handle(rotate_event(secret, start + timedelta(minutes=5), "redrive"))
        assert local.versions(secret) == {1: "ENABLED"}

        clock.move_to(start + timedelta(minutes=11))
        handler.handle(rotate_event(secret, start + timedelta(minutes=11), "redrive"))
        assert local.aliases(secret) == {"current": 2, "previous": 1}
        assert local.state(secret)["completed_rotation"] == "crashed"


def logged_events(capsys) -> list[tuple[str, str]]:
    """The (event, secret) of each structured log line printed since the last call."""
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line[:1] == "{"]
    return [(line["event"], line["secret"]) for line in lines if "event" in line]


def test_secrets_outside_allowed_projects_and_not_opted_in_are_ignored(
    local, start, monkeypatch, capsys
):
    with freeze_time(start, tick=True):
        secret = local.rotated_secret()
        plain = local.secret("plain", payload="not-a-rotated-token-value", rotation=False)
        monkeypatch.setenv("ALLOWED_PROJECTS", "other-project")
        wiring.settings.cache_clear()
        handler.handle(rotate_event(secret, start, "foreign"))
        assert local.versions(secret) == {1: "ENABLED"}
        assert logged_events(capsys) == [("project_not_allowed", secret)]

        monkeypatch.setenv("ALLOWED_PROJECTS", "demo-project")
        wiring.settings.cache_clear()
        handler.handle(rotate_event(plain, start, "not-opted-in"))
        assert local.versions(plain) == {1: "ENABLED"}
        assert logged_events(capsys) == [("not_opted_in", plain)]
        handler.handle(rotate_event(secret, start, "allowed"))
        assert local.aliases(secret) == {"current": 2, "previous": 1}
