"""The remote repositories that use a managed secret: listed, discovered, read now."""

from __future__ import annotations

from collections.abc import Iterable

from rotation.core import egress, formats
from rotation.core.agents import service_agent
from rotation.core.conflicts import Conflict, allowed_takeovers, conflicts
from rotation.core.errors import PermanentError
from rotation.core.managed_secret import ManagedSecret
from rotation.core.model import RemoteRepository, SecretVersionRef

Targets = list[RemoteRepository]  # repositories that use (or are to use) a secret


def targets(secret: ManagedSecret) -> list[RemoteRepository]:
    """The listed repositories (by name only) plus every discovered one whose credential uses
    this secret."""
    found = {name: RemoteRepository(name, "", "") for name in secret.config.repositories}
    for location in secret.config.discover:
        found |= {repository.name: repository for repository in discovered_in(secret, location)}
    if not found:
        raise PermanentError(
            f"no remote repository found that uses secret {secret.name}",
            remedy="check token-rotator.repositories and token-rotator.discover",
        )
    return list(found.values())


def discovered_in(secret: ManagedSecret, location: str) -> list[RemoteRepository]:
    """The remote repositories in `location` whose credential is a version of this secret."""
    secret_id = secret.name.rsplit("/", 1)[-1]
    projects = secret.services.projects
    return [
        repository
        for repository in secret.services.repositories.list_remote(location)
        if (ref := SecretVersionRef.parse(repository.password_secret_version)) is not None
        and ref.secret_id == secret_id
        and projects.number(ref.project) == secret.snapshot.project_number
    ]


def read_targets(secret: ManagedSecret, found: list[RemoteRepository]) -> list[RemoteRepository]:
    """The targets as they are now: listed ones are read (discovered ones were, by listing)."""
    return [
        target if target.password_secret_version else secret.services.repositories.get(target.name)
        for target in found
    ]


def targets_now(secret: ManagedSecret) -> list[RemoteRepository]:
    """The secret's targets (listed and discovered), each as it is now; the secret learns what
    they serve (ManagedSecret.serve)."""
    found = read_targets(secret, targets(secret))
    secret.serve(found)
    return found


def users_now(secret: ManagedSecret) -> list[RemoteRepository]:
    """Every repository that uses the secret, read now, just before a version is disabled or
    destroyed: the listed ones and those found in the discover locations, by the secret's
    configuration as it is now (ConfigurationChanged if an operator changed it meanwhile).
    A repository in no listed name and no discover location cannot be known; the README says
    so."""
    secret.record.check_configuration(secret.services.secrets.get(secret.name))
    return targets_now(secret)


def version_of(secret: ManagedSecret, repository: RemoteRepository) -> int | None:
    """The version of this secret the repository points at; None for another secret, or a
    version given by alias."""
    ref = SecretVersionRef.parse(repository.password_secret_version)
    if (
        ref is None
        or ref.secret_id != secret.name.rsplit("/", 1)[-1]
        or not ref.version.isdigit()
        or secret.services.projects.number(ref.project) != secret.snapshot.project_number
    ):
        return None
    return int(ref.version)


def strays(
    secret: ManagedSecret, repositories: list[RemoteRepository], version: int
) -> list[RemoteRepository]:
    """The repositories on another version of this secret than `version`."""
    return [r for r in repositories if version_of(secret, r) not in (None, version)]


def versions_in_use(
    secret: ManagedSecret, repositories: Iterable[RemoteRepository]
) -> dict[int, list[str]]:
    """Version of this secret -> the repositories that point at it."""
    in_use: dict[int, list[str]] = {}
    for repository in repositories:
        version = version_of(secret, repository)
        if version is not None:
            in_use.setdefault(version, []).append(repository.name)
    return in_use


def agents(secret: ManagedSecret, repositories: Iterable[RemoteRepository]) -> set[str]:
    """The Artifact Registry service agents that read the secret for these repositories."""
    return {service_agent(secret.services.projects.number(r.project)) for r in repositories}


def ensure_access(secret: ManagedSecret, repositories: list[RemoteRepository]) -> None:
    """Every service agent of the repositories can read the secret, granted here if allowed."""
    secret.services.access.ensure(
        secret.snapshot, agents(secret, repositories), secret.config.grant_access
    )


def contested(secret: ManagedSecret, repositories: list[RemoteRepository]) -> list[Conflict]:
    """The (read) repositories that point at a version of another secret this one may not take."""
    allowed = allowed_takeovers(secret.config, secret.name)
    return conflicts(repositories, secret.name, allowed, secret.services.projects.number)


def upstream_policy(
    secret: ManagedSecret, repositories: list[RemoteRepository]
) -> egress.UpstreamPolicy:
    """The hosts the work may send requests to, given its targets as read; raises
    UpstreamRefused (before any request, and before anything is written) for a URL annotation
    outside them."""
    return egress.policy_for(
        secret.config.source_settings,
        secret.settings.allowed_upstream_hosts,
        formats.served_by(secret.name, repositories).implied_hosts(),
        secret.settings.plain_http,
    )
