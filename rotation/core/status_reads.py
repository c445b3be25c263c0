"""The status of many secrets at once, read in parallel: what `status` and the audit start from.

A project's secrets come from one listing, and each managed one is not read again; the project
numbers (ProjectDirectory) and the topics' existence (one `Topics` per run) are looked up once,
so each secret costs its versions, its listed repositories and its IAM policy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from rotation.core.config import is_opted_in
from rotation.core.errors import RotationError
from rotation.core.managed_secret import Services, utc_now
from rotation.core.model import SecretSnapshot
from rotation.core.ports import Topics
from rotation.core.secret_status import SecretStatus, collect
from rotation.core.settings import Settings

# Secrets read at once: enough for a fleet's reads to overlap, few enough for one instance's
# connections and Google's per-user quotas.
MAX_PARALLEL_READS = 64


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
    parallel: int = MAX_PARALLEL_READS,
) -> list[StatusRead]:
    """Each secret's status (by name, or as listed), in the order given."""

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
    with ThreadPoolExecutor(max_workers=min(parallel, len(secrets))) as pool:
        return list(pool.map(read, secrets))
