"""`status` for people and scripts: the collected SecretStatus as text tables or JSON."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from rotation.cli.history_text import history_lines
from rotation.cli.text import approximate, moment, relative
from rotation.cli.text import table as _table
from rotation.core.state import CURRENT, Phase
from rotation.core.status_model import (
    ALIASES,
    AgentStatus,
    RepositoryStatus,
    RotationStatus,
    SecretStatus,
)


def as_json(status: SecretStatus) -> dict[str, Any]:
    """Plain JSON values: times as RFC 3339, durations in seconds."""
    return _plain(asdict(status))  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return value


def render(status: SecretStatus, now: datetime) -> list[str]:
    """The status as lines for a terminal: a few facts, then a table each."""
    lines = [
        f"secret         {status.secret}",
        f"source         {status.source}   keep-versions {status.keep_versions}   "
        f"min-interval {approximate(status.min_interval)}",
        f"next rotation  {_next_rotation(status, now)}",
        "",
    ]
    rows = []
    for alias in ALIASES:
        version = next((v for v in status.versions if v.alias == alias), None)
        if version is None:
            rows.append([alias, "-", "", "", ""])
            continue
        created = _age(version.created_at, now)
        expires = moment(version.token_expires_at, now) if version.token_expires_at else "unknown"
        rows.append([alias, str(version.number), version.state, created, expires])
    lines += _table(["ALIAS", "VERSION", "STATE", "CREATED", "TOKEN EXPIRES"], rows)
    enabled = ", ".join(str(v) for v in status.enabled_versions) or "none"
    lines += [f"enabled versions: {enabled}", ""]
    notes = any(r.note for r in status.repositories)
    lines += _table(
        ["REPOSITORY", "FOUND BY", "POINTS AT"] + (["IN THIS ROTATION"] if notes else []),
        [
            [r.name, r.found_by, _pointer(r, status)] + ([r.note or ""] if notes else [])
            for r in status.repositories
        ]
        or [["(none found)", "", ""]],
    )
    lines.append("")
    lines += _table(
        ["SERVICE AGENT", "ACCESS"],
        [[a.member.removeprefix("serviceAccount:"), _access(a, status)] for a in status.agents]
        or [["(no repository, so none)", ""]],
    )
    lines += ["", f"last rotation  {_last(status.rotation, now)}"]
    lines.append(f"unfinished     {_unfinished(status.rotation, now)}")
    lines.append(f"rollback       {status.rollback}")
    if status.rotation.history:
        lines += ["", "recent rotations (ar-token-rotator history shows more)"]
        lines += ["  " + line for line in history_lines(status.rotation.history, now)]
    lines += [f"problem        {problem}" for problem in status.problems]
    return lines


def _age(created_at: datetime | None, now: datetime) -> str:
    if created_at is None:
        return "unknown"
    if created_at > now:  # the service's clock is ahead of this machine's (or the emulator's moved)
        return f"{created_at.astimezone(UTC):%Y-%m-%d %H:%M:%SZ}"
    return relative(created_at, now)


def _next_rotation(status: SecretStatus, now: datetime) -> str:
    if status.next_rotation_time is None:
        return "not scheduled (the secret has no rotation schedule)"
    every = f", every {approximate(status.rotation_period)}" if status.rotation_period else ""
    return moment(status.next_rotation_time, now) + every


def _pointer(repository: RepositoryStatus, status: SecretStatus) -> str:
    if repository.version is None:
        return f"{repository.points_at} (not a version of this secret)"
    if repository.alias:
        return f"version {repository.version} ({repository.alias})"
    rotated = any(v.alias == CURRENT for v in status.versions)
    return f"version {repository.version}" + (" (NOT current)" if rotated else "")


def _access(agent: AgentStatus, status: SecretStatus) -> str:
    if agent.can_read:
        return "can read"
    if status.grant_access:
        return "cannot read yet: the next rotation grants it (grant-access)"
    return "CANNOT READ: the next rotation stops before minting a token"


def _last(rotation: RotationStatus, now: datetime) -> str:
    if rotation.phase == Phase.FAILED:
        return (
            f"rotation {rotation.rotation} abandoned at step {rotation.failed_step}: "
            f"{rotation.error}"
        )
    if rotation.completed_at is None:
        return "none completed yet"
    forced = ", forced" if rotation.forced and not rotation.unfinished else ""
    return (
        f"rotation {rotation.completed_rotation} completed "
        f"{moment(rotation.completed_at, now)}{forced}"
    )


def _unfinished(rotation: RotationStatus, now: datetime) -> str:
    if not rotation.unfinished:
        return "none"
    text = f"rotation {rotation.rotation} at phase {rotation.phase}"
    if rotation.started_at:
        text += f", started {relative(rotation.started_at, now)}"
    if rotation.holder and rotation.lease_until and rotation.lease_until > now:
        text += f"; in progress ({rotation.holder}, lease {relative(rotation.lease_until, now)})"
    if rotation.error:
        then = (
            "transient: the function retries"
            if rotation.retryable
            else "needs an operator: fix the cause, then republish"
        )
        text += f"; stopped at step {rotation.failed_step}: {rotation.error} ({then})"
    return text
