"""Control beyond counting: observers see each call with its request, faults can be limited to
one caller, and a crash fault runs the crash handler once the call has taken effect."""

from __future__ import annotations

import grpc
import pytest
from google.api_core import exceptions

from emulator import Call
from rotation.gcp import clients
from tests.conftest import TEST_USER_AGENT

SECRET = "projects/demo-project/secrets/crash-test"
ADD = "SecretManagerService.AddSecretVersion"


@pytest.fixture
def sm(emulator):
    client = clients.secret_manager()
    client.create_secret(
        parent="projects/demo-project",
        secret_id="crash-test",
        secret={"replication": {"automatic": {}}},
    )
    return client


def test_observers_see_the_method_the_caller_and_the_request(emulator, sm):
    seen: list[Call] = []
    emulator.control.observers.append(seen.append)

    sm.get_secret(name=SECRET)

    assert [(c.method, c.caller) for c in seen] == [
        ("SecretManagerService.GetSecret", TEST_USER_AGENT)
    ]
    assert seen[0].request.name == SECRET
    assert emulator.control.calls[-1] == Call("SecretManagerService.GetSecret", TEST_USER_AGENT)


def test_a_fault_for_another_caller_leaves_this_one_alone(emulator, sm):
    emulator.control.fail(ADD, grpc.StatusCode.UNAVAILABLE, caller="someone-else/1")
    sm.add_secret_version(parent=SECRET, payload={"data": b"one"}, retry=None)

    emulator.control.fail(ADD, grpc.StatusCode.UNAVAILABLE, caller=TEST_USER_AGENT)
    with pytest.raises(exceptions.ServiceUnavailable):
        sm.add_secret_version(parent=SECRET, payload={"data": b"two"}, retry=None)

    assert [f.times for f in emulator.control.faults] == [1, 0]


def test_crash_runs_after_the_nth_call_took_effect(emulator, sm):
    versions_at_crash: list[dict[int, str]] = []
    emulator.control.crash_handler = lambda: versions_at_crash.append(
        emulator.secret_manager.version_states(SECRET)
    )
    try:
        emulator.control.crash(ADD, nth=2, caller=TEST_USER_AGENT)
        for data in (b"one", b"two", b"three"):
            sm.add_secret_version(parent=SECRET, payload={"data": data})
    finally:
        emulator.control.crash_handler = None

    assert versions_at_crash == [{1: "ENABLED", 2: "ENABLED"}]


def test_crash_needs_a_handler(emulator):
    with pytest.raises(RuntimeError, match="crash_handler"):
        emulator.control.crash(ADD)
    assert emulator.control.faults == []
