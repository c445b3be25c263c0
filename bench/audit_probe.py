"""`python -m bench.audit_probe PROJECT RUNS [audit|status]`: audit the project RUNS times in this
process, or run `ar-token-rotator status --project PROJECT --json` as many times, with new
adapters each run (so nothing is known from the last), and print each run's wall seconds, secrets
and findings as JSON. Its own process, so its work and the emulator's do not share one interpreter
lock, as a caller's and Google's share nothing."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time

from rotation.cli import commands as cli
from rotation.core.audit import audit
from rotation.core.settings import Settings
from rotation.function import wiring
from rotation.function.clock import clock_from
from rotation.function.wiring import build_services
from rotation.gcp.pubsub import TopicDirectory


def audit_run(project: str) -> dict[str, object]:
    settings = Settings()
    services = build_services(settings)
    started = time.perf_counter()
    run = audit([project], services, settings, TopicDirectory(), clock_from({}))
    wall = time.perf_counter() - started
    return {
        "wall": wall,
        "secrets": len(run.secrets),
        "errors": [str(checked.error) for checked in run.errors],
        "findings": [finding.detail for finding in run.findings],
    }


def status_run(project: str) -> dict[str, object]:
    """The command as a person runs it; its JSON read back for the secrets and what needs
    attention."""
    wiring.services.cache_clear()
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = cli.main(["status", "--project", project, "--json"])
    wall = time.perf_counter() - started
    statuses = json.loads(out.getvalue())
    return {
        "wall": wall,
        "secrets": len(statuses),
        "errors": [s["error"] for s in statuses if "error" in s] + ([code] if code else []),
        "findings": [a for s in statuses for a in s.get("attention", [])],
    }


def main(project: str, runs: int, what: str) -> None:
    run = {"audit": audit_run, "status": status_run}[what]
    print(json.dumps([run(project) for _ in range(runs)]))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "audit")
