"""`python -m bench.audit_probe PROJECT RUNS`: audit the project RUNS times in this process, as
the command line does (new adapters each run, so nothing is known from the last), and print
each run's wall seconds, secrets and findings as JSON. Its own process, so its work and the
emulator's do not share one interpreter lock, as a caller's and Google's share nothing."""

from __future__ import annotations

import json
import sys
import time

from rotation.core.audit import audit
from rotation.core.settings import Settings
from rotation.function.clock import clock_from
from rotation.function.wiring import build_services
from rotation.gcp.pubsub import TopicDirectory


def main(project: str, runs: int) -> None:
    settings = Settings()
    measured = []
    for _ in range(runs):
        services = build_services(settings)
        started = time.perf_counter()
        run = audit([project], services, settings, TopicDirectory(), clock_from({}))
        wall = time.perf_counter() - started
        errors = [str(checked.error) for checked in run.errors]
        found = [finding.detail for finding in run.findings]
        measured.append(
            {
                "wall": wall,
                "secrets": len(run.secrets),
                "errors": errors,
                "findings": found,
            }
        )
    print(json.dumps(measured))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
