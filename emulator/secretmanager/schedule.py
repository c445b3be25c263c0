"""Time-driven work: announce due rotations, delete expired secrets, do scheduled destructions."""

from __future__ import annotations

from datetime import datetime

from emulator.secretmanager.model import StoredSecret
from emulator.secretmanager.notifications import Notifier
from emulator.secretmanager.table import SecretTable


class Schedule:
    """`run_due` only when something may be due: after a write (every write stamps an etag) or
    once the clock reaches the earliest time anything is due. Reading every secret on every
    call made a project of hundreds of secrets cost the emulator, not the caller, each call."""

    def __init__(self, table: SecretTable, notifier: Notifier) -> None:
        self._table = table
        self._notifier = notifier
        self._seen_stamp = -1
        self._next_due: datetime | None = None

    def run(self) -> None:
        stamp = self._table.last_stamp
        due = self._next_due
        if stamp == self._seen_stamp and (due is None or self._table.clock.now() < due):
            self._notifier.retry_undelivered()
            return
        run_due(self._table, self._notifier)
        self._next_due = _earliest(self._table)
        self._seen_stamp = self._table.last_stamp


def _earliest(table: SecretTable) -> datetime | None:
    """The earliest expiry, rotation or scheduled destruction of any secret."""
    times = []
    for entry in table.secrets.values():
        if "expire_time" in entry.secret:
            times.append(entry.secret.expire_time)
        if entry.secret.rotation.next_rotation_time:
            times.append(entry.secret.rotation.next_rotation_time)
        times += [
            v.version.scheduled_destroy_time
            for v in entry.versions.values()
            if v.version.scheduled_destroy_time
        ]
    return min(times, default=None)


def run_due(table: SecretTable, notifier: Notifier) -> None:
    """Everything due by now, after the notifications that waited for their topic."""
    notifier.retry_undelivered()
    now = table.clock.now()
    for name, entry in list(table.secrets.items()):
        if "expire_time" in entry.secret and entry.secret.expire_time <= now:
            del table.secrets[name]
            notifier.publish(entry, "SECRET_DELETE", entry.secret, {"deleteType": "EXPIRATION"})
            continue
        _rotate_if_due(table, notifier, entry, now)
        for version in entry.versions.values():
            scheduled = version.version.scheduled_destroy_time
            if scheduled and scheduled <= now:
                version.destroy(now, table.etag())
                notifier.publish_version(entry, "SECRET_VERSION_DESTROY", version)


def _rotate_if_due(
    table: SecretTable, notifier: Notifier, entry: StoredSecret, now: datetime
) -> None:
    """Move next_rotation_time first, then announce; a jump over several periods announces once
    and lands on the first time of the schedule after now. Without a period it fires once."""
    rotation = entry.secret.rotation
    due = rotation.next_rotation_time
    if not due or due > now:
        return
    period = rotation.rotation_period
    if period:
        rotation.next_rotation_time = due + period * ((now - due) // period + 1)
    else:
        del rotation.next_rotation_time
    entry.secret.etag = table.etag()
    notifier.publish(entry, "SECRET_ROTATE", entry.secret)
