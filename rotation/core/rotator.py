"""One rotation of one secret, as resumable steps that each first check whether their work is done.

claim -> checks -> create -> test -> repoint -> retire -> finish (a rotation resumed past `create`
checks only the access again). The checks read everything that can be checked without the new
token, so a rotation that cannot succeed stops before the source mints. The claim writes a lease
into the secret's state annotation with the secret's etag, so of several concurrent deliveries
exactly one proceeds; the others raise RotationBusy and are redelivered later, by when the
rotation is done.
Every later write also carries the etag, so a delivery that lost its lease cannot overwrite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rotation.core import decisions, egress, logs
from rotation.core.conflicts import conflict_error
from rotation.core.decisions import Outcome, Skip, rollback_outlook
from rotation.core.durations import format_duration
from rotation.core.errors import (
    ConfigurationChanged,
    RotationBusy,
    RotationError,
    TokenRejected,
    TransientError,
    UpstreamValidationFailed,
)
from rotation.core.events import SecretEvent
from rotation.core.model import RemoteRepository
from rotation.core.secret_job import SecretJob, Services, utc_now
from rotation.core.settings import Settings
from rotation.core.source import NewToken
from rotation.core.state import PENDING, PREVIOUS, Phase, RotationState

__all__ = ["Outcome", "Rotation", "Services", "utc_now"]


RECONFIGURATIONS = 3  # configuration changes one delivery carries on through


class Rotation(SecretJob):
    """Runs (or resumes) the rotation an event asks for."""

    kind = "rotation"

    def __init__(
        self,
        event: SecretEvent,
        services: Services,
        settings: Settings,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        if event.secret is None:
            raise ValueError("a rotation needs an event that names a secret")
        super().__init__(event.secret, services, settings, now, job_id=event.message_id)
        self.event = event
        self.leased = False  # whether this delivery took the lease (and must give it up)
        self._added: tuple[int, NewToken] | None = None  # the version this delivery added
        self.stayed: dict[str, str] = {}  # repositories the last repoint could not move, and why

    def run(self) -> Outcome:
        """Run the steps; when an operator changes the secret's configuration meanwhile, read it
        again and carry on from the last step saved, with the lease still held."""
        for _ in range(RECONFIGURATIONS):
            try:
                return self.run_once()
            except ConfigurationChanged as change:
                logs.info(
                    f"{change}; reading the secret again and carrying on",
                    **self.fields(event="configuration_changed"),
                )
            except RotationBusy:
                raise
            except RotationError as error:
                if self.leased:
                    self.release(error)
                raise
        stopped = TransientError(
            f"the configuration of {self.secret_name} changed {RECONFIGURATIONS} times while "
            "this delivery worked on it; the next delivery carries on"
        )
        self.release(stopped)
        raise stopped

    def run_once(self) -> Outcome:
        if not self.load():
            logs.info("secret has no token-rotator.source annotation; ignored", **self.fields())
            return Outcome.NOT_OPTED_IN
        claimed = self.claim()
        if isinstance(claimed, Outcome):
            return claimed
        targets, upstreams = claimed
        with egress.enforced(upstreams):
            self.run_steps(targets)
        return Outcome.COMPLETED

    def run_steps(self, targets: list[RemoteRepository]) -> None:
        if self.state.phase is Phase.CREATING:
            targets = self.preflight(targets)
            self.create()
        else:
            self.verify_access(targets)
        pending = self.snapshot.aliases[PENDING]
        self.test(pending, targets)
        moved = self.repoint_all(targets, self.snapshot.version_name(pending))
        kept, retired, moved = self.retire(pending, moved)
        self.finish(pending, kept, retired, moved)

    def claim(self) -> Outcome | tuple[list[RemoteRepository], egress.UpstreamPolicy]:
        """Take the rotation's lease: a new rotation, or the unfinished one this event resumes.
        Returns the targets as read and the hosts the rotation may contact, or why it is
        skipped."""
        self.step = "claim"
        now = self.now()
        decision = self.decide(now)
        if isinstance(decision, Skip):
            logs.info(decision.reason, **self.fields(outcome=decision.outcome.value))
            return decision.outcome
        state = decision
        targets = self.read_targets(self.targets())
        upstreams = self.upstream_policy(targets)
        self.step = "claim"
        if self.state.unfinished and not self.leased:
            logs.info(f"resuming rotation {state.rotation} at phase {state.phase}", **self.fields())
            self.resumed = True
        self.versions = self.services.secrets.versions(self.secret_name)
        if state.baseline is None:
            state = state.evolve(baseline=max((v.number for v in self.versions), default=0))
        self.save(state.evolve(holder=self.attempt, lease_until=now + self.settings.lease))
        self.leased = True
        return targets, upstreams

    def decide(self, now: datetime) -> RotationState | Skip:
        """What this event asks for now (see decisions.claim); RotationBusy while another
        delivery or an operator command holds the lease."""
        self.ensure_free(now)
        return decisions.claim(self.state, self.event, now, self.config.min_interval)

    def preflight(self, targets: list[RemoteRepository]) -> list[RemoteRepository]:
        """Before the source is asked for a token, everything that can be checked without it:
        each target exists and is a remote repository, none is another secret's, the service
        agents can read the secret, and the source's own inputs are usable. Only reads (and the
        grant, if allowed), so it is harmless on a resumed rotation. Returns the targets as read."""
        self.step = "checks"
        contested = self.conflicts(targets)
        if contested:
            raise conflict_error(self.snapshot.name, contested)
        self.ensure_access(targets)
        self.source.preflight(self.source_context())
        return targets

    def create(self) -> None:
        """Obtain the token and store it as a new version, recorded as `pending`, at most once."""
        self.step = "create"
        if self._added is None:
            version = self.adopt()
            record = {"adopted": "true", "rotation": self.state.rotation or ""}
        else:
            version, new = self._added  # added before the configuration changed: see run()
            record = _token_record(new, self.state.rotation or "")
        if version is None:
            new = self.source.obtain(self.source_context())
            version = self.services.secrets.add_version(self.snapshot.name, new.token)
            self._added = version, new
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
        version = self.adoptable()
        if version is not None:
            logs.warning(
                f"adopting version {version}, added by an interrupted attempt of this rotation",
                **self.fields(version=version),
            )
        return version

    def adoptable(self) -> int | None:
        return decisions.adoptable(self.versions, self.state.baseline)

    def test(self, pending: int, targets: list[RemoteRepository]) -> None:
        """Check the new token; a token the source still refuses after the retries is abandoned."""
        self.step = "test"
        added = self._added
        token = (
            added[1].token
            if added is not None and added[0] == pending
            else self.services.secrets.access(self.snapshot.version_name(pending))
        )
        try:
            self.check_token(token, self.source_context())
        except TokenRejected as error:
            self.abandon(pending, targets, error)
            self.step = "test"
            raise
        logs.info(f"the new token passed the check of source {self.config.source}", **self.fields())

    def abandon(self, pending: int, targets: list[RemoteRepository], error: TokenRejected) -> None:
        """A rejected token is never used: disable its version and clear `pending` so the next
        rotation can start, unless a repository already points at it (then an operator decides)."""
        self.step = "abandon"
        version_name = self.snapshot.version_name(pending)
        in_use = self.versions_in_use(self.users_now()).get(pending)
        if in_use:
            logs.error(
                "the new token was rejected but repositories already use it; leaving it in place",
                **self.fields(repositories=in_use),
            )
            return
        self.retire_token(pending)
        # `pending` goes first: no alias may name a version being disabled (see drop_aliases_of).
        aliases = {alias: v for alias, v in self.snapshot.aliases.items() if v != pending}
        self.save(
            self.state.evolve(
                phase=Phase.FAILED,
                holder=None,
                lease_until=None,
                error=str(error)[:500],
                failed_step="test",
                retryable=False,
            ),
            aliases=aliases,
        )
        self.services.secrets.retire_version(version_name, destroy=False)

    def repoint_all(
        self, targets: list[RemoteRepository], version_name: str
    ) -> list[RemoteRepository]:
        """Repoint; Artifact Registry refusing the new credential is transient (redelivered)
        while the rotation is younger than REPOINT_GRACE, since a new token or grant can take
        a while to reach Artifact Registry or the upstream, and permanent after that. Nothing is
        retired meanwhile: retiring follows a complete repoint."""
        try:
            moved = self.repoint(targets, version_name)
        except UpstreamValidationFailed as error:
            self.stayed = error.stayed
            started = self.state.started_at or self.now()
            age = self.now() - started
            if age < self.settings.repoint_grace:
                raise TransientError(
                    f"{error}; the rotation started {format_duration(age)} ago, so it is retried "
                    f"until REPOINT_GRACE ({format_duration(self.settings.repoint_grace)}) has "
                    "passed"
                ) from None
            raise
        self.stayed = {}
        return moved

    def retire(
        self, pending: int, moved: list[RemoteRepository]
    ) -> tuple[list[int], set[str], list[RemoteRepository]]:
        """Retire the tokens and versions beyond the keep policy, never one a repository points at.

        Runs before `finish`, so a crash here is resumed by the next delivery; each retirement
        succeeds when already done. The versions are those listed when the rotation was claimed;
        the repositories are read again first, and one that appeared on an older version of the
        secret meanwhile (in a discover location) is moved too. Returns what was kept, what was
        retired and every repository on the new version."""
        self.step = "retire"
        kept, expired = self.retirement(pending, moved)
        if not expired:
            return kept, set(), moved
        users = self.users_now()
        strays = [r for r in users if self.version_of(r) not in (None, pending)]
        if strays:
            self.step = "repoint"
            logs.info(
                "repositories appeared on older versions meanwhile; moving them too",
                **self.fields(repositories=[r.name for r in strays]),
            )
            users = [r for r in users if r not in strays] + self.repoint_all(
                strays, self.snapshot.version_name(pending)
            )
            moved = moved + [r for r in users if r.name in {s.name for s in strays}]
            self.step = "retire"
        return kept, self.retire_versions(expired, successor=pending, users=users), moved

    def finish(
        self, pending: int, kept: list[int], retired: set[str], moved: list[RemoteRepository]
    ) -> None:
        """`current` -> the new version, `previous` -> the old one, `pending` cleared, lease released."""
        self.step = "finish"
        aliases = self.final_aliases(pending, kept)
        self.save(
            self.state.evolve(
                phase=Phase.DONE,
                holder=None,
                lease_until=None,
                error=None,
                failed_step=None,
                retryable=False,
                completed_at=self.now(),
                completed_rotation=self.state.rotation,
                tokens={v: data for v, data in self.state.tokens.items() if v not in retired},
                stayed={},
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
                rollback=rollback_outlook(self.config.keep_versions, aliases.get(PREVIOUS)),
            ),
        )

    def final_aliases(self, pending: int, kept: list[int]) -> dict[str, int]:
        return decisions.final_aliases(self.snapshot.aliases, pending, kept)

    def release(self, error: RotationError) -> None:
        """Give up the lease so a redelivery can resume at once, saying where and why it stopped.

        A fresh rotation stopped by a permanent failure of its checks has minted and added
        nothing, so it is FAILED (a republish starts a new one). A resumed one stays unfinished:
        an earlier attempt may have minted a token that only resuming finds."""
        failed = (
            self.step == "checks" and not self.resumed and not isinstance(error, TransientError)
        )
        self.release_lease(
            error=str(error)[:500],
            failed_step=self.step,
            retryable=isinstance(error, TransientError),
            stayed=self.stayed,
            **({"phase": Phase.FAILED} if failed else {}),
        )


def _token_record(new: NewToken, rotation: str) -> dict[str, str]:
    """What retiring the token needs later, never the token: the source's data and the rotation
    that minted it (by which a source can find a token whose id was lost)."""
    record = {**new.retire_data, "rotation": rotation}
    record["fingerprint"] = new.token.fingerprint
    if new.expires_at is not None:
        record["expires_at"] = new.expires_at.isoformat()
    return record
