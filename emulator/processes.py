"""The processes of this machine as Linux lists them in /proc: who started whom, in which group,
whether it still runs. For the servers the emulator starts as children, and for stopping them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Process:
    pid: int
    parent: int
    group: int
    running: bool  # not a zombie waiting to be reaped
    started: int  # clock ticks after boot: tells a process from a later one with its pid


def read_process(pid: int) -> Process | None:
    """The process `pid`, or None if there is none (it may have ended while we looked)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return Process(pid, int(fields[1]), int(fields[2]), fields[0] != "Z", int(fields[19]))
    except (OSError, ValueError, IndexError):
        return None


def processes() -> dict[int, Process]:
    """Every process, by its id."""
    found = (read_process(int(stat.parent.name)) for stat in Path("/proc").glob("[0-9]*/stat"))
    return {process.pid: process for process in found if process is not None}


def child_processes(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid`."""
    return [process.pid for process in processes().values() if process.parent == pid]
