"""What the rotation of one secret did and where it stands, read without changing anything: what
`status` shows and the audit judges (audit_findings).

The versions behind `current`, `pending` and `previous` (age, token expiry where the state knows
it), the next scheduled rotation, every repository that uses the secret and the version it points
at, whether the Artifact Registry service agents may read the secret, and the last rotation's
outcome with any unfinished step; with a `Topics` port, whether the topics it notifies exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rotation.core import secret_users
from rotation.core.conflicts import conflict_error
from rotation.core.decisions import rollback_outlook
from rotation.core.errors import PermanentError
from rotation.core.managed_secret import ManagedSecret, Services, Work, utc_now
from rotation.core.model import RemoteRepository, SecretSnapshot
from rotation.core.ports import Topics
from rotation.core.settings import Settings
from rotation.core.source import recorded_expiry
from rotation.core.state import PENDING, PREVIOUS
from rotation.core.status_model import (
    ALIASES,
    AgentStatus,
    RepositoryStatus,
    RotationStatus,
    SecretStatus,
    VersionStatus,
)

STATUS_HISTORY = 3  # the rotations `status` shows; `history` shows every one kept


def collect(
    name: str,
    services: Services,
    settings: Settings,
    now: Callable[[], datetime] = utc_now,
    *,
    snapshot: SecretSnapshot | None = None,
    topics: Topics | None = None,
) -> SecretStatus:
    """The secret's status; `snapshot` is the secret as just listed (not read again), `topics`
    checks that its topics exist (None: not checked)."""
    secret = ManagedSecret.require(
        name, services, settings, Work.new("status"), now, snapshot=snapshot
    )
    snapshot, state = secret.snapshot, secret.state
    listed = services.secrets.versions(snapshot.name)
    by_number = {v.number: v for v in listed}
    versions = []
    for alias in ALIASES:
        number = snapshot.aliases.get(alias)
        if number is None:
            continue
        info = by_number.get(number)
        versions.append(
            VersionStatus(
                alias,
                number,
                info.state if info else "MISSING",
                info.created_at if info else None,
                recorded_expiry(state.tokens.get(str(number), {})),
            )
        )
    targets, found_by, problems = _repositories(secret)
    try:
        contested = secret_users.contested(secret, targets)
    except PermanentError as error:  # an invalid token-rotator.take-over-from
        contested = []
        problems.append(str(error))
    if contested:
        problems.append(_problem(conflict_error(snapshot.name, contested)))
    holders = {number: alias for alias, number in snapshot.aliases.items()}
    pending = snapshot.aliases.get(PENDING) if state.unfinished else None
    repositories = [
        RepositoryStatus(
            r.name,
            r.password_secret_version,
            v,
            holders.get(v) if v else None,
            found_by[r.name],
            _note(r.name, v, pending, state.stayed),
        )
        for r in targets
        for v in [secret_users.version_of(secret, r)]
    ]
    agents = secret_users.agents(secret, targets)
    missing = services.access.missing(snapshot, agents)
    return SecretStatus(
        secret=snapshot.name,
        source=secret.config.source,
        keep_versions=secret.config.keep_versions,
        min_interval=secret.config.min_interval,
        grant_access=secret.config.grant_access,
        versions=versions,
        enabled_versions=[v.number for v in listed if v.enabled],
        next_rotation_time=snapshot.next_rotation_time,
        rotation_period=snapshot.rotation_period,
        repositories=repositories,
        agents=[AgentStatus(a, a not in missing) for a in sorted(agents)],
        rotation=RotationStatus(
            phase=state.phase.value,
            rotation=state.rotation,
            forced=state.forced,
            started_at=state.started_at,
            completed_at=state.completed_at,
            completed_rotation=state.completed_rotation,
            error=state.error,
            failed_step=state.failed_step,
            retryable=state.retryable,
            holder=state.holder,
            lease_until=state.lease_until,
            unfinished=state.unfinished,
            history=state.history[-STATUS_HISTORY:],
        ),
        rollback=rollback_outlook(secret.config.keep_versions, snapshot.aliases.get(PREVIOUS)),
        problems=problems,
        topics=list(snapshot.topics),
        missing_topics=_missing_topics(snapshot, topics, problems),
        newest_version_at=max(
            (v.created_at for v in listed if v.enabled and v.created_at), default=None
        ),
    )


def _repositories(
    secret: ManagedSecret,
) -> tuple[list[RemoteRepository], dict[str, str], list[str]]:
    """Every repository found that uses the secret, how each was found, and the problems: a
    listed repository or a discover location that cannot be read is named, the rest still shown."""
    found: dict[str, RemoteRepository] = {}
    found_by: dict[str, str] = {}
    problems: list[str] = []
    for name in secret.config.repositories:
        try:
            [found[name]] = secret_users.read_targets(secret, [RemoteRepository(name, "", "")])
            found_by[name] = "listed"
        except PermanentError as error:
            problems.append(_problem(error))
    for location in secret.config.discover:
        try:
            discovered = secret_users.discovered_in(secret, location)
        except PermanentError as error:
            problems.append(
                f"the repositories in {location} cannot be listed, so one there that uses this "
                f"secret is not shown, and rotations stop until they can be: {_problem(error)}"
            )
            continue
        for repository in discovered:
            found.setdefault(repository.name, repository)
            found_by.setdefault(repository.name, "discovered")
    if not found and not problems:
        problems.append(
            f"no remote repository found that uses secret {secret.snapshot.name} (check "
            f"token-rotator.repositories and token-rotator.discover)"
        )
    return list(found.values()), found_by, problems


def _missing_topics(
    snapshot: SecretSnapshot, topics: Topics | None, problems: list[str]
) -> list[str]:
    """The secret's topics that do not exist; one that cannot be read is a problem."""
    if topics is None:
        return []
    missing = []
    for topic in snapshot.topics:
        try:
            if not topics.exists(topic):
                missing.append(topic)
        except PermanentError as error:
            problems.append(f"topic {topic} cannot be read: {_problem(error)}")
    return missing


def _problem(error: PermanentError) -> str:
    return f"{error} ({error.remedy})" if error.remedy else str(error)


def _note(
    name: str, version: int | None, pending: int | None, stayed: dict[str, str]
) -> str | None:
    """Where a repository stands in an unfinished rotation (`pending` is its new version)."""
    if pending is None:
        return None
    if version == pending:
        return "moved to the new version"
    if name in stayed:
        return f"stayed: {stayed[name]}"
    return "not moved yet"
