"""A transient failure at each Google API call of a rotation, then redelivery: the rotation
completes, and the invariants of rotation-lessons.md hold before every call along the way."""

from __future__ import annotations

from collections import Counter

import grpc
import pytest

from rotation import clients
from tests.conftest import TEST_USER_AGENT
from tests.support import World, repository_name

REPO = repository_name("pypi")
MAX_CALLS = 12


class InvariantWatch:
    """Checked before every API call the emulator serves, from the emulator's own state."""

    def __init__(self, world: World, secret: str) -> None:
        self.world = world
        self.secret = secret
        self.violations: list[str] = []
        self.checks = 0

    def __call__(self, method: str) -> None:
        self.checks += 1
        versions = self.world.emulator.secret_manager.version_states(self.secret)
        if len(versions) > 2:
            self.violations.append(f"before {method}: more than one new version: {versions}")
        for repository in self.world.emulator.artifact_registry.repositories():
            credentials = repository.remote_repository_config.upstream_credentials.username_password_credentials
            number = int(credentials.password_secret_version.rsplit("/", 1)[1])
            if versions.get(number) != "ENABLED":
                self.violations.append(
                    f"before {method}: {repository.name} points at {number}: {versions}"
                )


def rotation_calls(world: World) -> list[tuple[str, int]]:
    """The Google API calls one clean rotation makes, each with its occurrence number.

    Run twice: the first run warms the function's cache of project numbers, as every later
    rotation in this module finds it."""
    world.rotated_secret("warm-up", repositories=repository_name("warm-up"))
    world.fire_schedule()
    world.settle()
    world.rotated_secret()
    world.emulator.control.calls.clear()
    world.fire_schedule()
    world.settle()
    seen: Counter[str] = Counter()
    calls = []
    for method in world.emulator.control.calls:
        seen[method] += 1
        calls.append((method, seen[method]))
    return calls


@pytest.fixture(scope="module")
def clean_rotation_calls(emulator_session, function_server):
    emulator_session.reset()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in emulator_session.env().items():
            patch.setenv(name, value)
        patch.setenv("AR_TOKEN_ROTATOR_USER_AGENT", TEST_USER_AGENT)
        clients.reset()
        calls = rotation_calls(World(emulator_session, function_server.url))
    clients.reset()
    return calls


def test_a_rotation_makes_the_expected_calls(clean_rotation_calls):
    methods = [method for method, _ in clean_rotation_calls]
    assert len(methods) <= MAX_CALLS, "raise MAX_CALLS so every call gets its fault case"
    assert methods[0] == "SecretManagerService.GetSecret"
    assert methods.count("SecretManagerService.AddSecretVersion") == 1
    assert methods.count("ArtifactRegistry.UpdateRepository") == 1
    assert methods[-1] == "SecretManagerService.UpdateSecret"


@pytest.mark.parametrize("position", range(MAX_CALLS))
def test_transient_failure_at_each_call_then_redelivery_completes(
    world, clean_rotation_calls, position
):
    if position >= len(clean_rotation_calls):
        pytest.skip(f"a rotation makes only {len(clean_rotation_calls)} calls")
    method, occurrence = clean_rotation_calls[position]
    secret = world.rotated_secret()
    watch = InvariantWatch(world, secret)
    world.emulator.control.observers.append(watch)
    world.emulator.control.fail(method, grpc.StatusCode.UNAVAILABLE, nth=occurrence)
    world.fire_schedule()
    world.settle()

    surfaced = any(not d.ok for d in world.emulator.pubsub.deliveries())
    retried_by_client = world.emulator.control.counts[method] > occurrence
    assert world.emulator.control.faults[0].times == 0, f"{method} #{occurrence} was never called"
    assert surfaced or retried_by_client
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    assert world.state(secret)["phase"] == "done"
    assert watch.checks > len(clean_rotation_calls)
    assert watch.violations == []
