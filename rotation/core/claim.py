"""Claiming a rotation: what an event asks for now, and the lease that makes one delivery the
one that works on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rotation.core import decisions, egress, logs
from rotation.core.decisions import Skip
from rotation.core.events import SecretEvent
from rotation.core.managed_secret import ManagedSecret
from rotation.core.model import RemoteRepository, VersionInfo
from rotation.core.state import RotationState


@dataclass(frozen=True)
class Claim:
    """What a claimed rotation works on: its targets as read, the hosts it may contact, and the
    secret's versions as listed when it was claimed."""

    targets: list[RemoteRepository]
    upstreams: egress.UpstreamPolicy
    versions: list[VersionInfo]


def decide(secret: ManagedSecret, event: SecretEvent, now: datetime) -> RotationState | Skip:
    """What `event` asks of `secret` now (see decisions.claim); RotationBusy while another
    delivery or an operator command holds the lease."""
    secret.record.ensure_free(now)
    return decisions.claim(secret.state, event, now, secret.config.min_interval)


def log_skip(skip: Skip, secret: ManagedSecret, rerun: str, fields: dict[str, object]) -> Skip:
    """Say why the event asks for nothing now; `rerun` is the command that forces it."""
    remedy = decisions.rotate_anyway(skip, rerun, secret.name)
    logs.info(skip.reason, **{**fields, "outcome": skip.outcome.value, "remedy": remedy})
    return skip


def take_lease(
    secret: ManagedSecret,
    decided: RotationState,
    now: datetime,
    *,
    resuming: bool,
    fields: dict[str, object],
) -> list[VersionInfo]:
    """Save the decided state with the lease; returns the versions as listed just before. A new
    rotation records the newest version as its baseline: one above it is its own (see
    decisions.adoptable)."""
    if resuming:
        logs.info(f"resuming rotation {decided.rotation} at phase {decided.phase}", **fields)
    versions = secret.services.secrets.versions(secret.name)
    if decided.baseline is None:
        decided = decided.evolve(baseline=max((v.number for v in versions), default=0))
    secret.record.hold(now, secret.settings.lease, decided)
    return versions
