"""Every Google call has a deadline: a call the emulator holds far beyond it ends the attempt
(answered 500, lease released), the redelivery completes the rotation, and the held call's late
effect, when it finally lands, breaks nothing.

The function runs with GOOGLE_CALL_TIMEOUT=1s and GOOGLE_CALL_DEADLINE=3s; the emulator holds the
call HELD_SECONDS. Without explicit deadlines the Artifact Registry client would wait for the
held UpdateRepository (it sets no timeout), and Secret Manager's client for the held GetIamPolicy
(its default is 60 s), and the first delivery would complete instead of answering 500.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from google.cloud import secretmanager_v1

from emulator import Call, Emulator
from emulator.core import Fault
from rotation.gcp.clients import USER_AGENT
from tests.support import World, repository_name

HELD_SECONDS = 12.0
REPO = repository_name("pypi")
UPDATE_REPOSITORY = "ArtifactRegistry.UpdateRepository"
GET_SECRET_POLICY = "SecretManagerService.GetIamPolicy"
WAIT_SECONDS = 90.0


@pytest.fixture(scope="module")
def quick_function(start_function):
    return start_function(GOOGLE_CALL_TIMEOUT="1s", GOOGLE_CALL_DEADLINE="3s")


@dataclass
class Release:
    """A write by the function that gave up its lease, and what the repository held then."""

    state: dict[str, object]
    repository_version: str


@dataclass
class Recorder:
    """Observes the function's calls: its lease releases, and when each repoint arrived."""

    emulator: Emulator
    releases: list[Release] = field(default_factory=list)
    repoints: list[datetime] = field(default_factory=list)

    def __call__(self, call: Call) -> None:
        if call.caller != USER_AGENT:
            return
        if call.method == UPDATE_REPOSITORY:
            self.repoints.append(self.emulator.clock.now())
        if call.method == "SecretManagerService.UpdateSecret":
            request = secretmanager_v1.UpdateSecretRequest(call.request)
            state = json.loads(request.secret.annotations.get("token-rotator.state", "{}"))
            if state.get("error") and not state.get("holder"):
                self.releases.append(Release(state, self._repository_version()))

    def _repository_version(self) -> str:
        for repository in self.emulator.artifact_registry.repositories():
            if repository.name == REPO:
                credentials = repository.remote_repository_config.upstream_credentials
                return credentials.username_password_credentials.password_secret_version
        return ""


def first_failure(world: World, message_id: str) -> int:
    """Wait for the first delivery of the message that the function did not acknowledge."""
    stop = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < stop:
        failed = [
            d for d in world.emulator.pubsub.deliveries() if d.message_id == message_id and not d.ok
        ]
        if failed:
            return failed[0].attempt
        time.sleep(0.05)
    raise AssertionError(f"no delivery of {message_id} failed within {WAIT_SECONDS}s")


def held_rotation(world: World, method: str) -> tuple[str, str, Fault, Recorder]:
    """A scheduled rotation whose `method` calls by the function are held until the first
    delivery fails; then the hold is lifted and delivery retries. Returns secret, message id,
    the fault (its `seen` counts the held calls) and the recorder."""
    secret = world.rotated_secret()
    recorder = Recorder(world.emulator)
    world.emulator.control.observers.append(recorder)
    fault = world.emulator.control.delay(method, HELD_SECONDS, caller=USER_AGENT)
    world.fire_schedule()
    (message,) = world.rotate_messages()
    assert first_failure(world, message) == 1
    fault.times = 0
    world.settle(WAIT_SECONDS)
    return secret, message, fault, recorder


def assert_completed(world: World, secret: str, message: str) -> None:
    state = world.state(secret)
    assert (state["phase"], state["completed_rotation"], state.get("holder")) == (
        "done",
        message,
        None,
    )
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}


@pytest.mark.parametrize(
    ("method", "step", "doing"),
    [
        (UPDATE_REPOSITORY, "repoint", f"repointing repository {REPO}: RetryError"),
        (GET_SECRET_POLICY, "checks", "reading the IAM policy of secret"),
    ],
)
def test_a_held_call_ends_the_attempt_which_releases_its_lease_and_the_redelivery_completes(
    emulator, quick_function, method, step, doing
):
    world = World(emulator, quick_function.url)
    mark = quick_function.mark()
    secret, message, fault, recorder = held_rotation(world, method)

    deliveries = [d for d in emulator.pubsub.deliveries() if d.message_id == message]
    assert deliveries[0].status_code == 500
    assert deliveries[-1].ok
    # The client retried the held call within the attempt before giving up.
    assert fault.seen >= 2
    retries = [
        e
        for e in quick_function.entries(mark)
        if e.get("event") == "rotation_retry" and e.get("secret") == secret
    ]
    assert retries and doing in retries[0]["message"], retries
    # The attempt released its lease, saying where it stopped, while the held call was still
    # held: the repository had not moved yet.
    first = recorder.releases[0]
    assert first.state["failed_step"] == step
    assert first.state["retryable"] is True
    assert first.repository_version == f"{secret}/versions/1"
    assert_completed(world, secret, message)


def test_a_repoint_that_lands_after_the_redelivery_completed_breaks_nothing(
    emulator, quick_function
):
    world = World(emulator, quick_function.url)
    secret, message, fault, recorder = held_rotation(world, UPDATE_REPOSITORY)
    assert_completed(world, secret, message)

    # The held repoints arrived first; each lands HELD_SECONDS after it arrived.
    last_landing = recorder.repoints[fault.seen - 1].timestamp() + HELD_SECONDS
    stop = time.monotonic() + WAIT_SECONDS
    while world.ar.get_repository(name=REPO).update_time.timestamp() < last_landing:
        assert time.monotonic() < stop, "the held repoints never landed"
        time.sleep(0.2)
    assert_completed(world, secret, message)
