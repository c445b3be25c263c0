"""The checks before a rotation asks its source for a token."""

from __future__ import annotations

from rotation.core import secret_users
from rotation.core.conflicts import conflict_error
from rotation.core.managed_secret import ManagedSecret
from rotation.core.model import RemoteRepository


def preflight(secret: ManagedSecret, targets: list[RemoteRepository], *, resumed: bool) -> None:
    """Everything that can be checked without the new token: each target (as read) exists and
    is a remote repository, none is another secret's, the service agents can read the secret,
    and the source's own inputs are usable. Only reads (and the grant, if allowed), so it is
    harmless on a resumed rotation."""
    contested = secret_users.contested(secret, targets)
    if contested:
        raise conflict_error(secret.name, contested)
    secret_users.ensure_access(secret, targets)
    secret.source.preflight(secret.source_context(resumed=resumed))
