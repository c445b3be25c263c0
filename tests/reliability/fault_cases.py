"""One case of the fault matrix (test_fault_matrix.py): record a scenario's clean run once, then
run it again with one fault at one call, watch the invariants before every call, and say whether
and how the rotation completed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import grpc

from emulator import Call
from emulator.upstream_proxy import UpstreamRequest
from rotation.gcp.clients import USER_AGENT
from tests.reliability.fault_scenarios import SETTLE_SECONDS, Scenario, Step
from tests.reliability.invariants import InvariantWatch
from tests.reliability.matrix import MATRIX
from tests.reliability.rig import Rig
from tests.support import World

RECORDINGS: dict[str, list[Step]] = {}
_ID = r"/(\d+|[0-9a-f]{8}-[0-9a-f-]{27})$"  # a token's id in a revocation's path


def recording(rig: Rig, scenario: Scenario) -> list[Step]:
    """The function's calls in a clean run of the scenario, in order, each with its occurrence."""
    if scenario.name not in RECORDINGS:
        world = rig.fresh_world()
        secret, repository = scenario.prepare(rig, world)
        world.settle(SETTLE_SECONDS)
        control = rig.emulator.control
        steps: list[Step] = []
        seen: Counter[str] = Counter()

        def note(call: Call) -> None:
            if call.caller != USER_AGENT:
                return
            seen[call.method] += 1
            label = call.method
            if isinstance(call.request, UpstreamRequest):
                label += " " + re.sub(_ID, "/{id}", call.request.path.split("?")[0])
            steps.append(Step(call.method, seen[call.method], label))

        control.observers.append(note)
        try:
            scenario.trigger(world, secret)
            world.settle(SETTLE_SECONDS)
        finally:
            control.observers.remove(note)
        assert world.points_at(repository) == f"{secret}/versions/{scenario.new_version}"
        RECORDINGS[scenario.name] = steps
    return RECORDINGS[scenario.name]


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
