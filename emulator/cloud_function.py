"""The function as Cloud Functions runs it: the real Functions Framework, over HTTP, in its own
process, with its structured log lines collected in a file."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _without_test_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The function runs as deployed: a test's user agent override does not reach it."""
    return {k: v for k, v in environ.items() if k != "AR_TOKEN_ROTATOR_USER_AGENT"}


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Ask a child process to stop; kill it if it has not within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_processes(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid` (Linux: read from /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


class LocalFunction:
    """The Functions Framework serving `main.on_secret_event`; `threads` sets its THREADS (requests
    one instance handles at once; the Functions Framework's default is four per CPU)."""

    def __init__(self, env: dict[str, str], log_path: Path, threads: int | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = self._start({**env, **({"THREADS": str(threads)} if threads else {})})
        self._wait_until_listening()

    def _start(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        functions_framework = Path(sys.executable).parent / "functions-framework"
        return subprocess.Popen(
            [
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
                str(self.port),
            ],
            cwd=ROOT,
            env={**_without_test_settings(os.environ), **env, "PYTHONUNBUFFERED": "1"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def _wait_until_listening(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"functions-framework exited: {self.log_path.read_text()[-2000:]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
            except OSError:
                time.sleep(0.05)
                continue
            # gunicorn's master listens before it forks the worker that serves (and crash() kills)
            if child_processes(self.process.pid):
                return
            time.sleep(0.05)
        raise RuntimeError("functions-framework did not start listening")

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

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()
