"""Run every measurement, print the figures, write bench/results.json.

`python -m bench invocations calls` runs only the named measurements on the shared stack and
updates their figures in bench/results.json, keeping the others."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

from bench import audit_scale, burst, calls, cold_start, invocations, latency
from bench.stack import Stack, stack

RESULTS = Path(__file__).resolve().parent / "results.json"
ON_STACK: dict[str, Callable[[Stack], dict[str, object]]] = {
    "calls": calls.measure,
    "invocations": invocations.measure,
    "latency": latency.measure,
    "burst": burst.measure,
    "audit_scale": audit_scale.measure,
}


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(ON_STACK) - {"cold_start"})
    if unknown:
        raise SystemExit(
            f"unknown measurement(s) {', '.join(unknown)}: choose among cold_start, "
            f"{', '.join(ON_STACK)} (or none for all)"
        )
    chosen = names or ["cold_start", *ON_STACK]
    results: dict[str, object] = json.loads(RESULTS.read_text()) if names else {}
    results["machine"] = f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    if "cold_start" in chosen:
        results.update(cold_start.measure())
        print()
    with stack() as running:
        for name in chosen:
            if name in ON_STACK:
                results.update(ON_STACK[name](running))
                print()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"wrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
