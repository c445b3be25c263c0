"""Retiring old versions of a managed secret: their tokens revoked upstream, their aliases moved
away, the versions disabled (or destroyed after the secret's TTL), never one in use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rotation.core import decisions, logs
from rotation.core.errors import PermanentError, TokenRejected
from rotation.core.history import Ended
from rotation.core.managed_secret import ManagedSecret
from rotation.core.model import RemoteRepository, VersionInfo
from rotation.core.secret_users import strays, users_now, versions_in_use
from rotation.core.state import CURRENT, Phase


@dataclass(frozen=True)
class Retired:
    """After the retire step: the versions kept, those retired, every repository moved."""

    kept: list[int]
    retired: set[str]
    moved: list[RemoteRepository]


def retire_expired(
    secret: ManagedSecret,
    pending: int,
    moved: list[RemoteRepository],
    versions: list[VersionInfo],
    *,
    move: Callable[[list[RemoteRepository]], list[RemoteRepository]],
    resumed: bool,
    step: str,
) -> Retired:
    """Retire the tokens and versions beyond the keep policy, never one a repository points at.

    Runs before a rotation finishes, so a crash here is resumed by the next delivery; each
    retirement succeeds when already done. The versions are those listed when the rotation was
    claimed; the repositories are read again first, and one that appeared on an older version of
    the secret meanwhile (in a discover location) is moved (`move`) too. Returns what was kept,
    what was retired and every repository on the new version."""
    kept, expired = decisions.retirement(
        versions, pending, secret.snapshot.aliases, secret.config.keep_versions, moved
    )
    if not expired:
        return Retired(kept, set(), moved)
    users = users_now(secret)
    found = strays(secret, users, pending)
    if found:
        logs.info(
            "repositories appeared on older versions meanwhile; moving them too",
            **secret.fields(step, repositories=[r.name for r in found]),
        )
        names = {r.name for r in found}
        users = [r for r in users if r.name not in names] + move(found)
        moved = moved + [r for r in users if r.name in names]
    retired = retire_versions(
        secret, expired, step=step, successor=pending, users=users, resumed=resumed
    )
    return Retired(kept, retired, moved)


def retire_versions(
    secret: ManagedSecret,
    versions: list[int],
    *,
    step: str,
    successor: int | None = None,
    users: list[RemoteRepository] | None = None,
    resumed: bool = False,
) -> set[str]:
    """Revoke each version's token where the source can, then disable the version (destroy it
    where the secret's destroy TTL makes that a delay). First, every repository that uses the
    secret is read again, and a version one points at is kept. Each succeeds when already
    done; a token the source cannot revoke is logged and its version kept. `successor` is
    the version `current` moves to if it names one of these (see drop_aliases_of); `users`, the
    repositories as the caller just read them again. Returns the versions retired."""
    if not versions:
        return set()
    in_use = versions_in_use(secret, users_now(secret) if users is None else users)
    retired: set[str] = set()
    for version in versions:
        fields = secret.fields(step, version=version)
        if version in in_use:
            logs.warning(
                f"kept version {version}: a repository points at it",
                **fields,
                repositories=in_use[version],
            )
            continue
        drop_aliases_of(secret, version, successor)
        try:
            retire_token(secret, version, resumed=resumed)
        except PermanentError as error:
            logs.error(
                f"could not retire the token of version {version}: {error}",
                **fields,
                event="retire_failed",
                remedy=error.remedy,
            )
            continue
        secret.services.secrets.retire_version(
            secret.snapshot.version_name(version), destroy=secret.snapshot.destroys_with_ttl
        )
        retired.add(str(version))
        logs.info(f"retired version {version}", **fields)
    return retired


def drop_aliases_of(secret: ManagedSecret, version: int, successor: int | None = None) -> None:
    """Before `version` is retired, no alias may name it: whether Secret Manager lets an
    alias name a disabled or destroyed version is unconfirmed. `current` moves to
    `successor` (the version every repository was moved to) rather than vanish, so whoever
    points a repository at `current` meanwhile gets a version that stays."""
    current = secret.snapshot.aliases
    aliases = {alias: v for alias, v in current.items() if v != version}
    if successor is not None and current.get(CURRENT) == version:
        aliases[CURRENT] = successor
    if aliases != current:
        secret.record.save(secret.state, aliases=aliases)


def retire_token(secret: ManagedSecret, version: int, *, resumed: bool = False) -> None:
    """Revoke a version's token upstream, with what was recorded when it was minted and the
    version's name (a source may read the token to find out what it is, if nothing was)."""
    record = secret.state.tokens.get(str(version), {})
    secret.source.retire(
        {**record, "version": secret.snapshot.version_name(version)},
        secret.source_context(resumed=resumed),
    )


def abandon(
    secret: ManagedSecret, pending: int, error: TokenRejected, *, resumed: bool, step: str
) -> None:
    """A rejected token is never used: disable its version and clear `pending` so the next
    rotation can start, unless a repository already points at it (then an operator decides)."""
    in_use = versions_in_use(secret, users_now(secret)).get(pending)
    if in_use:
        logs.error(
            "the new token was rejected but repositories already use it; leaving it in place",
            **secret.fields(step, repositories=in_use),
        )
        return
    retire_token(secret, pending, resumed=resumed)
    # `pending` goes first: no alias may name a version being disabled (see drop_aliases_of).
    aliases = {alias: v for alias, v in secret.snapshot.aliases.items() if v != pending}
    failed = secret.state.evolve(
        phase=Phase.FAILED,
        holder=None,
        lease_until=None,
        error=str(error)[:500],
        failed_step="test",
        retryable=False,
    ).ended(Ended.ABANDONED, secret.now(), version=pending, reason=str(error))
    secret.record.save(failed, aliases=aliases)
    secret.services.secrets.retire_version(secret.snapshot.version_name(pending), destroy=False)
