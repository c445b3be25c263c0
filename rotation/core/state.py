"""The rotation's own state, kept in one annotation of the secret and written with its etag.

The version aliases `pending`, `current` and `previous` say which version plays which part; this
record says which rotation owns the secret right now, how far it got and what is needed to retire
each version's token later (a token id, never the token).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

from rotation.core.annotation_values import STATE_KEY
from rotation.core.errors import ConfigError
from rotation.core.history import Ended, HistoryEntry, Trigger, appended, new_entry

PENDING = "pending"
CURRENT = "current"
PREVIOUS = "previous"


class Phase(StrEnum):
    IDLE = "idle"  # never rotated by this tool
    CREATING = "creating"  # claimed; the new version may not exist yet
    PENDING = "pending"  # the new version exists as `pending`; access, test and repoint remain
    DONE = "done"  # `current` is the new version; `pending` is cleared
    FAILED = "failed"  # the last rotation was abandoned; `pending` is cleared


@dataclass(frozen=True)
class RotationState:
    phase: Phase = Phase.IDLE
    rotation: str | None = None
    forced: bool = False
    requested_at: datetime | None = None
    started_at: datetime | None = None
    baseline: int | None = None
    holder: str | None = None
    lease_until: datetime | None = None
    completed_at: datetime | None = None
    completed_rotation: str | None = None
    error: str | None = None
    failed_step: str | None = None  # where the last attempt stopped with `error`
    retryable: bool = False  # whether that error is transient (the platform redelivers)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    # Repository -> why it stayed on its version when the last attempt could not move it.
    stayed: dict[str, str] = field(default_factory=dict)
    trigger: Trigger | None = None  # who asked for the rotation; None in states written before
    history: tuple[HistoryEntry, ...] = ()  # the last rotations that ended, newest last

    @property
    def unfinished(self) -> bool:
        return self.phase in (Phase.CREATING, Phase.PENDING)

    def lease_held_by_other(self, attempt: str, now: datetime) -> bool:
        return (
            self.holder is not None
            and self.holder != attempt
            and self.lease_until is not None
            and self.lease_until > now
        )

    @property
    def asked_by(self) -> Trigger:
        """The rotation's trigger; for a state written before triggers were kept, from `forced`."""
        if self.trigger is not None:
            return self.trigger
        return Trigger.of(self.forced)

    def evolve(self, **changes: Any) -> RotationState:
        return replace(self, **changes)

    def ended(
        self,
        outcome: Ended,
        now: datetime,
        *,
        version: int | None = None,
        repositories: tuple[str, ...] = (),
        reason: str | None = None,
    ) -> RotationState:
        """This state with the rotation's history entry appended (once per rotation id)."""
        made = new_entry(
            self.rotation or "",
            self.asked_by,
            self.started_at,
            now,
            outcome,
            version=version,
            repositories=repositories,
            reason=reason,
        )
        return replace(self, history=appended(self.history, made))

    def dump(self) -> str:
        data = {
            key: value
            for key, value in asdict(self).items()
            if value not in (None, {}, False) and key != "history"
        }
        data["phase"] = self.phase.value
        if self.history:
            data["history"] = [entry.encode() for entry in self.history]
        return json.dumps(data, default=_encode, separators=(",", ":"), sort_keys=True)

    @classmethod
    def load(cls, annotations: dict[str, str]) -> RotationState:
        """Read the state annotation; an unreadable one is a configuration error, never a guess."""
        text = annotations.get(STATE_KEY)
        if not text:
            return cls()
        try:
            data = json.loads(text)
            fields = {
                "phase": Phase(data.get("phase", "idle")),
                "rotation": data.get("rotation"),
                "forced": bool(data.get("forced", False)),
                "baseline": data.get("baseline"),
                "holder": data.get("holder"),
                "completed_rotation": data.get("completed_rotation"),
                "error": data.get("error"),
                "failed_step": data.get("failed_step"),
                "retryable": bool(data.get("retryable", False)),
                "tokens": {str(k): dict(v) for k, v in data.get("tokens", {}).items()},
                "stayed": {str(k): str(v) for k, v in data.get("stayed", {}).items()},
                "trigger": Trigger(data["trigger"]) if data.get("trigger") else None,
                "history": tuple(HistoryEntry.decode(e) for e in data.get("history", [])),
            }
            for key in ("requested_at", "started_at", "lease_until", "completed_at"):
                fields[key] = datetime.fromisoformat(data[key]) if data.get(key) else None
            return cls(**fields)
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            raise ConfigError(
                f"annotation {STATE_KEY} is not a state this version can read: {error}",
                remedy=f"remove the annotation {STATE_KEY}; the next rotation then starts afresh",
            ) from None


def _encode(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    raise TypeError(f"cannot store {type(value).__name__} in the state")
