"""Pointing repositories at a new version: in parallel, retried while Artifact Registry refuses
the credential, and one error that says where every repository stands."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from rotation.core import logs
from rotation.core.agents import grant_command, service_agent
from rotation.core.annotation_values import PREFIX
from rotation.core.durations import format_duration
from rotation.core.errors import RepointRefusedForNow, RotationError, UpstreamValidationFailed
from rotation.core.managed_secret import ManagedSecret
from rotation.core.model import RemoteRepository

# How much of Artifact Registry's refusals the state keeps (annotations hold 16 KiB in all).
STAYED_KEPT = 20
STAYED_REASON = 240


def repoint_in_grace(
    secret: ManagedSecret, targets: list[RemoteRepository], version_name: str
) -> list[RemoteRepository]:
    """repoint(); Artifact Registry refusing the new credential is transient (redelivered)
    while the rotation is younger than REPOINT_GRACE, since a new token or grant can take
    a while to reach Artifact Registry or the upstream, and permanent after that."""
    try:
        return repoint(secret, targets, version_name)
    except UpstreamValidationFailed as error:
        age = secret.now() - (secret.state.started_at or secret.now())
        grace = secret.settings.repoint_grace
        if age < grace:
            raise RepointRefusedForNow(
                f"{error}; the rotation started {format_duration(age)} ago, so it is retried "
                f"until REPOINT_GRACE ({format_duration(grace)}) has passed",
                error.stayed,
            ) from None
        raise


def repoint(
    secret: ManagedSecret, targets: list[RemoteRepository], version_name: str
) -> list[RemoteRepository]:
    """Point every target at the new version; those already there are left alone.

    Artifact Registry validates the credential on every repoint; a refusal is retried with
    a bounded backoff (REPOINT_ATTEMPTS, REPOINT_BACKOFF). A target it still refuses keeps
    its version; the others are moved, and one UpstreamValidationFailed says which."""

    def move(target: RemoteRepository) -> RemoteRepository:
        return _move(secret, target, version_name)

    if len(targets) == 1:
        futures = [_done(move, targets[0])]
    else:
        with ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
            futures = [pool.submit(move, t) for t in targets]
    errors = [error for f in futures if (error := f.exception()) is not None]
    other = [e for e in errors if not isinstance(e, UpstreamValidationFailed)]
    if other:
        raise other[0]
    refused = [e for e in errors if isinstance(e, UpstreamValidationFailed)]
    if refused:
        moved = [f.result().name for f in futures if f.exception() is None]
        raise _refusal(secret, refused, moved)
    return [f.result() for f in futures]


def _done(
    move: Callable[[RemoteRepository], RemoteRepository], target: RemoteRepository
) -> Future[RemoteRepository]:
    """Run one move in this thread, as a finished future (one target needs no pool)."""
    future: Future[RemoteRepository] = Future()
    try:
        future.set_result(move(target))
    except RotationError as error:
        future.set_exception(error)
    return future


def _move(secret: ManagedSecret, target: RemoteRepository, version_name: str) -> RemoteRepository:
    username = secret.username()
    if target.password_secret_version == version_name and target.username == username:
        return target
    settings = secret.settings
    fields = secret.fields("repoint", repository=target.name)
    for attempt in range(1, settings.repoint_attempts + 1):
        try:
            moved = secret.services.repositories.repoint(target.name, username, version_name)
            break
        except UpstreamValidationFailed as error:
            if attempt == settings.repoint_attempts:
                raise
            delay = settings.repoint_backoff * 2 ** (attempt - 1)
            logs.info(
                f"attempt {attempt} of {settings.repoint_attempts}: {error}; trying again in "
                f"{format_duration(delay)}",
                **fields,
                event="repoint_retry",
                attempt=attempt,
                attempts=settings.repoint_attempts,
            )
            time.sleep(delay.total_seconds())
    logs.info(f"repointed {target.name} to {version_name}", **fields)
    return moved


def _refusal(
    secret: ManagedSecret, refused: list[UpstreamValidationFailed], moved: list[str]
) -> UpstreamValidationFailed:
    """One error for every refused repository: what Artifact Registry refused, where each
    repository stands, and what to do."""
    first = refused[0]
    names = ", ".join(e.repository for e in refused)
    where = f"{names} stayed on the version they used"
    if moved:
        where = (
            f"the rotation is half done: {', '.join(moved)} moved to {first.version}, "
            f"{where}; nothing is retired until every repository has moved"
        )
    remedies = [_remedy(secret, error) for error in refused]
    return UpstreamValidationFailed(
        f"{first} (after {secret.settings.repoint_attempts} attempts); {where}",
        repository=first.repository,
        version=first.version,
        username=first.username,
        agent_cannot_read=first.agent_cannot_read,
        remedy="; ".join(dict.fromkeys(remedies))
        + "; then republish the event"
        + (": the same rotation moves the rest, then finishes" if moved else ""),
        stayed={e.repository: str(e)[:STAYED_REASON] for e in refused[:STAYED_KEPT]},
    )


def _remedy(secret: ManagedSecret, error: UpstreamValidationFailed) -> str:
    if error.agent_cannot_read:
        agent = service_agent(secret.services.projects.number(error.repository.split("/")[1]))
        return (
            f"Artifact Registry's service agent {agent} could not read {error.version} "
            f"for {error.repository}: check the version is enabled and run: "
            f"{grant_command(secret.name, agent)}"
        )
    return (
        f"the upstream of {error.repository} refused user {error.username} with the "
        f"token in {error.version}: check that token upstream (is it valid, for that "
        f"user: {PREFIX}username?) and the repository's upstream URL"
    )
