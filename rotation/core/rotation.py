"""One rotation of one secret, as resumable steps that each first check whether their work is done.

claim -> checks -> create -> test -> repoint -> retire -> finish (a rotation resumed past `create`
checks only the access again). The checks read everything that can be checked without the new
token, so a rotation that cannot succeed stops before the source mints. The claim writes a lease
into the secret's state annotation with the secret's etag, so of several concurrent deliveries
exactly one proceeds; the others raise RotationBusy and are redelivered later, by when the
rotation is done. Every later write also carries the etag, so a delivery that lost its lease
cannot overwrite.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from rotation.core import egress, logs, secret_users
from rotation.core.checks import preflight
from rotation.core.claim import Claim, decide, log_skip, take_lease
from rotation.core.create import Added, create_pending
from rotation.core.decisions import Outcome, Skip
from rotation.core.errors import (
    ConfigurationChanged,
    RotationBusy,
    RotationError,
    TransientError,
)
from rotation.core.events import SecretEvent
from rotation.core.finish import finish
from rotation.core.managed_secret import ManagedSecret, Services, Work, utc_now
from rotation.core.model import VersionInfo
from rotation.core.repoint import repoint_in_grace
from rotation.core.retire import Retired, retire_expired
from rotation.core.secret_users import Targets
from rotation.core.settings import Settings
from rotation.core.state import PENDING, Phase
from rotation.core.step import step
from rotation.core.token_check import test_pending

RECONFIGURATIONS = 3  # configuration changes one delivery carries on through


class Rotation:
    """Runs (or resumes) the rotation an event asks for. Besides the step it is at (for its logs
    and for where it stopped), it remembers across re-reads of the secret only what this
    delivery did: whether it holds the lease, resumes an earlier attempt, and added a version."""

    def __init__(
        self,
        event: SecretEvent,
        services: Services,
        settings: Settings,
        now: Callable[[], datetime] = utc_now,
        rerun: str = "republish",
    ) -> None:
        """`rerun` is the command that asks again, forced: what a skipped request's remedy names."""
        if event.secret is None:
            raise ValueError("a rotation needs an event that names a secret")
        self.event, self.services, self.settings, self.now = event, services, settings, now
        self.work = Work.new("rotation", event.message_id)
        self.rerun = rerun
        self.at = "load"
        self.secret: ManagedSecret | None = None  # as last read
        self.leased = self.resumed = False
        self._added: Added | None = None

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
            except RotationError as error:
                if self.leased and not isinstance(error, RotationBusy):
                    self.release(error)
                raise
        stopped = reconfigured_too_often(self.event.secret or "")
        self.release(stopped)
        raise stopped

    def run_once(self) -> Outcome:
        secret = self.load()
        if secret is None:
            logs.info(
                "secret has no token-rotator.source annotation; ignored",
                **self.fields(event="not_opted_in"),
            )
            return Outcome.NOT_OPTED_IN
        claim = self.claim(secret)
        if isinstance(claim, Skip):
            return claim.outcome
        with egress.enforced(claim.upstreams):
            self.run_steps(secret, claim)
        return Outcome.COMPLETED

    def run_steps(self, secret: ManagedSecret, claim: Claim) -> None:
        if secret.state.phase is Phase.CREATING:
            self.checks(secret, claim.targets)
            self.create(secret, claim.versions)
        else:
            self.recheck_access(secret, claim.targets)
        pending = secret.snapshot.aliases[PENDING]
        self.test(secret, pending)
        moved = self.repoint(secret, claim.targets, pending)
        retired = self.retire(secret, pending, moved, claim)
        self.finish(secret, pending, retired)

    def fields(self, **extra: object) -> dict[str, object]:
        """What every log line of this rotation carries."""
        return self.work.fields(self.event.secret, self.at, **extra)

    @step("load")
    def load(self) -> ManagedSecret | None:
        secret = self.event.secret or ""
        found = ManagedSecret.read(secret, self.services, self.settings, self.work, self.now)
        self.secret = found if isinstance(found, ManagedSecret) else None
        return self.secret

    @step("claim")
    def claim(self, secret: ManagedSecret) -> Claim | Skip:
        """Take the rotation's lease: a new rotation, or the unfinished one this event resumes."""
        now = self.now()
        decision = decide(secret, self.event, now)
        if isinstance(decision, Skip):
            return log_skip(decision, secret, self.rerun, self.fields())
        targets = self.read_targets(secret)
        upstreams = self.upstreams(secret, targets)
        resuming = secret.state.unfinished and not self.leased
        self.resumed |= resuming
        versions = take_lease(secret, decision, now, resuming=resuming, fields=self.fields())
        self.leased = True
        return Claim(targets, upstreams, versions)

    @step("targets")
    def read_targets(self, secret: ManagedSecret) -> Targets:
        return secret_users.targets_now(secret)

    @step("upstreams")
    def upstreams(self, secret: ManagedSecret, targets: Targets) -> egress.UpstreamPolicy:
        return secret_users.upstream_policy(secret, targets)

    @step("checks")
    def checks(self, secret: ManagedSecret, targets: Targets) -> None:
        preflight(secret, targets, resumed=self.resumed)

    @step("access")
    def recheck_access(self, secret: ManagedSecret, targets: Targets) -> None:
        secret_users.ensure_access(secret, targets)

    @step("create")
    def create(self, secret: ManagedSecret, versions: list[VersionInfo]) -> None:
        """Obtain the token and store it as a new version, recorded as `pending`, at most once."""
        self._added = create_pending(
            secret, versions, self._added, resumed=self.resumed, fields=self.fields()
        )

    @step("test")
    def test(self, secret: ManagedSecret, pending: int) -> None:
        """Check the new token; a token the source still refuses after the retries is abandoned."""
        added = self._added
        token = added[1].token if added is not None and added[0] == pending else None
        test_pending(secret, pending, token, resumed=self.resumed, step=self.at)

    @step("repoint")
    def repoint(self, secret: ManagedSecret, targets: Targets, pending: int) -> Targets:
        """Nothing is retired while a repository refuses: retiring follows a complete repoint."""
        return repoint_in_grace(secret, targets, secret.snapshot.version_name(pending))

    @step("retire")
    def retire(self, secret: ManagedSecret, pending: int, moved: Targets, claim: Claim) -> Retired:
        move = functools.partial(self.repoint, secret, pending=pending)
        return retire_expired(
            secret, pending, moved, claim.versions, move=move, resumed=self.resumed, step=self.at
        )

    @step("finish")
    def finish(self, secret: ManagedSecret, pending: int, retired: Retired) -> None:
        finish(secret, pending, retired, now=self.now(), fields=self.fields())

    def release(self, error: RotationError) -> None:
        """Give up the lease so a redelivery can resume at once, saying where and why it stopped."""
        if self.secret is not None:
            self.secret.record.release(self.fields(), **stopped(error, self.at, self.resumed))


def reconfigured_too_often(secret: str) -> TransientError:
    return TransientError(
        f"the configuration of {secret} changed {RECONFIGURATIONS} times while this delivery "
        "worked on it; the next delivery carries on"
    )


def stopped(error: RotationError, step: str, resumed: bool) -> dict[str, object]:
    """What the state says of a delivery stopped by `error` at `step`. A fresh rotation stopped by
    a permanent failure of its checks has minted and added nothing, so it is FAILED (a republish
    starts a new one). A resumed one stays unfinished: an earlier attempt may have minted a token
    that only resuming finds."""
    transient = isinstance(error, TransientError)
    failed = step == "checks" and not resumed and not transient
    return {
        "error": str(error)[:500],
        "failed_step": step,
        "retryable": transient,
        "stayed": getattr(error, "stayed", {}),
        **({"phase": Phase.FAILED} if failed else {}),
    }
