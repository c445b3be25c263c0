"""One secret as last read or written, written back with the etag it was read with.

The state annotation holds the lease that says who works on the secret now: while one rotation
or operator command holds it, every other raises RotationBusy. A change only its holder needs
until its next write can be deferred to that write (`defer`): then `snapshot` and `state` show
it, `stored` is the secret as last read or written, and the next write (or the release) carries
it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from rotation.core import config, logs
from rotation.core.annotation_values import STATE_KEY
from rotation.core.errors import ConfigurationChanged, RotationBusy, RotationError, SecretChanged
from rotation.core.model import SecretSnapshot
from rotation.core.ports import Secrets
from rotation.core.state import RotationState

SAVE_ATTEMPTS = 3  # writes of one change while others (operators, not rotations) change the secret


def holds(snapshot: SecretSnapshot, state: str, aliases: dict[str, int] | None) -> bool:
    """Whether `snapshot` already holds this state annotation (and these aliases)."""
    return snapshot.annotations.get(STATE_KEY) == state and aliases in (
        None,
        snapshot.aliases,
    )


def configuration_changed(name: str, work: str) -> ConfigurationChanged:
    return ConfigurationChanged(
        f"the token-rotator.* annotations of {name} changed while this {work} worked on it"
    )


class SecretRecord:
    """The secret and its state as last read or written; `work` names who writes ("rotation",
    "rollback", ...) in what it raises, and `attempt` is its lease holder's id."""

    def __init__(self, secrets: Secrets, snapshot: SecretSnapshot, work: str, attempt: str):
        self.secrets = secrets
        self.snapshot = self.stored = snapshot
        self.state = RotationState.load(snapshot.annotations)
        self.work = work
        self.attempt = attempt

    @property
    def name(self) -> str:
        return self.snapshot.name

    @property
    def deferred(self) -> bool:
        """Whether `snapshot` holds a deferred change the secret does not have yet."""
        return self.snapshot is not self.stored

    def defer(self, state: RotationState, aliases: dict[str, int]) -> None:
        """Take `state` and `aliases` as written, for the next write to carry: no call."""
        annotations = {**self.snapshot.annotations, STATE_KEY: state.dump()}
        self.snapshot = dataclasses.replace(self.snapshot, annotations=annotations, aliases=aliases)
        self.state = state

    def save(self, state: RotationState, aliases: dict[str, int] | None = None) -> None:
        """Write the state (and the aliases, or the deferred ones) with the etag last read. If
        the secret changed since, read it again (see `changed_since`) and write again over what
        changed."""
        if aliases is None and self.deferred:
            aliases = self.snapshot.aliases
        for _ in range(SAVE_ATTEMPTS):
            annotations = {**self.snapshot.annotations, STATE_KEY: state.dump()}
            try:
                self.snapshot = self.stored = self.secrets.write(
                    self.snapshot, annotations=annotations, aliases=aliases
                )
            except SecretChanged:
                self.snapshot = self.stored = self.changed_since(annotations[STATE_KEY], aliases)
                if not holds(self.snapshot, annotations[STATE_KEY], aliases):
                    continue
            self.state = state
            return
        raise SecretChanged(f"secret {self.name} kept changing while it was written")

    def changed_since(self, state: str, aliases: dict[str, int] | None) -> SecretSnapshot:
        """After a write failed because the secret changed: the secret as it is now, to write
        again over (or to find the write landed after all, when a retried call failed). Raises
        RotationBusy if another rotation or command wrote the state, and ConfigurationChanged if
        an operator changed the configuration, or the aliases this write sets: then the work
        reads and decides again, so an operator's change is never overwritten."""
        fresh = self.secrets.get(self.name)
        if holds(fresh, state, aliases):
            return fresh
        if fresh.annotations.get(STATE_KEY) != self.stored.annotations.get(STATE_KEY):
            raise RotationBusy(
                f"another delivery or operator command changed the state of {self.name} "
                "while this one worked on it"
            )
        self.check_configuration(fresh)
        if aliases is not None and fresh.aliases != self.stored.aliases:
            raise ConfigurationChanged(
                f"the aliases of {self.name} changed while this {self.work} worked on it"
            )
        return fresh

    def check_configuration(self, fresh: SecretSnapshot) -> None:
        """ConfigurationChanged if `fresh` is configured otherwise than the secret as read."""
        if config.configured(fresh.annotations) != config.configured(self.stored.annotations):
            raise configuration_changed(self.name, self.work)

    def ensure_free(self, now: datetime) -> None:
        """Raise RotationBusy while another delivery or operator command holds the lease."""
        state = self.state
        if state.lease_held_by_other(self.attempt, now):
            raise RotationBusy(
                f"secret {self.name} is being worked on by another delivery or operator "
                f"command ({state.holder}, rotation {state.rotation}) until {state.lease_until}"
            )

    def hold(self, now: datetime, lease: timedelta, state: RotationState | None = None) -> None:
        """Take the lease until `now + lease` (saving `state`, if given, with it)."""
        self.ensure_free(now)
        base = self.state if state is None else state
        self.save(base.evolve(holder=self.attempt, lease_until=now + lease))

    def release(self, fields: dict[str, object], **changes: Any) -> None:
        """Give up the lease (with `changes` to the state, and any deferred change if nobody
        wrote the secret since); best effort, since it expires anyway."""
        try:
            snapshot = self.secrets.get(self.name)
            state = RotationState.load(snapshot.annotations)
            if state.holder == self.attempt:
                aliases = None
                if self.deferred and unchanged(snapshot, self.stored):
                    state, aliases = self.state, self.snapshot.aliases
                self.snapshot = self.stored = snapshot
                self.save(state.evolve(holder=None, lease_until=None, **changes), aliases)
        except RotationError as release_error:
            logs.warning(f"could not release the rotation lease: {release_error}", **fields)


def unchanged(fresh: SecretSnapshot, stored: SecretSnapshot) -> bool:
    """Whether nobody wrote the state or the aliases since `stored` was read or written."""
    return (
        fresh.annotations.get(STATE_KEY) == stored.annotations.get(STATE_KEY)
        and fresh.aliases == stored.aliases
    )
