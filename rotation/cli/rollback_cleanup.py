"""An operator's rollback and cleanup: jobs on a rotated secret between rotations.

Each checks what it can without writing, then takes the rotation lease (with the etag of what it
read, so a rotation that started meanwhile makes it stop), changes what it must and releases the
lease with its last write. Neither runs while a rotation is unfinished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rotation.core import decisions, egress, logs
from rotation.core.errors import PermanentError, RotationError, TokenRejected
from rotation.core.secret_job import SecretJob
from rotation.core.state import CURRENT, PREVIOUS


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


def refuse_unfinished(job: SecretJob, action: str) -> None:
    state = job.state
    if not state.unfinished:
        return
    stopped = f"; it stopped at step {state.failed_step}: {state.error}" if state.error else ""
    raise PermanentError(
        f"rotation {state.rotation} of {job.snapshot.name} is unfinished (phase {state.phase})"
        f"{stopped}; cannot {action} now",
        remedy=f"finish it first (ar-token-rotator republish {job.snapshot.name}, or rotate), "
        "then run this again; `status` shows the rotation's state",
    )


class Rollback(SecretJob):
    """Point every repository back at `previous` and swap `current` and `previous`."""

    kind = "rollback"

    def run(self) -> RollbackResult:
        self.load_managed()
        self.step = "check"
        refuse_unfinished(self, "roll back")
        with egress.enforced(self.upstream_policy(self.read_targets(self.targets()))):
            return self.roll_back()

    def roll_back(self) -> RollbackResult:
        self.step = "check"
        name = self.snapshot.name
        current = self.snapshot.aliases.get(CURRENT)
        self.versions = self.services.secrets.versions(name)
        previous = decisions.rollback_target(name, self.snapshot.aliases, self.versions)
        self.step = "test"
        token = self.services.secrets.access(self.snapshot.version_name(previous))
        try:
            self.check_token(token, self.source_context(valid_for=self.until_next_rotation()))
        except TokenRejected as error:
            raise TokenRejected(
                f"the token of version {previous} (`previous`) does not pass the check of source "
                f"{self.config.source} any more: {error}",
                remedy=f"rotate instead: ar-token-rotator rotate {name} --force",
            ) from None
        self.hold()
        try:
            targets = self.targets()
            self.verify_access(targets)
            moved = self.repoint(targets, self.snapshot.version_name(previous))
            self.step = "finish"
            aliases = {**self.snapshot.aliases, CURRENT: previous}
            if current is None:
                aliases.pop(PREVIOUS)
            else:
                aliases[PREVIOUS] = current
            self.save(self.state.evolve(holder=None, lease_until=None), aliases=aliases)
        except RotationError:
            self.release_lease()
            raise
        repositories = [r.name for r in moved]
        logs.info(
            f"rolled back: version {previous} is current again",
            **self.fields(event="rollback_completed", version=previous, repositories=repositories),
        )
        return RollbackResult(previous, current, repositories)

    def until_next_rotation(self) -> timedelta | None:
        """How long the older token must last: until the next scheduled rotation replaces it."""
        due = self.snapshot.next_rotation_time
        now = self.now()
        return due - now if due is not None and due > now else None


class Cleanup(SecretJob):
    """Retire now the versions and tokens beyond the keep policy, as a rotation's retire step
    would; never `current`, nor a version a repository points at."""

    kind = "cleanup"

    def run(self) -> CleanupResult:
        self.load_managed()
        self.step = "check"
        refuse_unfinished(self, "clean up")
        with egress.enforced(self.upstream_policy(self.read_targets(self.targets()))):
            return self.clean_up()

    def clean_up(self) -> CleanupResult:
        self.step = "check"
        self.versions = self.services.secrets.versions(self.snapshot.name)
        repositories = self.read_targets(self.targets())
        kept, expired = self.retirement(None, repositories)
        if not expired:
            return CleanupResult(kept, [], [])
        self.hold()
        try:
            self.step = "retire"
            retired = self.retire_versions(expired)
            self.step = "finish"
            aliases = {a: v for a, v in self.snapshot.aliases.items() if str(v) not in retired}
            tokens = {v: data for v, data in self.state.tokens.items() if v not in retired}
            self.save(
                self.state.evolve(holder=None, lease_until=None, tokens=tokens), aliases=aliases
            )
        except RotationError:
            self.release_lease()
            raise
        failed = [v for v in expired if str(v) not in retired]
        return CleanupResult(kept, sorted(int(v) for v in retired), failed)
