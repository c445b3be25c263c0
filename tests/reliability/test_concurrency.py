"""Concurrent deliveries: duplicates of one event race for one rotation, and many secrets rotate
at once through one Functions Framework server with several threads."""

from __future__ import annotations

import json
from datetime import datetime

from rotation.gcp.clients import USER_AGENT
from tests.conftest import FUNCTION_THREADS
from tests.support import World, repository_name

ADD = "SecretManagerService.AddSecretVersion"


def function_calls(world: World, method: str) -> int:
    return sum(c.method == method and c.caller == USER_AGENT for c in world.emulator.control.calls)


def test_ten_concurrent_deliveries_of_one_event_make_one_version(world, function_server):
    secret = world.rotated_secret()
    world.settle()
    mark = function_server.mark()
    message = world.publish_rotate(secret)
    for _ in range(9):  # the duplicates at-least-once delivery allows, all at once
        world.emulator.pubsub.redeliver(message)
    world.settle()

    deliveries = [d for d in world.emulator.pubsub.deliveries() if d.message_id == message]
    added = [e for e in function_server.entries(mark) if e.get("event") == "version_added"]
    assert len({d.attempt for d in deliveries}) >= 10
    assert any(not d.ok for d in deliveries), "no delivery lost the race: they did not overlap"
    assert function_calls(world, ADD) == 1
    assert len(added) == 1
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert world.points_at(repository_name("pypi")) == f"{secret}/versions/2"
    assert world.state(secret)["completed_rotation"] == message


def overlap(intervals: list[tuple[datetime, datetime]]) -> int:
    """The most intervals open at one moment."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    most = open_now = 0
    for _, step in edges:
        open_now += step
        most = max(most, open_now)
    return most


def test_fifty_secrets_rotating_at_once_all_complete_none_twice(world, function_server):
    count = 50
    secrets = {
        world.rotated_secret(f"token-{n:02d}", repositories=repository_name(f"repo-{n:02d}")): n
        for n in range(count)
    }
    world.settle()
    mark = function_server.mark()
    world.fire_schedule()  # every secret's rotation falls due at the same moment
    world.settle(timeout=180)

    entries = function_server.entries(mark)
    completed = [e for e in entries if e.get("event") == "rotation_completed"]
    added = {e["secret"]: e for e in entries if e.get("event") == "version_added"}
    intervals = [
        (datetime.fromisoformat(added[e["secret"]]["time"]), datetime.fromisoformat(e["time"]))
        for e in completed
    ]
    assert sorted(e["secret"] for e in completed) == sorted(secrets)
    assert function_calls(world, ADD) == count
    for secret, n in secrets.items():
        assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}, secret
        assert world.points_at(repository_name(f"repo-{n:02d}")) == f"{secret}/versions/2"
        assert json.loads(world.annotations(secret)["token-rotator.state"])["phase"] == "done"
    assert 1 < overlap(intervals) <= FUNCTION_THREADS
