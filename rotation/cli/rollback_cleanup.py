"""An operator's rollback and cleanup: jobs on a rotated secret between rotations.

Each checks what it can without writing, then takes the rotation lease (with the etag of what it
read, so a rotation that started meanwhile makes it stop), changes what it must and releases the
lease with its last write. Neither runs while a rotation is unfinished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rotation.core import decisions, egress, logs, secret_users
from rotation.core.errors import PermanentError, RotationError, TokenRejected
from rotation.core.managed_secret import ManagedSecret, Services, Work, utc_now
from rotation.core.repoint import repoint
from rotation.core.retire import retire_versions
from rotation.core.secret_users import targets, targets_now
from rotation.core.settings import Settings
from rotation.core.state import CURRENT, PREVIOUS
from rotation.core.token_check import check_token


@dataclass(frozen=True)
class RollbackResult:
    current: int  # the version the repositories use again
    previous: int | None  # the version they used before the rollback
    repositories: list[str]


@dataclass(frozen=True)
class CleanupResult:
    kept: list[int]
    retired: list[int]
    failed: list[int]  # versions whose token the source could not retire: kept enabled


def refuse_unfinished(secret: ManagedSecret, action: str) -> None:
    state = secret.state
    if not state.unfinished:
        return
    stopped = f"; it stopped at step {state.failed_step}: {state.error}" if state.error else ""
    raise PermanentError(
        f"rotation {state.rotation} of {secret.name} is unfinished (phase {state.phase})"
        f"{stopped}; cannot {action} now",
        remedy=f"finish it first (ar-token-rotator republish {secret.name}, or rotate), "
        "then run this again; `status` shows the rotation's state",
    )


def upstreams(secret: ManagedSecret) -> egress.UpstreamPolicy:
    return secret_users.upstream_policy(secret, targets_now(secret))


class OperatorCommand:
    """An operator's command on one managed secret, named by `kind` in its lease and logs."""

    kind = "command"

    def __init__(
        self,
        name: str,
        services: Services,
        settings: Settings,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.secret = ManagedSecret.require(name, services, settings, Work.new(self.kind), now)


class Rollback(OperatorCommand):
    """Point every repository back at `previous` and swap `current` and `previous`."""

    kind = "rollback"

    def run(self) -> RollbackResult:
        refuse_unfinished(self.secret, "roll back")
        with egress.enforced(upstreams(self.secret)):
            return self.roll_back()

    def roll_back(self) -> RollbackResult:
        secret = self.secret
        name, secrets = secret.name, secret.services.secrets
        current = secret.snapshot.aliases.get(CURRENT)
        previous = decisions.rollback_target(name, secret.snapshot.aliases, secrets.versions(name))
        token = secrets.access(secret.snapshot.version_name(previous))
        context = secret.source_context(valid_for=self.until_next_rotation())
        try:
            check_token(secret, token, context, step="test")
        except TokenRejected as error:
            raise TokenRejected(
                f"the token of version {previous} (`previous`) does not pass the check of source "
                f"{secret.config.source} any more: {error}",
                remedy=f"rotate instead: ar-token-rotator rotate {name} --force",
            ) from None
        record = secret.record
        record.hold(secret.now(), secret.settings.lease)
        try:
            found = targets(secret)
            secret_users.ensure_access(secret, found)
            moved = repoint(secret, found, secret.snapshot.version_name(previous))
            aliases = {**secret.snapshot.aliases, CURRENT: previous}
            if current is None:
                aliases.pop(PREVIOUS)
            else:
                aliases[PREVIOUS] = current
            record.save(record.state.evolve(holder=None, lease_until=None), aliases=aliases)
        except RotationError:
            record.release(secret.fields("finish"))
            raise
        repositories = [r.name for r in moved]
        logs.info(
            f"rolled back: version {previous} is current again",
            **secret.fields(
                "finish", event="rollback_completed", version=previous, repositories=repositories
            ),
        )
        return RollbackResult(previous, current, repositories)

    def until_next_rotation(self) -> timedelta | None:
        """How long the older token must last: until the next scheduled rotation replaces it."""
        due = self.secret.snapshot.next_rotation_time
        now = self.secret.now()
        return due - now if due is not None and due > now else None


class Cleanup(OperatorCommand):
    """Retire now the versions and tokens beyond the keep policy, as a rotation's retire step
    would; never `current`, nor a version a repository points at."""

    kind = "cleanup"

    def run(self) -> CleanupResult:
        refuse_unfinished(self.secret, "clean up")
        with egress.enforced(upstreams(self.secret)):
            return self.clean_up()

    def clean_up(self) -> CleanupResult:
        secret = self.secret
        versions = secret.services.secrets.versions(secret.name)
        repositories = targets_now(secret)
        kept, expired = decisions.retirement(
            versions, None, secret.snapshot.aliases, secret.config.keep_versions, repositories
        )
        if not expired:
            return CleanupResult(kept, [], [])
        record = secret.record
        record.hold(secret.now(), secret.settings.lease)
        try:
            retired = retire_versions(secret, expired, step="retire")
            aliases = {a: v for a, v in secret.snapshot.aliases.items() if str(v) not in retired}
            tokens = {v: data for v, data in record.state.tokens.items() if v not in retired}
            record.save(
                record.state.evolve(holder=None, lease_until=None, tokens=tokens), aliases=aliases
            )
        except RotationError:
            record.release(secret.fields("finish"))
            raise
        failed = [v for v in expired if str(v) not in retired]
        return CleanupResult(kept, sorted(int(v) for v in retired), failed)
