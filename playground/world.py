"""The processes and servers of the playground, started in order and stopped in reverse: the
emulator, the private index with its token authority, and the function under the Functions
Framework."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emulator import Emulator
from emulator.cloud_function import LocalFunction
from emulator.token_authority import TokenAuthority
from emulator.upstream import PypiServer
from playground.config import PlaygroundConfig
from playground.errors import PlaygroundError
from playground.shutdown import descendants, stop_left_behind


@dataclass(frozen=True)
class Ports:
    grpc: int
    http: int


def check_free(ports: Ports) -> None:
    """Refuse a port something already listens on. (gRPC binds with SO_REUSEPORT, so a second
    playground would otherwise share the first one's port, each answering half the calls.)"""
    for option, port in (("--grpc-port", ports.grpc), ("--http-port", ports.http)):
        if port == 0:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                raise PlaygroundError(
                    f"port {port} ({option}) is in use: another playground or emulator?",
                    f"stop it, or give {option} with a free port (0 picks one)",
                ) from None


class World:
    """Everything the playground runs; `stop()` (or leaving the `with`) ends all of it."""

    def __init__(
        self,
        config: PlaygroundConfig,
        ports: Ports,
        log_dir: Path,
        checkpoint: Callable[[], None] = lambda: None,
    ) -> None:
        """`checkpoint` is called after each step of starting (and may raise to stop there)."""
        self.config, self.ports, self.log_dir = config, ports, log_dir
        self._checkpoint = checkpoint
        self._stack = contextlib.ExitStack()
        self.emulator: Emulator | None = None
        self.authority: TokenAuthority | None = None
        self.function: LocalFunction | None = None

    def start(self) -> World:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        check_free(self.ports)
        emulator = Emulator(
            projects=self.config.projects, grpc_port=self.ports.grpc, http_port=self.ports.http
        )
        self._stack.callback(emulator.stop)
        emulator.start()
        self.emulator = emulator
        self._checkpoint()
        workdir = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="playground-")))
        index = PypiServer(workdir / "index", authenticated_reads=True)
        self._stack.callback(index.stop)
        for package in self.config.packages:
            index.publish(package.name, package.version)
        self._checkpoint()
        # GitLab's and Artifactory's expiry dates follow the emulator's clock too.
        self.authority = TokenAuthority(index, clock=emulator.clock).start()
        self._stack.callback(self.authority.stop)
        for path in sorted(self.config.gitlab_projects()):
            self.authority.gitlab_project(path)
        self._checkpoint()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / "function.log"
        log.unlink(missing_ok=True)
        # The function calls anonymously, which the emulator takes for its administrator; a
        # credential file of the caller's shell must not send it to Google for a token. With
        # EMULATOR_HTTP it reads the emulator's clock: one clock for everyone.
        env = {**emulator.env(control=True), "GOOGLE_APPLICATION_CREDENTIALS": ""}
        self.function = LocalFunction(env, log)
        self._stack.callback(self.function.stop)
        self._checkpoint()

    def push_topics_to_function(self) -> None:
        assert self.emulator is not None and self.function is not None
        for topic in self.config.topics:
            self.emulator.pubsub.push_to_function(topic, self.function.url)

    def stop(self) -> None:
        """Stop everything in reverse order; then make sure no process it started is left."""
        started = descendants(os.getpid())
        try:
            self._stack.close()
        finally:
            stop_left_behind(started)

    def __enter__(self) -> World:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
