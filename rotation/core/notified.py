"""The secret as its SECRET_ROTATE notification carried it: a rotation's first read, without a
GetSecret.

The body is the Secret's proto3 JSON when the notification was published, with its etag. It is
trusted no further than that etag: the claim writes the lease with it, so if the secret changed
since, that write fails and the secret is read again (`SecretRecord.changed_since`). Whatever
else the copy would lead to (a skip, a lease another holds, a configuration the function cannot
use, a secret that did not opt in) is decided again on the secret read now, since a late or
redelivered notification carries an old copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from rotation.core.errors import ConfigError, ConfigurationChanged, RotationBusy
from rotation.core.events import SecretEvent
from rotation.core.managed_secret import ManagedSecret, Services, Work
from rotation.core.model import SecretSnapshot
from rotation.core.secret_record import SecretRecord
from rotation.core.settings import Settings


class StaleNotification(ConfigurationChanged):
    """What the notification's copy of the secret led to is not acted on: read the secret now."""


def stale(secret: str) -> StaleNotification:
    return StaleNotification(
        f"the copy of {secret} in the notification may be older than the secret"
    )


def copy_of(event: SecretEvent, services: Services) -> SecretSnapshot | None:
    """The secret as the event's body describes it, if the body names it and has an etag."""
    if event.body is None:
        return None
    snapshot = services.secrets.from_notification(event.body)
    return snapshot if snapshot is not None and snapshot.name == event.secret else None


def read(
    event: SecretEvent,
    services: Services,
    settings: Settings,
    work: Work,
    now: Callable[[], datetime],
    *,
    first: bool,
) -> ManagedSecret | SecretRecord:
    """ManagedSecret.read of the event's secret: on the delivery's `first` read, the
    notification's copy if it is of a managed secret with a usable configuration (its record
    then says `copied`); else the secret read now."""
    name = event.secret or ""
    copy = copy_of(event, services) if first else None
    if copy is not None:
        try:
            found = ManagedSecret.read(name, services, settings, work, now, snapshot=copy)
        except ConfigError:
            found = None
        if isinstance(found, ManagedSecret):
            found.record.copied = True
            return found
    return ManagedSecret.read(name, services, settings, work, now)


def recheck_skip(secret: ManagedSecret) -> None:
    """A skip decided on the copy is decided again on the secret read now."""
    if secret.record.copied:
        raise stale(secret.name)


@contextmanager
def rechecked(secret: ManagedSecret) -> Iterator[None]:
    """Around a claim decided on the copy: a lease another holds (by the copy, or by the secret
    the failed write read again) is StaleNotification, so it is decided again on a fresh read."""
    try:
        yield
    except RotationBusy:
        if secret.record.copied:
            raise stale(secret.name) from None
        raise
