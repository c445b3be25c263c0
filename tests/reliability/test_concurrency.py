"""Concurrent deliveries: duplicates of one event race for one rotation, and many secrets rotate
at once through one Functions Framework server with several threads.

The emulator holds the function's claims (tests/reliability/claims.py) until as many as the
function can make at once are waiting, then lets them through together: the race is certain,
not a matter of timing."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from emulator import Call
from rotation.gcp.clients import USER_AGENT
from tests.conftest import FUNCTION_THREADS
from tests.reliability.claims import ClaimGate, LeaseCount
from tests.support import World, repository_name

ADD = "SecretManagerService.AddSecretVersion"


def function_calls(world: World, method: str) -> int:
    return sum(c.method == method and c.caller == USER_AGENT for c in world.emulator.control.calls)


def events(entries: list[dict[str, Any]], event: str) -> list[dict[str, Any]]:
    return [e for e in entries if e.get("event") == event]


@contextmanager
def observing(world: World, *observers: Callable[[Call], None]) -> Iterator[None]:
    """The emulator shows every call to `observers`, in order, while inside."""
    added = list(observers)
    world.emulator.control.observers.extend(added)
    try:
        yield
    finally:
        world.emulator.control.observers[:] = [
            o for o in world.emulator.control.observers if o not in added
        ]


def test_ten_concurrent_deliveries_of_one_event_make_one_version(world, function_server):
    deliveries_sent = 10
    secret = world.rotated_secret()
    world.settle()
    # Every delivery the function's threads can take at once claims the same free secret.
    gate = ClaimGate(expected=min(deliveries_sent, FUNCTION_THREADS))
    mark = function_server.mark()
    with observing(world, gate):
        message = world.publish_rotate(secret)
        for _ in range(deliveries_sent - 1):  # the duplicates at-least-once delivery allows
            world.emulator.pubsub.redeliver(message)
        world.settle()

    entries = [e for e in function_server.entries(mark) if e.get("rotation") == message]
    deliveries = [d for d in world.emulator.pubsub.deliveries() if d.message_id == message]
    assert gate.filled, f"only {gate.held_together} claims were ever held together"
    assert len({d.attempt for d in deliveries}) >= deliveries_sent
    # One claim took the lease; every other claim held with it found it taken.
    assert len(events(entries, "rotation_busy")) >= gate.expected - 1
    assert any(not d.ok for d in deliveries)
    assert function_calls(world, ADD) == 1
    assert len(events(entries, "version_added")) == 1
    assert len(events(entries, "rotation_completed")) == 1
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert world.points_at(repository_name("pypi")) == f"{secret}/versions/2"
    assert world.state(secret)["completed_rotation"] == message


def test_fifty_secrets_rotating_at_once_all_complete_none_twice(world, function_server):
    count = 50
    secrets = {
        world.rotated_secret(f"token-{n:02d}", repositories=repository_name(f"repo-{n:02d}")): n
        for n in range(count)
    }
    world.settle()
    leases = LeaseCount()  # first: it counts a claim before the gate holds it
    gate = ClaimGate(expected=FUNCTION_THREADS)
    mark = function_server.mark()
    with observing(world, leases, gate):
        world.fire_schedule()  # every secret's rotation falls due at the same moment
        world.settle(timeout=180)

    entries = function_server.entries(mark)
    completed = events(entries, "rotation_completed")
    added = Counter(e["secret"] for e in events(entries, "version_added"))
    assert gate.filled, f"only {gate.held_together} claims were ever held together"
    assert sorted(e["secret"] for e in completed) == sorted(secrets)
    assert added == Counter(list(secrets))
    assert function_calls(world, ADD) == count
    for secret, n in secrets.items():
        assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}, secret
        assert world.points_at(repository_name(f"repo-{n:02d}")) == f"{secret}/versions/2"
        assert json.loads(world.annotations(secret)["token-rotator.state"])["phase"] == "done"
    # As many rotations at once as the function has threads (the gate made it so), never more.
    assert leases.most == FUNCTION_THREADS
