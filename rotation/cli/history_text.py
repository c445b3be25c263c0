"""A secret's rotation history for people: one row per rotation, newest last, and why any failed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rotation.cli.text import approximate, moment, table
from rotation.core.history import HistoryEntry

HEADERS = ["ROTATION", "TRIGGER", "OUTCOME", "FINISHED", "TOOK", "VERSION", "REPOSITORIES MOVED"]


def history_lines(entries: Sequence[HistoryEntry], now: datetime) -> list[str]:
    """The entries as a table; below it, the reason of each that failed."""
    if not entries:
        return ["(no rotation has ended since the history was kept)"]
    rows = [
        [
            entry.rotation,
            entry.trigger.value,
            entry.outcome.value,
            moment(entry.finished_at, now),
            approximate(entry.finished_at - entry.started_at) if entry.started_at else "unknown",
            str(entry.version) if entry.version is not None else "-",
            _moved(entry),
        ]
        for entry in entries
    ]
    reasons = [f"  {e.rotation} {e.outcome.value}: {e.reason}" for e in entries if e.reason]
    return table(HEADERS, rows) + reasons


def _moved(entry: HistoryEntry) -> str:
    if not entry.repoints:
        return "none"
    names = ", ".join(entry.repositories)
    left_out = entry.repoints - len(entry.repositories)
    if left_out:
        names += f"{', ' if names else ''}and {left_out} more (names not kept)"
    return names
