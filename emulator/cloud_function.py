"""The function as Cloud Functions runs it: the real Functions Framework, over HTTP, in its own
process, with its structured log lines collected in a file."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator.child_server import ChildServer, free_port
from emulator.processes import child_processes


def _without_test_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The function runs as deployed: a test's user agent override does not reach it."""
    return {k: v for k, v in environ.items() if k != "AR_TOKEN_ROTATOR_USER_AGENT"}


class LocalFunction(ChildServer):
    """The Functions Framework serving `main.on_secret_event`; `threads` sets its THREADS (requests
    one instance handles at once; the Functions Framework's default is four per CPU)."""

    name = "functions-framework"

    def __init__(self, env: dict[str, str], log_path: Path, threads: int | None = None) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/"
        functions_framework = Path(sys.executable).parent / "functions-framework"
        command = [
            str(functions_framework),
            "--target",
            "on_secret_event",
            "--source",
            "main.py",
            "--signature-type",
            "cloudevent",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        threading = {"THREADS": str(threads)} if threads else {}
        environment = {
            **_without_test_settings(os.environ),
            **env,
            **threading,
            "PYTHONUNBUFFERED": "1",
        }
        super().__init__(command, log_path, port, environment)

    def ready(self) -> bool:
        # gunicorn's master listens before it forks the worker that serves (and crash() kills)
        return super().ready() and bool(child_processes(self.process.pid))

    def mark(self) -> int:
        """A position in the log; `entries(since=mark)` returns only what came after it."""
        return self.log_path.stat().st_size

    def text(self, since: int = 0) -> str:
        with self.log_path.open("rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        """The function's structured log lines (other output, e.g. tracebacks, is skipped)."""
        found = []
        for line in self.text(since).splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found

    def crash(self) -> None:
        """Kill the worker that serves requests, as an instance dying mid-request: what it was
        doing is lost and its connections drop. The Functions Framework's gunicorn master forks a
        fresh worker, which starts with empty caches, and keeps the port open meanwhile."""
        for pid in child_processes(self.process.pid):
            os.kill(pid, signal.SIGKILL)
