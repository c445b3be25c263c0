"""The rotation's decisions, as pure functions over plain data: what an event asks for, which
version an interrupted attempt added, which versions to keep and retire, and the aliases a
rotation ends with. The steps read, call these, then write; tests/unit/test_decisions.py covers
them without an emulator."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rotation.core.durations import format_duration
from rotation.core.errors import PermanentError
from rotation.core.events import SecretEvent
from rotation.core.history import Trigger
from rotation.core.model import RemoteRepository, SecretVersionRef, VersionInfo
from rotation.core.state import CURRENT, PENDING, PREVIOUS, Phase, RotationState

ROLLBACK_MIN_KEEP = 2  # keep-versions that keeps the old `current` as `previous`


class Outcome(StrEnum):
    COMPLETED = "completed"
    ALREADY_DONE = "already_done"
    SKIPPED = "skipped"
    TOO_SOON = "too_soon"  # unforced, within the minimum interval: forcing would rotate
    NOT_OPTED_IN = "not_opted_in"


@dataclass(frozen=True)
class Skip:
    """An event that asks for nothing now, and why."""

    outcome: Outcome
    reason: str


def claim(
    state: RotationState,
    event: SecretEvent,
    now: datetime,
    min_interval: timedelta,
    trigger: Trigger | None = None,
) -> RotationState | Skip:
    """The state a delivery of `event` claims (the unfinished rotation it resumes, or a new one
    asked for by `trigger`, by default what the event says), or why it skips. An unfinished
    rotation is always resumed, forced or not, keeping its own trigger. The history carries on."""
    if state.unfinished:
        return state
    skip = skip_reason(state, event, now, min_interval)
    if skip is not None:
        return skip
    return RotationState(
        phase=Phase.CREATING,
        rotation=event.message_id,
        forced=event.forced,
        trigger=trigger or Trigger.of(event.forced),
        requested_at=event.published_at,
        started_at=now,
        completed_at=state.completed_at,
        completed_rotation=state.completed_rotation,
        tokens=state.tokens,
        history=state.history,
    )


def skip_reason(
    state: RotationState, event: SecretEvent, now: datetime, min_interval: timedelta
) -> Skip | None:
    """Why a finished secret's state makes `event` ask for nothing: it ran already, a rotation
    completed after it was published, or (unforced) within `min_interval` of the last one."""
    if event.message_id in (state.completed_rotation, state.rotation):
        return Skip(
            Outcome.ALREADY_DONE,
            f"rotation {event.message_id} already ran ({state.phase}); nothing to do",
        )
    if state.completed_at is None:
        return None
    if event.published_at <= state.completed_at:
        return Skip(
            Outcome.SKIPPED,
            f"a rotation completed at {state.completed_at.isoformat()}, after this request "
            f"was published at {event.published_at.isoformat()}",
        )
    if not event.forced and now - state.completed_at < min_interval:
        return Skip(
            Outcome.TOO_SOON,
            f"the last rotation completed at {state.completed_at.isoformat()}, within the minimum "
            f"interval ({format_duration(min_interval)})",
        )
    return None


def rotate_anyway(skip: Skip, command: str, secret: str) -> str | None:
    """The remedy of a request skipped within the minimum interval: the operator's `command`
    (republish, rotate) forced; None for the other skips, which forcing would not change."""
    if skip.outcome is not Outcome.TOO_SOON:
        return None
    return f"to rotate anyway: ar-token-rotator {command} {secret} --force"


def adoptable(versions: Iterable[VersionInfo], baseline: int | None) -> int | None:
    """After a crash between adding the version and recording it, that version: the newest
    enabled one above the baseline the claim recorded (none on a fresh claim, whose baseline
    comes from the same listing). `versions` are newest first, as Secret Manager lists them."""
    added = [v.number for v in versions if v.enabled and v.number > (baseline or 0)]
    return added[0] if added else None


def retirement(
    versions: Iterable[VersionInfo],
    newest: int | None,
    aliases: Mapping[str, int],
    keep_versions: int,
    repositories: Iterable[RemoteRepository],
) -> tuple[list[int], list[int]]:
    """Which enabled versions the keep policy keeps (`newest`, `current`, `previous`, then the
    newest others, up to `keep_versions`) and which it retires: the rest, except any a
    repository points at. So with keep-versions 2 or more a rotation keeps the old `current`
    (the next `previous`) and a cleanup keeps `previous`: a rollback stays possible."""
    enabled = [v.number for v in versions if v.enabled and v.number != newest]
    protected = [v for v in (newest, aliases.get(CURRENT), aliases.get(PREVIOUS)) if v is not None]
    kept = list(dict.fromkeys(protected + enabled))[:keep_versions]
    in_use = {
        ref.version
        for repository in repositories
        if (ref := SecretVersionRef.parse(repository.password_secret_version)) is not None
    }
    return kept, [v for v in enabled if v not in kept and str(v) not in in_use]


def final_aliases(aliases: Mapping[str, int], pending: int, kept: list[int]) -> dict[str, int]:
    """The aliases once `pending` is current: the old `current` (or else the `previous` or
    newest version below that is kept) becomes `previous` if it is kept; `pending` is cleared.
    The same on a resumed finish, where retiring moved `current` already."""
    final = dict(aliases)
    current, previous = final.pop(CURRENT, None), final.pop(PREVIOUS, None)
    final.pop(PENDING, None)
    if current == pending:
        current = None
    candidates = [current, previous, *(v for v in kept if v < pending)]
    older = next((v for v in candidates if v is not None and v in kept and v != pending), None)
    final[CURRENT] = pending
    if older is not None:
        final[PREVIOUS] = older
    return final


def rollback_target(name: str, aliases: Mapping[str, int], versions: Iterable[VersionInfo]) -> int:
    """The version a rollback of secret `name` returns to: `previous`, which must exist and be
    enabled. Raises PermanentError, with what to do instead, when it cannot."""
    previous = aliases.get(PREVIOUS)
    if previous is None:
        raise PermanentError(
            f"secret {name} has no `previous` version to roll back to",
            remedy=f"a rollback needs a completed rotation and keep-versions of "
            f"{ROLLBACK_MIN_KEEP} or more; "
            f"to replace the token instead: ar-token-rotator rotate {name} --force",
        )
    found = next((v for v in versions if v.number == previous), None)
    if found is None or not found.enabled:
        _, project, _, secret_id = name.split("/")
        raise PermanentError(
            f"version {previous} (`previous`) of {name} is "
            f"{found.state if found else 'gone'}, so no repository may use it",
            remedy=f"if its token is still valid: gcloud secrets versions enable {previous} "
            f"--secret={secret_id} --project={project}, then roll back again; otherwise "
            f"rotate: ar-token-rotator rotate {name} --force",
        )
    return previous


def rollback_outlook(keep_versions: int, previous: int | None) -> str:
    """Whether `rollback` can run now, and why not: the rule keep-versions states."""
    if previous is not None:
        return f"to version {previous} (previous)"
    if keep_versions < ROLLBACK_MIN_KEEP:
        return (
            f"impossible: keep-versions {keep_versions} retires the old current at every "
            f"rotation (set {ROLLBACK_MIN_KEEP} or more to keep a rollback)"
        )
    return "none yet: the next rotation keeps the old current as previous"
