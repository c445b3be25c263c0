"""What `status` shows and the audit judges about one secret, as plain data (collected by
secret_status.collect)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rotation.core.history import HistoryEntry
from rotation.core.state import CURRENT, PENDING, PREVIOUS

ALIASES = (CURRENT, PENDING, PREVIOUS)


@dataclass(frozen=True)
class VersionStatus:
    alias: str
    number: int
    state: str  # ENABLED, DISABLED, DESTROYED, or MISSING
    created_at: datetime | None
    token_expires_at: datetime | None


@dataclass(frozen=True)
class RepositoryStatus:
    name: str
    points_at: str
    version: int | None  # of this secret; None for another secret
    alias: str | None  # the alias that version holds, if any
    found_by: str  # "listed" (token-rotator.repositories) or "discovered" (token-rotator.discover)
    note: str | None  # during an unfinished rotation: moved, not yet, or why it stayed


@dataclass(frozen=True)
class AgentStatus:
    member: str
    can_read: bool


@dataclass(frozen=True)
class RotationStatus:
    phase: str
    rotation: str | None
    forced: bool
    started_at: datetime | None
    completed_at: datetime | None
    completed_rotation: str | None
    error: str | None
    failed_step: str | None
    retryable: bool
    holder: str | None
    lease_until: datetime | None
    unfinished: bool
    history: tuple[HistoryEntry, ...] = ()  # the last few, newest last


@dataclass(frozen=True)
class SecretStatus:
    secret: str
    source: str
    keep_versions: int
    min_interval: timedelta
    grant_access: bool
    versions: list[VersionStatus]
    enabled_versions: list[int]
    next_rotation_time: datetime | None
    rotation_period: timedelta | None
    repositories: list[RepositoryStatus]
    agents: list[AgentStatus]
    rotation: RotationStatus
    rollback: str  # whether `rollback` can run now (keep-versions 1 never keeps a `previous`)
    problems: list[str]  # what status could not find out, and why
    topics: list[str] = field(default_factory=list)  # the topics the secret notifies
    missing_topics: list[str] = field(default_factory=list)  # of those, the ones that do not exist
    # When the newest enabled version was added: a secret never rotated by this tool is as old
    # as the token it was created with.
    newest_version_at: datetime | None = None
