"""Time-driven work: announce due rotations, delete expired secrets, do scheduled destructions."""

from __future__ import annotations

from datetime import datetime

from emulator.secretmanager.model import StoredSecret
from emulator.secretmanager.notifications import Notifier
from emulator.secretmanager.table import SecretTable


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
