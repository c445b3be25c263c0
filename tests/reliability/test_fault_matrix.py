"""The fault matrix: every external call a rotation makes, Google API or upstream HTTP, in order,
meets (a) a transient error, (b) a crash of the function right after the call took effect, and
(c) an operator who, just before the call, creates a repository like the rotated one (on the
version that one uses then) and lists it in the secret's annotations; then delivery retries. The calls are those of a clean run, recorded, not listed here.

A crash kills the Functions Framework's worker process while the call's effect stands (a version
added, a repository moved, a lease taken) and before the function reads the answer; the push
request dies with it and Pub/Sub redelivers to the fresh worker. A crash just before a call is
the crash just after the one before it, so this covers every point a process can die at.

Before every call the emulator serves, the five invariants of rotation-lessons.md are checked from
the emulator's state (tests/reliability/invariants.py); after each case, that the rotation
completed, with the operator's repository moved too and the operator's edit kept. The results
print as a table at the end of the run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import grpc
import pytest

from emulator import Call
from emulator.upstream import PypiServer
from emulator.upstream_proxy import UPSTREAM, UpstreamProxy
from rotation.gcp.clients import USER_AGENT
from tests.reliability.invariants import InvariantWatch
from tests.reliability.matrix import FAULTS, MATRIX
from tests.reliability.rig import MATRIX_LEASE, Rig
from tests.reliability.upstreams import GitLabUpstream, PypiUpstream
from tests.support import World

SETTLE_SECONDS = 90


@dataclass(frozen=True)
class Step:
    """The `occurrence`-th call of `method` by the function in a clean run; `label` for the table."""

    method: str
    occurrence: int
    label: str


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Callable[[Rig, World], tuple[str, str]]  # -> secret, repository
    trigger: Callable[[World, str], str]  # -> the rotation request's message id
    upstream: Callable[[Rig], PypiUpstream | GitLabUpstream]
    aliases: dict[str, int]  # what the secret's aliases are once the rotation completed
    versions: dict[int, str]  # and its versions' states
    calls: dict[str, int]  # how often a clean run calls the methods that make the scenario

    @property
    def new_version(self) -> int:
        return self.aliases["current"]


def scheduled(world: World, secret: str) -> str:
    world.fire_schedule()
    world.settle(SETTLE_SECONDS)
    return world.rotate_messages()[-1]


def forced(world: World, secret: str) -> str:
    return world.publish_rotate(secret, force=True)


def rotated_once(rig: Rig, world: World) -> tuple[str, str]:
    secret, repository = rig.pypi_secret(world)
    scheduled(world, secret)
    assert world.points_at(repository) == f"{secret}/versions/2", "the first rotation failed"
    return secret, repository


GET_PROJECT = "Projects.GetProject"
DISABLE = "SecretManagerService.DisableSecretVersion"
SCENARIOS = [
    # pypi-derived, first rotation, on an instance that has not looked up the repository's project.
    Scenario(
        "pypi first",
        Rig.pypi_secret,
        scheduled,
        lambda rig: rig.pypi,
        aliases={"current": 2, "previous": 1},
        versions={1: "ENABLED", 2: "ENABLED"},
        calls={GET_PROJECT: 1, f"{UPSTREAM}.GET": 1, DISABLE: 0},
    ),
    # pypi-derived, forced second rotation on a warm instance: keep-versions 2 retires version 1.
    Scenario(
        "pypi forced",
        rotated_once,
        forced,
        lambda rig: rig.pypi,
        aliases={"current": 3, "previous": 2},
        versions={1: "DISABLED", 2: "ENABLED", 3: "ENABLED"},
        calls={GET_PROJECT: 0, f"{UPSTREAM}.GET": 1, DISABLE: 1},
    ),
    # gitlab, first rotation, keep-versions 1: mint, probe, identify the first token, revoke it.
    Scenario(
        "gitlab",
        Rig.gitlab_secret,
        scheduled,
        lambda rig: rig.gitlab,
        aliases={"current": 2},
        versions={1: "DISABLED", 2: "ENABLED"},
        calls={
            GET_PROJECT: 1,
            f"{UPSTREAM}.POST": 1,
            f"{UPSTREAM}.GET": 2,
            f"{UPSTREAM}.DELETE": 1,
            DISABLE: 1,
        },
    ),
]


@pytest.fixture(scope="module")
def rig(emulator_session, start_function, authority_session, private_index, tmp_path_factory):
    index = PypiServer(tmp_path_factory.mktemp("pypi"), authenticated_reads=False)
    control = emulator_session.control
    with (
        UpstreamProxy(f"http://127.0.0.1:{index.port}", control) as pypi,
        UpstreamProxy(authority_session.url, control) as gitlab,
    ):
        # The function reaches both upstreams through the proxies: it may contact those hosts.
        function = start_function(
            ROTATION_LEASE=MATRIX_LEASE,
            ALLOWED_UPSTREAM_HOSTS=f"127.0.0.1:{pypi.port},127.0.0.1:{gitlab.port}",
        )
        control.crash_handler = function.crash
        yield Rig(
            emulator_session,
            function,
            PypiUpstream(pypi),
            GitLabUpstream(authority_session, gitlab),
            private_index,
        )
    control.crash_handler = None
    index.stop()


RECORDINGS: dict[str, list[Step]] = {}


def recording(rig: Rig, scenario: Scenario) -> list[Step]:
    """The function's calls in a clean run of the scenario, in order, each with its occurrence."""
    if scenario.name not in RECORDINGS:
        world = rig.fresh_world()
        secret, repository = scenario.prepare(rig, world)
        world.settle(SETTLE_SECONDS)
        proxy = scenario.upstream(rig).proxy
        start, exchanges = len(rig.emulator.control.calls), len(proxy.exchanges())
        scenario.trigger(world, secret)
        world.settle(SETTLE_SECONDS)
        calls = [c.method for c in rig.emulator.control.calls[start:] if c.caller == USER_AGENT]
        paths = iter(
            re.sub(r"/\d+$", "/{id}", e.request.path.split("?")[0])
            for e in proxy.exchanges()[exchanges:]
        )
        seen: Counter[str] = Counter()
        steps = []
        for method in calls:
            seen[method] += 1
            label = f"{method} {next(paths)}" if method.startswith(UPSTREAM) else method
            steps.append(Step(method, seen[method], label))
        assert world.points_at(repository) == f"{secret}/versions/{scenario.new_version}"
        RECORDINGS[scenario.name] = steps
    return RECORDINGS[scenario.name]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name.replace(" ", "-"))
def test_clean_runs_make_the_calls_the_matrix_covers(emulator, rig, scenario):
    methods = [step.method for step in recording(rig, scenario)]
    assert methods[0] == "SecretManagerService.GetSecret"
    assert methods.count("SecretManagerService.AddSecretVersion") == 1
    assert methods.count("ArtifactRegistry.UpdateRepository") == 1
    assert methods[-1] == "SecretManagerService.UpdateSecret"
    assert {method: methods.count(method) for method in scenario.calls} == scenario.calls


def run_case(rig: Rig, scenario: Scenario, step: Step, fault: str) -> tuple[bool, str]:
    control = rig.emulator.control
    world = rig.fresh_world()
    secret, repository = scenario.prepare(rig, world)
    world.settle(SETTLE_SECONDS)
    watch = InvariantWatch(rig.emulator, secret, scenario.upstream(rig))

    def crash() -> None:
        watch.crashed = True
        rig.function.crash()

    control.observers.append(watch)
    control.crash_handler = crash
    operator = OperatorEdit(step, lambda: rig.list_a_copy(world, secret, repository))
    if fault == "transient":
        control.fail(
            step.method, grpc.StatusCode.UNAVAILABLE, nth=step.occurrence, caller=USER_AGENT
        )
    elif fault == "crash":
        control.crash(step.method, nth=step.occurrence, caller=USER_AGENT)
    else:
        control.observers.append(operator)
    start, mark = len(control.calls), rig.function.mark()
    try:
        message = scenario.trigger(world, secret)
        world.settle(SETTLE_SECONDS)
    finally:
        control.observers[:] = [o for o in control.observers if o not in (watch, operator)]
        control.crash_handler = rig.function.crash

    log = rig.function.text(mark)
    problems = watch.finish(log)
    if control.faults[0].times if control.faults else operator.copy is None:
        problems.append("the fault never fired")
    made = sum(c.method == step.method and c.caller == USER_AGENT for c in control.calls[start:])
    failed = sum(not d.ok for d in rig.emulator.pubsub.deliveries() if d.message_id == message)
    if fault == "crash" and not failed:
        problems.append("no delivery died with the function")
    if fault == "transient" and not failed and made <= step.occurrence:
        problems.append("the error was neither retried by the client nor surfaced")
    problems += completion(world, scenario, secret, repository, message)
    if operator.copy is not None:
        problems += completion(world, scenario, secret, operator.copy, message)
        if operator.copy not in world.annotations(secret)["token-rotator.repositories"]:
            problems.append("the operator's edit was overwritten")
    MATRIX.checks += watch.checks
    if problems:
        return False, "; ".join(problems[:3])
    result = outcome(failed, rig.function.entries(mark))
    if operator.copy is not None:
        read_again = any(
            e.get("event") == "configuration_changed" for e in rig.function.entries(mark)
        )
        result = ("read the edit again and carried on" if read_again else "saw the edit") + (
            f", redelivered {failed}x" if failed else ""
        )
    return True, result


class OperatorEdit:
    """Runs `act` just before the function's `occurrence`-th call of the step's method; keeps the
    repository it made."""

    def __init__(self, step: Step, act: Callable[[], str]) -> None:
        self.step = step
        self.act = act
        self.seen = 0
        self.copy: str | None = None

    def __call__(self, call: Call) -> None:
        if call.caller != USER_AGENT or call.method != self.step.method:
            return
        self.seen += 1
        if self.seen == self.step.occurrence:
            self.copy = self.act()


def outcome(failed_deliveries: int, entries: list[dict]) -> str:
    """What recovery took, from the deliveries and the events the function logged."""
    result = f"redelivered {failed_deliveries}x" if failed_deliveries else "retried by the client"
    adopted = [e["version"] for e in entries if e.get("event") == "version_adopted"]
    if adopted:
        result += f", adopted v{adopted[0]}"
    if any(e.get("event") == "unstored_token_revoked" for e in entries):
        result += ", revoked the unstored token"
    return result


def completion(world: World, scenario: Scenario, secret: str, repository: str, message: str):
    expected = {
        "aliases": scenario.aliases,
        "repository": f"{secret}/versions/{scenario.new_version}",
        "versions": scenario.versions,
        "phase": "done",
        "completed_rotation": message,
    }
    state = world.state(secret)
    found = {
        "aliases": world.aliases(secret),
        "repository": world.points_at(repository),
        "versions": world.versions(secret),
        "phase": state.get("phase"),
        "completed_rotation": state.get("completed_rotation"),
    }
    return [
        f"{key} is {found[key]}, not {expected[key]}"
        for key in expected
        if found[key] != expected[key]
    ]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name.replace(" ", "-"))
def test_every_call_survives_the_fault(emulator, rig, scenario, fault):
    failures = []
    for position, step in enumerate(recording(rig, scenario), 1):
        ok, result = run_case(rig, scenario, step, fault)
        MATRIX.record(scenario.name, position, step.label, fault=fault, ok=ok, result=result)
        if not ok:
            failures.append(f"#{position} {step.label}: {result}")
    assert failures == []
