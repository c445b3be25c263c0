"""The status of many secrets at once, read in parallel: what `status` and the audit start from.

A project's secrets come from one listing, and each managed one is not read again; the project
numbers (ProjectDirectory) and the topics' existence (one `Topics` per run) are looked up once,
and each location's repositories are listed once (repository_listing), so each secret costs its
versions and its IAM policy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

from rotation.core.config import is_opted_in
from rotation.core.errors import RotationError
from rotation.core.managed_secret import Services, utc_now
from rotation.core.model import SecretSnapshot
from rotation.core.ports import Topics
from rotation.core.repository_listing import ListedRepositories
from rotation.core.secret_status import collect
from rotation.core.settings import Settings
from rotation.core.status_model import SecretStatus

# Secrets read at once: enough for a fleet of a few hundred to be read in a few rounds of calls
# (bench/audit_scale.py: 200 secrets with 50 ms a call), few enough for one instance's threads;
# each secret's 2 reads also count against Secret Manager's per-project read quota per minute.
MAX_PARALLEL_READS = 128


@dataclass(frozen=True)
class StatusRead:
    """One secret's status, or the error that stopped it being read."""

    secret: str
    status: SecretStatus | None = None
    error: RotationError | None = None


def managed_in(project: str, services: Services) -> list[SecretSnapshot]:
    """Every secret of the project that opted in, as listed."""
    return [s for s in services.secrets.in_project(project) if is_opted_in(s.annotations)]


def read_all(
    secrets: Sequence[str | SecretSnapshot],
    services: Services,
    settings: Settings,
    now: Callable[[], datetime] = utc_now,
    *,
    topics: Topics | None = None,
    parallel: int | None = None,
) -> list[StatusRead]:
    """Each secret's status (by name, or as listed), in the order given. Reading several, each
    location's repositories are listed once (ListedRepositories)."""

    def read(secret: str | SecretSnapshot) -> StatusRead:
        name = secret if isinstance(secret, str) else secret.name
        snapshot = None if isinstance(secret, str) else secret
        try:
            status = collect(name, services, settings, now, snapshot=snapshot, topics=topics)
        except RotationError as error:
            return StatusRead(name, error=error)
        return StatusRead(name, status=status)

    if len(secrets) <= 1:
        return [read(secret) for secret in secrets]
    services = replace(services, repositories=ListedRepositories(services.repositories))
    bound = parallel or MAX_PARALLEL_READS
    with ThreadPoolExecutor(max_workers=min(bound, len(secrets))) as pool:
        return list(pool.map(read, secrets))
