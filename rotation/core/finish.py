"""Finishing a rotation: the final aliases, the state DONE and the lease released, in one write."""

from __future__ import annotations

from datetime import datetime

from rotation.core import decisions, logs
from rotation.core.decisions import rollback_outlook
from rotation.core.durations import days_until
from rotation.core.history import Ended
from rotation.core.managed_secret import ManagedSecret
from rotation.core.retire import Retired
from rotation.core.source import recorded_expiry
from rotation.core.state import PREVIOUS, Phase


def finish(
    secret: ManagedSecret,
    pending: int,
    retired: Retired,
    *,
    now: datetime,
    fields: dict[str, object],
) -> None:
    """`current` -> the new version, `previous` -> the old one, `pending` cleared, lease released,
    the rotation in the history."""
    aliases = decisions.final_aliases(secret.snapshot.aliases, pending, retired.kept)
    state = secret.state
    moved = [r.name for r in retired.moved]
    done = state.evolve(
        phase=Phase.DONE,
        holder=None,
        lease_until=None,
        error=None,
        failed_step=None,
        retryable=False,
        completed_at=now,
        completed_rotation=state.rotation,
        tokens={v: data for v, data in state.tokens.items() if v not in retired.retired},
        stayed={},
    ).ended(Ended.COMPLETED, now, version=pending, repositories=tuple(moved))
    secret.record.save(done, aliases=aliases)
    logs.info(
        f"rotation completed: version {pending} is current",
        **fields,
        event="rotation_completed",
        version=pending,
        previous=aliases.get(PREVIOUS),
        repositories=moved,
        retired_versions=sorted(int(v) for v in retired.retired),
        rollback=rollback_outlook(secret.config.keep_versions, aliases.get(PREVIOUS)),
        source=secret.config.source,
        duration_seconds=duration_seconds(state.started_at, now),
        repoints=len(moved),
        token_expires_in_days=expires_in_days(state.tokens.get(str(pending), {}), now),
        trigger=state.asked_by.value,
    )


def duration_seconds(started_at: datetime | None, now: datetime) -> float | None:
    """From the claim of the rotation (its first attempt's, if resumed) to its finish."""
    if started_at is None:
        return None
    return round((now - started_at).total_seconds(), 3)


def expires_in_days(token: dict[str, str], now: datetime) -> float | None:
    """Days until the new token expires, from what its source recorded; None when unknown."""
    expires = recorded_expiry(token)
    return days_until(expires, now) if expires is not None else None
