"""Burst: 100 secrets fall due at the same moment. Wall time until every rotation is done (and
every notification handled) with the function's concurrency (the Functions Framework's threads)
against one request at a time, as a ratio. Measured with a small latency on every emulator call,
a stand-in for a Google API round trip, and without any."""

from __future__ import annotations

import time

from bench.stack import Stack
from tests.support import repository_name

SECRETS = 100
CONCURRENT_THREADS = 8  # the Functions Framework's default on this machine: four per CPU
ROUND_TRIP_SECONDS = 0.02


def burst_seconds(stack: Stack, threads: int, latency: float) -> float:
    function = stack.function(threads=threads)
    world = stack.world(function)
    secrets = [
        world.rotated_secret(f"burst-{n:03d}", repositories=repository_name(f"burst-{n:03d}"))
        for n in range(SECRETS)
    ]
    world.settle()
    mark = function.mark()
    stack.emulator.control.latency_all_seconds = latency
    started = time.monotonic()
    world.fire_schedule()
    world.settle(timeout=600)
    elapsed = time.monotonic() - started
    stack.emulator.control.latency_all_seconds = 0.0
    done = {e["secret"] for e in function.entries(mark) if e.get("event") == "rotation_completed"}
    if done != set(secrets):
        raise RuntimeError(f"burst: {len(set(secrets) - done)} rotations did not complete")
    function.stop()
    stack.functions.remove(function)
    return elapsed


def measure(stack: Stack) -> dict[str, object]:
    print(f"Burst ({SECRETS} secrets due at once; wall time until all are rotated)")
    results: dict[str, object] = {}
    for key, latency in (("", ROUND_TRIP_SECONDS), ("_no_latency", 0.0)):
        sequential = burst_seconds(stack, 1, latency)
        concurrent = burst_seconds(stack, CONCURRENT_THREADS, latency)
        speedup = sequential / concurrent
        print(
            f"  {latency * 1000:.0f} ms per emulator call: one at a time {sequential:.1f} s, "
            f"{CONCURRENT_THREADS} threads {concurrent:.1f} s: speedup {speedup:.2f}"
        )
        results[f"burst_speedup{key}"] = round(speedup, 3)
        results[f"burst_sequential_seconds{key}"] = round(sequential, 2)
        results[f"burst_concurrent_seconds{key}"] = round(concurrent, 2)
    return results
