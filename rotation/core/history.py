"""The bounded history of a secret's last rotations, kept in its state annotation: who asked
(the trigger), when, the version made, the repositories moved and how it ended.

Never a token: a failure's reason is the error's message, which never carries one (see errors).
Secret Manager limits a secret's annotations to less than 16 KiB in all, so each entry's encoding
is bounded (ENTRY_BYTES: the names of the repositories moved that do not fit are left out, their
count kept) and at most MAX_ENTRIES are kept, the oldest dropped first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

MAX_ENTRIES = 10
ENTRY_BYTES = 500  # one entry's JSON at most, so the whole history stays under HISTORY_BYTES
HISTORY_BYTES = MAX_ENTRIES * (ENTRY_BYTES + 1) + 2
ID_CHARS = 100  # a Pub/Sub message id is about 16 digits; a command's id `cli-` and 12 hex
REASON_CHARS = 200
REASON_BYTES = 240  # encoded: a reason of characters JSON escapes is cut shorter
_REPOSITORY = "projects/{}/locations/{}/repositories/{}"


class Trigger(StrEnum):
    SCHEDULED = "scheduled"  # Secret Manager's rotation schedule (or an unforced republish)
    FORCED = "forced"  # a SECRET_ROTATE with force=true: `republish --force`
    COMMAND = "command"  # `ar-token-rotator rotate` on an operator's machine

    @classmethod
    def of(cls, forced: bool) -> Trigger:
        """An event's own trigger."""
        return cls.FORCED if forced else cls.SCHEDULED


class Ended(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"  # stopped by its checks before a token was minted
    ABANDONED = "abandoned"  # the new token was refused, its version disabled


@dataclass(frozen=True)
class HistoryEntry:
    rotation: str  # the rotation's id: the Pub/Sub message id (or the command's `cli-...`)
    trigger: Trigger
    started_at: datetime | None
    finished_at: datetime
    outcome: Ended
    version: int | None = None  # the version the rotation added
    repositories: tuple[str, ...] = ()  # those moved to it (the names that fit)
    repoints: int = 0  # how many repositories moved: more than `repositories` if names were cut
    reason: str | None = None  # why it failed or was abandoned

    def encode(self) -> dict[str, Any]:
        """Short keys, times in whole seconds, repositories as PROJECT/LOCATION/REPOSITORY."""
        data: dict[str, Any] = {
            "id": self.rotation,
            "by": self.trigger.value,
            "end": _seconds(self.finished_at),
            "out": self.outcome.value,
        }
        if self.started_at is not None:
            data["start"] = _seconds(self.started_at)
        if self.version is not None:
            data["v"] = self.version
        if self.repositories:
            data["repos"] = [_short(name) for name in self.repositories]
        if self.repoints != len(self.repositories):
            data["n"] = self.repoints
        if self.reason:
            data["why"] = self.reason
        return data

    @classmethod
    def decode(cls, data: dict[str, Any]) -> HistoryEntry:
        """The entry `encode` wrote; ValueError, TypeError or KeyError for anything else."""
        repositories = tuple(_long(str(name)) for name in data.get("repos", []))
        start = data.get("start")
        version = data.get("v")
        reason = data.get("why")
        return cls(
            rotation=str(data["id"]),
            trigger=Trigger(data["by"]),
            started_at=_time(start) if start is not None else None,
            finished_at=_time(data["end"]),
            outcome=Ended(data["out"]),
            version=int(version) if version is not None else None,
            repositories=repositories,
            repoints=int(data.get("n", len(repositories))),
            reason=str(reason) if reason is not None else None,
        )

    def as_json(self) -> dict[str, Any]:
        """For people's scripts (`history --json`, `status --json`): full names, RFC 3339."""
        return {
            "rotation": self.rotation,
            "trigger": self.trigger.value,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat(),
            "outcome": self.outcome.value,
            "version": self.version,
            "repositories": list(self.repositories),
            "repoints": self.repoints,
            "reason": self.reason,
        }


def new_entry(
    rotation: str,
    trigger: Trigger,
    started_at: datetime | None,
    finished_at: datetime,
    outcome: Ended,
    *,
    version: int | None = None,
    repositories: tuple[str, ...] = (),
    reason: str | None = None,
) -> HistoryEntry:
    """A new entry, cut to fit ENTRY_BYTES, its times in whole seconds (as it is kept)."""
    made = HistoryEntry(
        rotation[:ID_CHARS],
        trigger,
        started_at.replace(microsecond=0) if started_at else None,
        finished_at.replace(microsecond=0),
        outcome,
        version,
        repositories,
        len(repositories),
        reason[:REASON_CHARS] if reason else None,
    )
    return fitted(made)


def fitted(made: HistoryEntry) -> HistoryEntry:
    """The entry with its reason cut to REASON_BYTES encoded, then the last repository names left
    out, then the reason cut further, until it fits ENTRY_BYTES."""
    while made.reason and len(json.dumps(made.reason)) > REASON_BYTES:
        made = replace(made, reason=made.reason[:-8] or None)
    while size(made) > ENTRY_BYTES and made.repositories:
        made = replace(made, repositories=made.repositories[:-1])
    while size(made) > ENTRY_BYTES and made.reason:
        made = replace(made, reason=made.reason[: len(made.reason) // 2] or None)
    return made


def size(made: HistoryEntry) -> int:
    return len(encoded([made]).encode()) - 2


def encoded(entries: tuple[HistoryEntry, ...] | list[HistoryEntry]) -> str:
    """The history as the state annotation holds it."""
    return json.dumps([e.encode() for e in entries], separators=(",", ":"), sort_keys=True)


def appended(history: tuple[HistoryEntry, ...], new: HistoryEntry) -> tuple[HistoryEntry, ...]:
    """`history` with `new` last, the oldest dropped beyond MAX_ENTRIES; unchanged when an entry
    of the same rotation is there already (a redelivery that finishes again)."""
    if any(e.rotation == new.rotation for e in history):
        return history
    return (*history, fitted(new))[-MAX_ENTRIES:]


def _seconds(when: datetime) -> int:
    return int(when.timestamp())


def _time(seconds: object) -> datetime:
    if not isinstance(seconds, int):
        raise TypeError(f"history time {seconds!r} is not whole seconds")
    return datetime.fromtimestamp(seconds, UTC)


def _short(name: str) -> str:
    parts = name.split("/")
    if len(parts) == 6 and parts[0::2] == ["projects", "locations", "repositories"]:
        return "/".join(parts[1::2])
    return name


def _long(name: str) -> str:
    parts = name.split("/")
    return _REPOSITORY.format(*parts) if len(parts) == 3 else name
