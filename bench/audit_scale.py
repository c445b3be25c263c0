"""Fleet scale: `audit` (and `status`, which reads the same way) over a project of 200 managed
secrets against one, with 50 ms injected on every emulator call. Secrets are read in parallel,
and the project's listing, its number, each location's repositories and the topic's existence
are paid once per run, so the wall time should stay within 3 times one secret's, at most 4 Google
calls per secret. The audits run in their own process (bench.audit_probe), the fastest of RUNS
counting.

Standalone: `python -m bench.audit_scale` measures this alone and updates bench/results.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.calls import verdict
from bench.stack import BENCH_USER_AGENT, Stack, stack
from emulator import Call
from tests.support import PROJECT, World, repository_name

INJECTED_SECONDS = 0.05
FLEET = 200
TARGET_RATIO = 3.0
TARGET_CALLS_PER_SECRET = 4
ROOT = Path(__file__).resolve().parents[1]
PROBES = ("audit", "status")
RUNS = 5  # the fastest of these runs counts: the machine's other work only ever adds time


def fleet(world: World, count: int) -> list[str]:
    """`count` managed secrets, each feeding its own repository, as the rotated-secret module
    leaves them (not rotated yet)."""
    return [
        world.rotated_secret(f"fleet-{n}", repositories=repository_name(f"fleet-{n}"))
        for n in range(count)
    ]


def probe_runs(stack: Stack, runs: int, what: str) -> tuple[list[dict[str, object]], Counter[str]]:
    """`runs` audits (or `status --project` commands) of the project in their own process
    (bench.audit_probe), 50 ms on every emulator call; each run's wall time, and the calls of
    one run."""
    calls: list[Call] = []
    stack.emulator.control.observers.append(calls.append)
    stack.emulator.control.latency_all_seconds = INJECTED_SECONDS
    try:
        probe = subprocess.run(
            [sys.executable, "-m", "bench.audit_probe", PROJECT, str(runs), what],
            cwd=ROOT,
            env={**os.environ, "AR_TOKEN_ROTATOR_USER_AGENT": BENCH_USER_AGENT},
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    finally:
        stack.emulator.control.latency_all_seconds = 0.0
        stack.emulator.control.observers.clear()
    ours = Counter(c.method for c in calls if c.caller == BENCH_USER_AGENT)
    return json.loads(probe.stdout), Counter({m: n // runs for m, n in ours.items()})


def measure(stack: Stack) -> dict[str, object]:
    print(
        f"Audit and status at fleet scale ({INJECTED_SECONDS * 1000:.0f} ms injected on every "
        "emulator call; secrets read in parallel)"
    )
    measured: dict[tuple[str, int], tuple[float, Counter[str]]] = {}
    for count in (1, FLEET):
        stack.emulator.reset()  # no function behind the topic: nothing rotates meanwhile
        world = World(stack.emulator)
        fleet(world, count)
        for what in PROBES:
            runs, calls = probe_runs(stack, RUNS, what)
            for run in runs:
                assert run["secrets"] == count and not run["errors"], run["errors"]
                assert not run["findings"], run["findings"]
            wall = min(float(run["wall"]) for run in runs)
            measured[what, count] = (wall, calls)
            total = sum(calls.values())
            print(
                f"  {what:<6} {count:>3} managed secret(s): {wall * 1000:.0f} ms wall, {total} "
                f"Google calls ({total / count:.2f} per secret): {dict(sorted(calls.items()))}"
            )
    results: dict[str, object] = {}
    for what in PROBES:
        (one_wall, _), (fleet_wall, fleet_calls) = measured[what, 1], measured[what, FLEET]
        ratio = fleet_wall / one_wall
        per_secret = sum(fleet_calls.values()) / FLEET
        print(
            f"  {what}: {FLEET} secrets take {ratio:.2f} times as long as 1, target at most "
            f"{TARGET_RATIO:g}: {verdict(ratio <= TARGET_RATIO)}; {per_secret:.2f} Google calls "
            f"per secret, target at most {TARGET_CALLS_PER_SECRET}: "
            f"{verdict(per_secret <= TARGET_CALLS_PER_SECRET)}"
        )
        results |= {
            f"{what}_one_secret_ms": round(one_wall * 1000),
            f"{what}_fleet_secrets": FLEET,
            f"{what}_fleet_ms": round(fleet_wall * 1000),
            f"{what}_fleet_ratio": round(ratio, 3),
            f"{what}_calls_per_secret": round(per_secret, 3),
            f"{what}_calls_by_method_fleet": dict(sorted(fleet_calls.items())),
        }
    return results


def main() -> None:
    from bench.__main__ import RESULTS

    with stack() as running:
        found = measure(running)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(found)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
