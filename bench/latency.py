"""Latency: 50 ms injected on every emulator call; one rotation's wall time against the sum of the
latency injected into its calls. Below 1, calls overlapped (repositories are repointed in
parallel); above 1, the rest is the function's own work and the push."""

from __future__ import annotations

from datetime import datetime

from bench.calls import Build, one_repository, three_repositories, warm_up
from bench.stack import Stack
from emulator import Call
from rotation.gcp.clients import USER_AGENT

INJECTED_SECONDS = 0.05


def rotation_seconds(stack: Stack, build: Build) -> tuple[float, int]:
    function = stack.function() if not stack.functions else stack.functions[0]
    world = stack.world(function)
    warm_up(world)
    secret = build(world)
    world.settle()
    calls: list[Call] = []
    stack.emulator.control.observers.append(calls.append)
    stack.emulator.control.latency_all_seconds = INJECTED_SECONDS
    mark = function.mark()
    fired = datetime.now().astimezone()
    world.fire_schedule()
    world.settle()
    stack.emulator.control.latency_all_seconds = 0.0
    stack.emulator.control.observers.clear()
    done = next(
        e
        for e in function.entries(mark)
        if e.get("event") == "rotation_completed" and e.get("secret") == secret
    )
    wall = (datetime.fromisoformat(done["time"]) - fired).total_seconds()
    return wall, sum(c.caller == USER_AGENT for c in calls)


def measure(stack: Stack) -> dict[str, object]:
    print(
        f"Latency ({INJECTED_SECONDS * 1000:.0f} ms injected on every emulator call; warm instance)"
    )
    results: dict[str, object] = {}
    for key, label, build in (
        ("one_repo", "one repository", one_repository),
        ("three_repos", "three repositories, two projects", three_repositories),
    ):
        wall, calls = rotation_seconds(stack, build)
        injected = calls * INJECTED_SECONDS
        print(
            f"  {label}: {wall * 1000:.0f} ms wall for {calls} calls = {injected * 1000:.0f} ms injected: ratio {wall / injected:.2f}"
        )
        results[f"latency_{key}_wall_ms"] = round(wall * 1000)
        results[f"latency_{key}_injected_ms"] = round(injected * 1000)
        results[f"latency_{key}_ratio"] = round(wall / injected, 3)
    return results
