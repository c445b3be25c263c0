"""The one start/stop of the emulator's servers that run as child processes (the Functions
Framework, pypiserver): a free port, the child's output in a log file, a wait until it serves
(failing with the log's tail if it exits first), and a stop that kills what does not end."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_STOP_SECONDS = 10
_POLL_SECONDS = 0.05


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChildServer:
    """A server in a child process on `port`; subclasses say when it serves (`ready`)."""

    name = "server"

    def __init__(
        self,
        command: Sequence[str],
        log_path: Path,
        port: int,
        env: Mapping[str, str] | None = None,
        start_seconds: float = 30,
    ) -> None:
        self.port = port
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=dict(env) if env is not None else None,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_ready(start_seconds)
        except BaseException:
            self.stop()
            raise

    def ready(self) -> bool:
        """Whether the child serves yet; by default, whether its port takes a connection."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """Ask the child to stop; kill it if it has not within ten seconds."""
        self.process.terminate()
        try:
            self.process.wait(timeout=_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} exited before serving: {tail}")
            if self.ready():
                return
            time.sleep(_POLL_SECONDS)
        raise RuntimeError(f"{self.name} did not start serving within {timeout:g}s")
