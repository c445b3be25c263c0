"""One rotation of one secret, as resumable steps that each first check whether their work is done.

claim -> create -> access -> test -> repoint -> retire -> finish. The claim writes a lease into the
secret's state annotation with the secret's etag, so of several concurrent deliveries exactly one
proceeds; the others raise RotationBusy and are redelivered later, by when the rotation is done.
Every later write also carries the etag, so a delivery that lost its lease cannot overwrite.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from rotation import config, logs
from rotation.access import AccessChecker, service_agent
from rotation.config import RotationConfig, Settings
from rotation.errors import PermanentError, RotationBusy, RotationError, TokenRejected
from rotation.events import SecretEvent
from rotation.projects import ProjectDirectory
from rotation.repositories import RemoteRepository, RepositoryStore, SecretVersionRef
from rotation.secrets import SecretSnapshot, SecretStore, VersionInfo
from rotation.sources import NewToken, SourceContext, TokenSource
from rotation.state import CURRENT, PENDING, PREVIOUS, Phase, RotationState
from rotation.token import Token


class Outcome(StrEnum):
    COMPLETED = "completed"
    ALREADY_DONE = "already_done"
    SKIPPED = "skipped"
    NOT_OPTED_IN = "not_opted_in"


@dataclass
class Services:
    """The adapters a rotation talks through; one set per function instance."""

    secrets: SecretStore
    repositories: RepositoryStore
    projects: ProjectDirectory
    sources: dict[str, TokenSource]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Rotation:
    """Runs (or resumes) the rotation an event asks for. Holds the secret as last read or written."""

    snapshot: SecretSnapshot
    state: RotationState
    config: RotationConfig
    source: TokenSource

    def __init__(
        self,
        event: SecretEvent,
        services: Services,
        settings: Settings,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        if event.secret is None:
            raise ValueError("a rotation needs an event that names a secret")
        self.event = event
        self.secret_name = event.secret
        self.services = services
        self.settings = settings
        self.now = now
        self.attempt = uuid.uuid4().hex
        self.step = "load"
        self._new_token: Token | None = None
        self.resumed = False
        self.versions: list[VersionInfo] = []

    def fields(self, **extra: object) -> dict[str, object]:
        """What every log line of this rotation carries."""
        return {**self.event.log_fields(), "step": self.step, **extra}

    def run(self) -> Outcome:
        self.snapshot = self.services.secrets.get(self.secret_name)
        if not config.is_opted_in(self.snapshot.annotations):
            logs.info("secret has no token-rotator.source annotation; ignored", **self.fields())
            return Outcome.NOT_OPTED_IN
        self.config = config.load(
            self.snapshot.annotations, self.settings, frozenset(self.services.sources)
        )
        self.source = self.services.sources[self.config.source]
        self.source.validate(self.config)
        self.state = RotationState.load(self.snapshot.annotations)
        skipped = self.claim()
        if skipped is not None:
            return skipped
        try:
            self.run_steps()
        except RotationBusy:
            raise
        except RotationError as error:
            self.release(error)
            raise
        return Outcome.COMPLETED

    def run_steps(self) -> None:
        targets = self.targets()
        if self.state.phase is Phase.CREATING:
            self.create()
        pending = self.snapshot.aliases[PENDING]
        self.verify_access(targets)
        self.test(pending, targets)
        moved = self.repoint(targets, self.snapshot.version_name(pending))
        kept, retired = self.retire(pending, moved)
        self.finish(pending, kept, retired, moved)

    def claim(self) -> Outcome | None:
        """Take the rotation's lease: a new rotation, or the unfinished one this event resumes."""
        self.step = "claim"
        now = self.now()
        state = self.state
        if state.unfinished:
            if state.lease_held_by_other(self.attempt, now):
                raise RotationBusy(
                    f"rotation {state.rotation} of {self.secret_name} is being worked on by another "
                    f"delivery until {state.lease_until}"
                )
            logs.info(f"resuming rotation {state.rotation} at phase {state.phase}", **self.fields())
            self.resumed = True
        else:
            skip = self.skip_reason(now)
            if skip is not None:
                outcome, reason = skip
                logs.info(reason, **self.fields(outcome=outcome.value))
                return outcome
            state = RotationState(
                phase=Phase.CREATING,
                rotation=self.event.message_id,
                forced=self.event.forced,
                requested_at=self.event.published_at,
                started_at=now,
                completed_at=state.completed_at,
                completed_rotation=state.completed_rotation,
                tokens=state.tokens,
            )
        self.versions = self.services.secrets.versions(self.secret_name)
        if state.baseline is None:
            state = state.evolve(baseline=max((v.number for v in self.versions), default=0))
        self.save(state.evolve(holder=self.attempt, lease_until=now + self.settings.lease))
        return None

    def skip_reason(self, now: datetime) -> tuple[Outcome, str] | None:
        event, state = self.event, self.state
        if event.message_id in (state.completed_rotation, state.rotation):
            return (
                Outcome.ALREADY_DONE,
                f"rotation {event.message_id} already ran ({state.phase}); nothing to do",
            )
        if state.completed_at is None:
            return None
        if event.published_at <= state.completed_at:
            return Outcome.SKIPPED, (
                f"a rotation completed at {state.completed_at.isoformat()}, after this request "
                f"was published at {event.published_at.isoformat()}"
            )
        if not event.forced and now - state.completed_at < self.config.min_interval:
            return Outcome.SKIPPED, (
                f"the last rotation completed at {state.completed_at.isoformat()}, within the minimum "
                "interval; republish with force=true to rotate anyway"
            )
        return None

    def targets(self) -> list[RemoteRepository]:
        """The listed repositories plus every discovered one whose credential uses this secret."""
        self.step = "targets"
        targets = {name: RemoteRepository(name, "", "") for name in self.config.repositories}
        secret_id = self.snapshot.name.rsplit("/", 1)[-1]
        for location in self.config.discover:
            for repository in self.services.repositories.list_remote(location):
                ref = SecretVersionRef.parse(repository.password_secret_version)
                if (
                    ref is not None
                    and ref.secret_id == secret_id
                    and self.services.projects.number(ref.project) == self.snapshot.project_number
                ):
                    targets[repository.name] = repository
        if not targets:
            raise PermanentError(
                f"no remote repository found that uses secret {self.snapshot.name}",
                remedy="check token-rotator.repositories and token-rotator.discover",
            )
        return list(targets.values())

    def create(self) -> None:
        """Obtain the token and store it as a new version, recorded as `pending`, at most once."""
        self.step = "create"
        version = self.adopt()
        record = {"adopted": "true", "rotation": self.state.rotation or ""}
        if version is None:
            new = self.source.obtain(self.source_context())
            version = self.services.secrets.add_version(self.snapshot.name, new.token)
            self._new_token = new.token
            record = _token_record(new, self.state.rotation or "")
            logs.info(
                f"added version {version} with the new token",
                **self.fields(version=version, fingerprint=new.token.fingerprint),
            )
        state = self.state.evolve(
            phase=Phase.PENDING, tokens={**self.state.tokens, str(version): record}
        )
        self.save(state, aliases={**self.snapshot.aliases, PENDING: version})

    def adopt(self) -> int | None:
        """After a crash between adding the version and recording it, find that version again:
        the newest enabled one above the baseline the claim recorded (none, on a fresh claim,
        since the baseline comes from the same listing)."""
        baseline = self.state.baseline or 0
        added = [v.number for v in self.versions if v.enabled and v.number > baseline]
        if not added:
            return None
        logs.warning(
            f"adopting version {added[0]}, added by an interrupted attempt of this rotation",
            **self.fields(version=added[0]),
        )
        return added[0]

    def verify_access(self, targets: list[RemoteRepository]) -> None:
        self.step = "access"
        agents = {service_agent(self.services.projects.number(r.project)) for r in targets}
        AccessChecker(self.services.secrets, self.services.projects).ensure(
            self.snapshot, agents, self.config.grant_access
        )

    def test(self, pending: int, targets: list[RemoteRepository]) -> None:
        """Check the new token, a few times, since a fresh token may take a moment to work upstream."""
        self.step = "test"
        token = self._new_token or self.services.secrets.access(self.snapshot.version_name(pending))
        for attempt in range(1, self.settings.check_attempts + 1):
            try:
                self.source.check(token, self.source_context())
                return
            except TokenRejected as error:
                if attempt == self.settings.check_attempts:
                    self.abandon(pending, targets, error)
                    raise
                time.sleep(self.settings.check_delay.total_seconds())

    def abandon(self, pending: int, targets: list[RemoteRepository], error: TokenRejected) -> None:
        """A rejected token is never used: disable its version and clear `pending` so the next
        rotation can start, unless a repository already points at it (then an operator decides)."""
        self.step = "abandon"
        version_name = self.snapshot.version_name(pending)
        in_use = [
            r.name
            for r in targets
            if self.services.repositories.get(r.name).password_secret_version == version_name
        ]
        if in_use:
            logs.error(
                "the new token was rejected but repositories already use it; leaving it in place",
                **self.fields(repositories=in_use),
            )
            return
        self.retire_token(pending)
        self.services.secrets.retire_version(version_name, destroy=False)
        aliases = {alias: v for alias, v in self.snapshot.aliases.items() if alias != PENDING}
        self.save(
            self.state.evolve(
                phase=Phase.FAILED, holder=None, lease_until=None, error=str(error)[:500]
            ),
            aliases=aliases,
        )

    def repoint(self, targets: list[RemoteRepository], version_name: str) -> list[RemoteRepository]:
        """Point every target at the new version; those already there are left alone."""
        self.step = "repoint"
        username = self.config.username

        def move(target: RemoteRepository) -> RemoteRepository:
            if target.password_secret_version == version_name and target.username == username:
                return target
            moved = self.services.repositories.repoint(target.name, username, version_name)
            logs.info(
                f"repointed {target.name} to {version_name}", **self.fields(repository=target.name)
            )
            return moved

        if len(targets) == 1:
            return [move(targets[0])]
        with ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
            return list(pool.map(move, targets))

    def retire(self, pending: int, moved: list[RemoteRepository]) -> tuple[list[int], set[str]]:
        """Retire the tokens and versions beyond the keep policy, never one a repository points at.

        Runs before `finish`, so a crash here is resumed by the next delivery; each retirement
        succeeds when already done. The versions are those listed when the rotation was claimed."""
        self.step = "retire"
        enabled = [v.number for v in self.versions if v.enabled and v.number != pending]
        current = self.snapshot.aliases.get(CURRENT)
        protected = [pending] if current is None else [pending, current]
        kept = list(dict.fromkeys(protected + enabled))[: self.config.keep_versions]
        in_use = {SecretVersionRef.parse(r.password_secret_version) for r in moved}
        retired: set[str] = set()
        for version in enabled:
            if version in kept or any(ref and ref.version == str(version) for ref in in_use):
                continue
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
        return kept, retired

    def retire_token(self, version: int) -> None:
        """Revoke a version's token upstream, with what was recorded when it was minted and the
        version's name (a source may read the token to find out what it is, if nothing was)."""
        record = self.state.tokens.get(str(version), {})
        self.source.retire(
            {**record, "version": self.snapshot.version_name(version)}, self.source_context()
        )

    def finish(
        self, pending: int, kept: list[int], retired: set[str], moved: list[RemoteRepository]
    ) -> None:
        """`current` -> the new version, `previous` -> the old one, `pending` cleared, lease released."""
        self.step = "finish"
        aliases = {
            alias: v
            for alias, v in self.snapshot.aliases.items()
            if alias not in (PENDING, PREVIOUS)
        }
        previous = self.snapshot.aliases.get(CURRENT) or next(
            (v for v in kept if v < pending), None
        )
        aliases[CURRENT] = pending
        if previous is not None and previous != pending and previous in kept:
            aliases[PREVIOUS] = previous
        self.save(
            self.state.evolve(
                phase=Phase.DONE,
                holder=None,
                lease_until=None,
                error=None,
                completed_at=self.now(),
                completed_rotation=self.state.rotation,
                tokens={v: data for v, data in self.state.tokens.items() if v not in retired},
            ),
            aliases=aliases,
        )
        logs.info(
            f"rotation completed: version {pending} is current",
            **self.fields(
                event="rotation_completed",
                version=pending,
                previous=aliases.get(PREVIOUS),
                repositories=[r.name for r in moved],
                retired_versions=sorted(int(v) for v in retired),
            ),
        )

    def release(self, error: RotationError) -> None:
        """Give up the lease so a redelivery can resume at once; best effort, it expires anyway."""
        try:
            snapshot = self.services.secrets.get(self.secret_name)
            state = RotationState.load(snapshot.annotations)
            if state.holder == self.attempt:
                self.snapshot = snapshot
                self.save(state.evolve(holder=None, lease_until=None, error=str(error)[:500]))
        except RotationError as release_error:
            logs.warning(f"could not release the rotation lease: {release_error}", **self.fields())

    def save(self, state: RotationState, aliases: dict[str, int] | None = None) -> None:
        annotations = {**self.snapshot.annotations, config.STATE_KEY: state.dump()}
        self.snapshot = self.services.secrets.write(
            self.snapshot, annotations=annotations, aliases=aliases
        )
        self.state = state

    def source_context(self) -> SourceContext:
        return SourceContext(
            self.snapshot,
            self.config,
            self.services.secrets,
            self.state.rotation or "",
            self.now(),
            resumed=self.resumed,
        )


def _token_record(new: NewToken, rotation: str) -> dict[str, str]:
    """What retiring the token needs later, never the token: the source's data and the rotation
    that minted it (by which a source can find a token whose id was lost)."""
    record = {**new.retire_data, "rotation": rotation}
    record["fingerprint"] = new.token.fingerprint
    if new.expires_at is not None:
        record["expires_at"] = new.expires_at.isoformat()
    return record
