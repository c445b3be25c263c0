"""Finishing a rotation: the final aliases, the state DONE and the lease released, in one write."""

from __future__ import annotations

from datetime import datetime

from rotation.core import decisions, logs
from rotation.core.decisions import rollback_outlook
from rotation.core.managed_secret import ManagedSecret
from rotation.core.retire import Retired
from rotation.core.state import PREVIOUS, Phase


def finish(
    secret: ManagedSecret,
    pending: int,
    retired: Retired,
    *,
    now: datetime,
    fields: dict[str, object],
) -> None:
    """`current` -> the new version, `previous` -> the old one, `pending` cleared, lease released."""
    aliases = decisions.final_aliases(secret.snapshot.aliases, pending, retired.kept)
    state = secret.state
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
    )
    secret.record.save(done, aliases=aliases)
    logs.info(
        f"rotation completed: version {pending} is current",
        **fields,
        event="rotation_completed",
        version=pending,
        previous=aliases.get(PREVIOUS),
        repositories=[r.name for r in retired.moved],
        retired_versions=sorted(int(v) for v in retired.retired),
        rollback=rollback_outlook(secret.config.keep_versions, aliases.get(PREVIOUS)),
    )
