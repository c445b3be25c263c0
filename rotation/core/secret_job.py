"""What every job on one rotated secret shares: a rotation, and an operator's rollback or cleanup.

A job reads the secret, its `token-rotator.*` configuration and its state, works on the
repositories that use it, and writes back with the etag it read. The lease in the state says which
job works on the secret now: while one holds it, every other raises RotationBusy.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rotation.core import config, decisions, egress, logs
from rotation.core.agents import grant_command, service_agent
from rotation.core.config import RotationConfig
from rotation.core.conflicts import Conflict, allowed_takeovers, conflicts
from rotation.core.durations import format_duration
from rotation.core.errors import (
    ConfigError,
    ConfigurationChanged,
    PermanentError,
    RotationBusy,
    RotationError,
    SecretChanged,
    TokenRejected,
    UpstreamValidationFailed,
)
from rotation.core.model import RemoteRepository, SecretSnapshot, SecretVersionRef, VersionInfo
from rotation.core.ports import AgentAccess, Projects, Repositories, Secrets
from rotation.core.settings import Settings
from rotation.core.source import SourceContext, TokenSource
from rotation.core.state import CURRENT, RotationState
from rotation.core.token import Token


@dataclass
class Services:
    """The adapters a job talks through; one set per function instance (or command)."""

    secrets: Secrets
    repositories: Repositories
    projects: Projects
    access: AgentAccess
    sources: dict[str, TokenSource]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _done(
    move: Callable[[RemoteRepository, str], RemoteRepository],
    target: RemoteRepository,
    version: str,
) -> Future[RemoteRepository]:
    """Run one move in this thread, as a finished future (one target needs no pool)."""
    future: Future[RemoteRepository] = Future()
    try:
        future.set_result(move(target, version))
    except RotationError as error:
        future.set_exception(error)
    return future


def _written(snapshot: SecretSnapshot, state: str, aliases: dict[str, int] | None) -> bool:
    """Whether `snapshot` already holds this state annotation (and these aliases)."""
    return snapshot.annotations.get(config.STATE_KEY) == state and aliases in (
        None,
        snapshot.aliases,
    )


SAVE_ATTEMPTS = 3  # writes of one change while others (operators, not jobs) change the secret


# How much of Artifact Registry's refusals the state keeps (annotations hold 16 KiB in all).
STAYED_KEPT = 20
STAYED_REASON = 240


class SecretJob:
    """One job on one secret. Holds the secret as last read or written."""

    kind = "job"
    snapshot: SecretSnapshot
    state: RotationState
    config: RotationConfig
    source: TokenSource

    def __init__(
        self,
        secret_name: str,
        services: Services,
        settings: Settings,
        now: Callable[[], datetime] = utc_now,
        job_id: str = "",
    ) -> None:
        self.secret_name = secret_name
        self.services = services
        self.settings = settings
        self.now = now
        self.attempt = f"{self.kind}-{uuid.uuid4().hex}"
        self.job_id = job_id or self.attempt
        self.step = "load"
        self.resumed = False  # whether this job resumes an interrupted attempt of a rotation
        self.versions: list[VersionInfo] = []
        self._secret_reads: dict[str, Token] = {}  # see SourceContext.secret_reads

    def fields(self, **extra: object) -> dict[str, object]:
        """What every log line of this job carries."""
        return {"secret": self.secret_name, "rotation": self.job_id, "step": self.step, **extra}

    def load(self) -> bool:
        """Read the secret, its configuration and its state; False if it did not opt in."""
        self.snapshot = self.services.secrets.get(self.secret_name)
        if not config.is_opted_in(self.snapshot.annotations):
            return False
        parsed, problems = config.parse(
            self.snapshot.annotations, self.settings, frozenset(self.services.sources)
        )
        source = self.services.sources.get(parsed.source)
        if source is not None:
            with problems.check():
                source.validate(parsed)
        problems.raise_any(self.snapshot.name)
        self.config, self.source = parsed, self.services.sources[parsed.source]
        self.state = RotationState.load(self.snapshot.annotations)
        return True

    def load_managed(self) -> None:
        """load(), for an operator's command: a secret that did not opt in is a usage error."""
        if not self.load():
            raise ConfigError(
                f"secret {self.snapshot.name} has no {config.PREFIX}source annotation, so "
                "ar-token-rotator does not manage it",
                remedy="name a secret that opted in, or add its token-rotator.* annotations "
                "(README: Configuration)",
            )

    def ensure_free(self, now: datetime) -> None:
        """Raise RotationBusy while another delivery or operator command holds the lease."""
        state = self.state
        if state.lease_held_by_other(self.attempt, now):
            raise RotationBusy(
                f"secret {self.secret_name} is being worked on by another delivery or operator "
                f"command ({state.holder}, rotation {state.rotation}) until {state.lease_until}"
            )

    def hold(self) -> None:
        """Take the lease, so no rotation starts while an operator's job changes the secret."""
        now = self.now()
        self.ensure_free(now)
        self.save(self.state.evolve(holder=self.attempt, lease_until=now + self.settings.lease))

    def release_lease(self, **changes: Any) -> None:
        """Give up the lease (with `changes` to the state); best effort, since it expires anyway."""
        try:
            snapshot = self.services.secrets.get(self.secret_name)
            state = RotationState.load(snapshot.annotations)
            if state.holder == self.attempt:
                self.snapshot = snapshot
                self.save(state.evolve(holder=None, lease_until=None, **changes))
        except RotationError as release_error:
            logs.warning(f"could not release the rotation lease: {release_error}", **self.fields())

    def targets(self) -> list[RemoteRepository]:
        """The listed repositories plus every discovered one whose credential uses this secret."""
        self.step = "targets"
        targets = {name: RemoteRepository(name, "", "") for name in self.config.repositories}
        for location in self.config.discover:
            targets |= {repository.name: repository for repository in self.discovered_in(location)}
        if not targets:
            raise PermanentError(
                f"no remote repository found that uses secret {self.snapshot.name}",
                remedy="check token-rotator.repositories and token-rotator.discover",
            )
        return list(targets.values())

    def discovered_in(self, location: str) -> list[RemoteRepository]:
        """The remote repositories in `location` whose credential is a version of this secret."""
        secret_id = self.snapshot.name.rsplit("/", 1)[-1]
        return [
            repository
            for repository in self.services.repositories.list_remote(location)
            if (ref := SecretVersionRef.parse(repository.password_secret_version)) is not None
            and ref.secret_id == secret_id
            and self.services.projects.number(ref.project) == self.snapshot.project_number
        ]

    def upstream_policy(self, targets: list[RemoteRepository]) -> egress.UpstreamPolicy:
        """The hosts this job may send requests to, given its targets as read; raises
        UpstreamRefused (before any request, and before the job writes anything) for a URL
        annotation outside them."""
        self.step = "upstreams"
        return egress.policy_for(
            self.config.source_settings,
            self.settings.allowed_upstream_hosts,
            [target.upstream_url for target in targets],
            self.settings.plain_http,
        )

    def read_targets(self, targets: list[RemoteRepository]) -> list[RemoteRepository]:
        """The targets as they are now: listed ones are read (discovered ones were, by listing)."""
        return [
            target
            if target.password_secret_version
            else self.services.repositories.get(target.name)
            for target in targets
        ]

    def version_of(self, repository: RemoteRepository) -> int | None:
        """The version of this secret the repository points at; None for another secret, or a
        version given by alias."""
        ref = SecretVersionRef.parse(repository.password_secret_version)
        if (
            ref is None
            or ref.secret_id != self.snapshot.name.rsplit("/", 1)[-1]
            or not ref.version.isdigit()
            or self.services.projects.number(ref.project) != self.snapshot.project_number
        ):
            return None
        return int(ref.version)

    def agents(self, targets: Iterable[RemoteRepository]) -> set[str]:
        """The Artifact Registry service agents that read the secret for these repositories."""
        return {service_agent(self.services.projects.number(r.project)) for r in targets}

    def verify_access(self, targets: list[RemoteRepository]) -> None:
        self.step = "access"
        self.ensure_access(targets)

    def ensure_access(self, targets: list[RemoteRepository]) -> None:
        """Every service agent of the targets can read the secret, granted here if allowed."""
        self.services.access.ensure(self.snapshot, self.agents(targets), self.config.grant_access)

    def conflicts(self, targets: list[RemoteRepository]) -> list[Conflict]:
        """The (read) targets that point at a version of another secret this one may not take."""
        allowed = allowed_takeovers(self.config, self.snapshot.name)
        return conflicts(targets, self.snapshot.name, allowed, self.services.projects.number)

    def check_token(self, token: Token, context: SourceContext) -> None:
        """The source's check, a few times, since a fresh token may take a moment to work upstream;
        raises the last TokenRejected."""
        for attempt in range(1, self.settings.check_attempts + 1):
            try:
                self.source.check(token, context)
                return
            except TokenRejected as error:
                if attempt == self.settings.check_attempts:
                    raise
                logs.info(
                    f"check {attempt} of {self.settings.check_attempts} refused the token "
                    f"({error}); checking again in {format_duration(self.settings.check_delay)}",
                    **self.fields(),
                )
                time.sleep(self.settings.check_delay.total_seconds())

    def repoint(self, targets: list[RemoteRepository], version_name: str) -> list[RemoteRepository]:
        """Point every target at the new version; those already there are left alone.

        Artifact Registry validates the credential on every repoint; a refusal is retried with
        a bounded backoff (REPOINT_ATTEMPTS, REPOINT_BACKOFF). A target it still refuses keeps
        its version; the others are moved, and one UpstreamValidationFailed says which."""
        self.step = "repoint"
        if len(targets) == 1:
            futures = [_done(self._move, targets[0], version_name)]
        else:
            with ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
                futures = [pool.submit(self._move, t, version_name) for t in targets]
        errors = [error for f in futures if (error := f.exception()) is not None]
        other = [e for e in errors if not isinstance(e, UpstreamValidationFailed)]
        if other:
            raise other[0]
        refused = [e for e in errors if isinstance(e, UpstreamValidationFailed)]
        if refused:
            moved = [f.result().name for f in futures if f.exception() is None]
            raise self._refusal(refused, moved)
        return [f.result() for f in futures]

    def _move(self, target: RemoteRepository, version_name: str) -> RemoteRepository:
        username = self.config.username
        if target.password_secret_version == version_name and target.username == username:
            return target
        attempts = self.settings.repoint_attempts
        for attempt in range(1, attempts + 1):
            try:
                moved = self.services.repositories.repoint(target.name, username, version_name)
                break
            except UpstreamValidationFailed as error:
                if attempt == attempts:
                    raise
                delay = self.settings.repoint_backoff * 2 ** (attempt - 1)
                logs.info(
                    f"attempt {attempt} of {attempts}: {error}; trying again in "
                    f"{format_duration(delay)}",
                    **self.fields(repository=target.name),
                )
                time.sleep(delay.total_seconds())
        logs.info(
            f"repointed {target.name} to {version_name}", **self.fields(repository=target.name)
        )
        return moved

    def _refusal(
        self, refused: list[UpstreamValidationFailed], moved: list[str]
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
        remedies = []
        for error in refused:
            if error.agent_cannot_read:
                agent = service_agent(self.services.projects.number(error.repository.split("/")[1]))
                remedies.append(
                    f"Artifact Registry's service agent {agent} could not read {error.version} "
                    f"for {error.repository}: check the version is enabled and run: "
                    f"{grant_command(self.snapshot.name, agent)}"
                )
            else:
                remedies.append(
                    f"the upstream of {error.repository} refused user {error.username} with the "
                    f"token in {error.version}: check that token upstream (is it valid, for that "
                    f"user: {config.PREFIX}username?) and the repository's upstream URL"
                )
        return UpstreamValidationFailed(
            f"{first} (after {self.settings.repoint_attempts} attempts); {where}",
            repository=first.repository,
            version=first.version,
            username=first.username,
            agent_cannot_read=first.agent_cannot_read,
            remedy="; ".join(dict.fromkeys(remedies))
            + "; then republish the event"
            + (": the same rotation moves the rest, then finishes" if moved else ""),
            stayed={e.repository: str(e)[:STAYED_REASON] for e in refused[:STAYED_KEPT]},
        )

    def retirement(
        self, newest: int | None, repositories: Iterable[RemoteRepository]
    ) -> tuple[list[int], list[int]]:
        """What to keep and retire (see decisions.retirement), from the versions listed last."""
        return decisions.retirement(
            self.versions, newest, self.snapshot.aliases, self.config.keep_versions, repositories
        )

    def retire_versions(
        self,
        versions: list[int],
        successor: int | None = None,
        users: list[RemoteRepository] | None = None,
    ) -> set[str]:
        """Revoke each version's token where the source can, then disable the version (destroy it
        where the secret's destroy TTL makes that a delay). First, every repository that uses the
        secret is read again, and a version one points at is kept. Each succeeds when already
        done; a token the source cannot revoke is logged and its version kept. `successor` is
        the version `current` moves to if it names one of these (see drop_aliases_of); `users`, the
        repositories as the caller just read them again."""
        if not versions:
            return set()
        in_use = self.versions_in_use(self.users_now() if users is None else users)
        retired: set[str] = set()
        for version in versions:
            if version in in_use:
                logs.warning(
                    f"kept version {version}: a repository points at it",
                    **self.fields(version=version, repositories=in_use[version]),
                )
                continue
            self.drop_aliases_of(version, successor)
            try:
                self.retire_token(version)
            except PermanentError as error:
                logs.error(
                    f"could not retire the token of version {version}: {error}",
                    **self.fields(event="retire_failed", version=version, remedy=error.remedy),
                )
                continue
            self.services.secrets.retire_version(
                self.snapshot.version_name(version), destroy=self.snapshot.destroys_with_ttl
            )
            retired.add(str(version))
            logs.info(f"retired version {version}", **self.fields(version=version))
        return retired

    def users_now(self) -> list[RemoteRepository]:
        """Every repository that uses the secret, read now, just before a version is disabled or
        destroyed: the listed ones and those found in the discover locations, by the secret's
        configuration as it is now (ConfigurationChanged if an operator changed it meanwhile).
        A repository in no listed name and no discover location cannot be known; the README says
        so."""
        fresh = self.services.secrets.get(self.secret_name)
        if config.configured(fresh.annotations) != config.configured(self.snapshot.annotations):
            raise ConfigurationChanged(
                f"the token-rotator.* annotations of {self.secret_name} changed while this "
                f"{self.kind} worked on it"
            )
        step = self.step
        users = self.read_targets(self.targets())
        self.step = step
        return users

    def versions_in_use(self, repositories: Iterable[RemoteRepository]) -> dict[int, list[str]]:
        """Version of this secret -> the repositories that point at it."""
        in_use: dict[int, list[str]] = {}
        for repository in repositories:
            version = self.version_of(repository)
            if version is not None:
                in_use.setdefault(version, []).append(repository.name)
        return in_use

    def drop_aliases_of(self, version: int, successor: int | None = None) -> None:
        """Before `version` is retired, no alias may name it: whether Secret Manager lets an
        alias name a disabled or destroyed version is unconfirmed. `current` moves to
        `successor` (the version every repository was moved to) rather than vanish, so whoever
        points a repository at `current` meanwhile gets a version that stays."""
        aliases = {alias: v for alias, v in self.snapshot.aliases.items() if v != version}
        if successor is not None and self.snapshot.aliases.get(CURRENT) == version:
            aliases[CURRENT] = successor
        if aliases != self.snapshot.aliases:
            self.save(self.state, aliases=aliases)

    def retire_token(self, version: int) -> None:
        """Revoke a version's token upstream, with what was recorded when it was minted and the
        version's name (a source may read the token to find out what it is, if nothing was)."""
        record = self.state.tokens.get(str(version), {})
        self.source.retire(
            {**record, "version": self.snapshot.version_name(version)}, self.source_context()
        )

    def save(self, state: RotationState, aliases: dict[str, int] | None = None) -> None:
        """Write the state (and the aliases) with the etag last read. If the secret changed
        since, read it again (see `changed_since`) and write again over what changed."""
        for _ in range(SAVE_ATTEMPTS):
            annotations = {**self.snapshot.annotations, config.STATE_KEY: state.dump()}
            try:
                self.snapshot = self.services.secrets.write(
                    self.snapshot, annotations=annotations, aliases=aliases
                )
            except SecretChanged:
                self.snapshot = self.changed_since(annotations[config.STATE_KEY], aliases)
                if not _written(self.snapshot, annotations[config.STATE_KEY], aliases):
                    continue
            self.state = state
            return
        raise SecretChanged(f"secret {self.secret_name} kept changing while it was written")

    def changed_since(self, state: str, aliases: dict[str, int] | None) -> SecretSnapshot:
        """After a write failed because the secret changed: the secret as it is now, to write
        again over (or to find the write landed after all, when a retried call failed). Raises
        RotationBusy if another job wrote the rotation's state, and ConfigurationChanged if an
        operator changed the configuration, or the aliases this write sets: then the job reads
        and decides again, so an operator's change is never overwritten."""
        fresh = self.services.secrets.get(self.secret_name)
        if _written(fresh, state, aliases):
            return fresh
        if fresh.annotations.get(config.STATE_KEY) != self.snapshot.annotations.get(
            config.STATE_KEY
        ):
            raise RotationBusy(
                f"another delivery or operator command changed the state of {self.secret_name} "
                "while this one worked on it"
            )
        if config.configured(fresh.annotations) != config.configured(self.snapshot.annotations):
            raise ConfigurationChanged(
                f"the token-rotator.* annotations of {self.secret_name} changed while this "
                f"{self.kind} worked on it"
            )
        if aliases is not None and fresh.aliases != self.snapshot.aliases:
            raise ConfigurationChanged(
                f"the aliases of {self.secret_name} changed while this {self.kind} worked on it"
            )
        return fresh

    def source_context(self, valid_for: timedelta | None = None) -> SourceContext:
        return SourceContext(
            self.snapshot,
            self.config,
            self.services.secrets,
            self.state.rotation or "",
            self.now(),
            resumed=self.resumed,
            valid_for=valid_for,
            secret_reads=self._secret_reads,
        )
