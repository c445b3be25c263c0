"""SIGINT and SIGTERM, and leaving no process behind.

While the playground starts, a signal is only noted: starting goes on to the next checkpoint
(a step's end), so that what was started is always known and stopped. Once it serves, a signal
raises Stopped at once."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from types import FrameType

from emulator.processes import Process, processes


class Stopped(BaseException):
    """SIGINT or SIGTERM: unwind, stopping everything on the way out."""


class Shutdown:
    def __init__(self) -> None:
        self.requested: str | None = None
        self._serving = False

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # A second Ctrl-C must not cut the shutdown short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        self.requested = signal.Signals(signum).name
        if self._serving:
            raise Stopped(self.requested)

    def checkpoint(self) -> None:
        """Raise Stopped if a signal came while starting."""
        if self.requested:
            raise Stopped(self.requested)

    def serve(self) -> None:
        """Wait for SIGINT or SIGTERM (which raises Stopped)."""
        self._serving = True
        self.checkpoint()
        while True:
            signal.pause()


def descendants(pid: int) -> set[Process]:
    """The processes below `pid`: its children, theirs, and so on."""
    every = processes()
    found: set[Process] = set()
    parents = {pid}
    while parents:
        below = {p for p in every.values() if p.parent in parents and p not in found}
        found |= below
        parents = {p.pid for p in below}
    return found


def stop_left_behind(started: set[Process], timeout: float = 10) -> None:
    """A backstop after every owner has stopped what it started: terminate, then kill, any of
    `started` still running (a child whose start was cut short before its owner knew of it, a
    Functions Framework worker its killed master left behind), and reap our own children."""

    def running() -> list[int]:
        now = processes()
        # The same process (its pid and start), still running, whoever its parent is now.
        return [
            p.pid
            for p in started
            if p.pid in now and now[p.pid].started == p.started and now[p.pid].running
        ]

    left = running()
    for pid in left:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = running()
    for pid in left:
        _signal(pid, signal.SIGKILL)
    ours = {p.pid for p in started}
    for child in descendants(os.getpid()):
        if child.parent == os.getpid() and child.pid in ours:
            with contextlib.suppress(ChildProcessError):  # reaped already, by its Popen
                os.waitpid(child.pid, 0)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
