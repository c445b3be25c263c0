"""Run every measurement, print the figures, write bench/results.json."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from bench import audit_scale, burst, calls, cold_start, latency
from bench.stack import stack

RESULTS = Path(__file__).resolve().parent / "results.json"


def main() -> None:
    results: dict[str, object] = {
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
    }
    results.update(cold_start.measure())
    print()
    with stack() as running:
        results.update(calls.measure(running))
        print()
        results.update(latency.measure(running))
        print()
        results.update(burst.measure(running))
        print()
        results.update(audit_scale.measure(running))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"\nwrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}"
    )


if __name__ == "__main__":
    main()
