"""The interface every token source implements: obtain a token, check one, retire one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, Protocol

from rotation.core.annotation_values import PREFIX, secret_reference
from rotation.core.config import RotationConfig
from rotation.core.errors import ConfigError, NotUsable, PermanentError
from rotation.core.formats import Served
from rotation.core.model import SecretSnapshot
from rotation.core.ports import SecretReader
from rotation.core.token import Token


@dataclass(frozen=True)
class NewToken:
    """A token fresh from its source, with what is needed to retire it later (never the token)."""

    token: Token
    expires_at: datetime | None = None
    retire_data: Mapping[str, str] = field(default_factory=dict)

    def record(self, rotation: str) -> dict[str, str]:
        """What retiring the token needs later, never the token: the source's data and the
        rotation that minted it (by which a source can find a token whose id was lost)."""
        record = {**self.retire_data, "rotation": rotation, "fingerprint": self.token.fingerprint}
        if self.expires_at is not None:
            record["expires_at"] = self.expires_at.isoformat()
        return record


def recorded_expiry(record: Mapping[str, str]) -> datetime | None:
    """The expiry a token's record (NewToken.record) holds; None when its source knew none."""
    expires = record.get("expires_at")
    return datetime.fromisoformat(expires) if expires else None


@dataclass(frozen=True)
class SourceContext:
    secret: SecretSnapshot
    config: RotationConfig
    secrets: SecretReader
    rotation_id: str
    now: datetime
    # True when an earlier attempt of this rotation was interrupted: it may have minted a token
    # upstream that never reached the secret, which the source should find and revoke.
    resumed: bool = False
    # How long a checked token must stay valid; None: as long as a new token must (the source's
    # overlap). A rollback asks for less: until the next scheduled rotation replaces it.
    valid_for: timedelta | None = None
    # The job's reads of other secrets (root, staging, minting), shared by all its contexts, so a
    # minting token is read once per job however many tokens it mints and revokes.
    secret_reads: dict[str, Token] = field(default_factory=dict, compare=False, repr=False)
    # The format of the secret's repositories and what they proxy, which decide how a new token
    # is checked; and the username they send with it.
    served: Served = field(default_factory=Served)
    username: str = "__token__"

    def secret_setting(self, key: str) -> str:
        """The full name of a secret an annotation names (a bare id means this project)."""
        return secret_reference(self.config.setting(key), self.secret.name, key)

    def read_secret(self, key: str) -> Token:
        """The newest version of the secret the annotation `key` names, e.g. a minting token."""
        name = f"{self.secret_setting(key)}/versions/latest"
        if name not in self.secret_reads:
            self.secret_reads[name] = self.secrets.access(name)
        return self.secret_reads[name]


class TokenSource(Protocol):
    # The annotations naming the secrets the source reads to obtain a token (root, staging,
    # minting), which `preflight` checks. Sources subclass TokenSource to inherit `preflight`.
    input_secrets: ClassVar[tuple[str, ...]] = ()
    # The source's own annotation keys (without the prefix), besides config.COMMON_KEYS.
    keys: ClassVar[frozenset[str]] = frozenset()

    def default_username(self, config: RotationConfig) -> str | None:
        """The username a token of this source is sent with when token-rotator.username is not
        set (None: the format's usual one)."""
        return None

    def validate(self, config: RotationConfig) -> None:
        """Raise ConfigError (InvalidAnnotations for several) for every one of the source's
        annotations that is missing or wrong; read nothing."""

    def preflight(self, context: SourceContext) -> None:
        """Check, without minting, what `obtain` needs: by default, that each secret in
        `input_secrets` exists and its latest version is enabled. Raises PermanentError with a
        remedy naming the secret."""
        for key in self.input_secrets:
            name = context.secret_setting(key)
            try:
                context.read_secret(key)
            except PermanentError as error:
                fix = f"fix {PREFIX}{key} if that is not the secret; then republish"
                if isinstance(error, NotUsable | ConfigError):
                    remedy = f"add the token to {name} as a new (enabled) version, or {fix}"
                else:  # denied: the secret may not exist, or the grant is missing
                    remedy = f"{error.remedy}; or {fix}"
                raise PermanentError(
                    f"the {key} {name} of source {context.config.source} cannot be read: {error}",
                    remedy=remedy,
                ) from None

    def obtain(self, context: SourceContext) -> NewToken:
        """Get a new token. Called once per rotation; whatever it returns is stored at once."""

    def check(self, token: Token, context: SourceContext) -> None:
        """Return if the token is good; raise TokenRejected if not, TransientError if unsure."""

    def retire(self, retire_data: Mapping[str, str], context: SourceContext) -> None:
        """Revoke a token no repository uses any more; succeed if it is already gone.

        `retire_data` holds what `obtain` recorded (if this tool minted the token), the `rotation`
        that minted it, and the `version` that holds it (still enabled at this point)."""


def token_lifetime(config: RotationConfig, rotation_period: timedelta | None) -> timedelta:
    """How long a new token lives: `token-lifetime`, else twice the secret's rotation period, so
    the token in use always outlives the next rotation."""
    if config.token_lifetime:
        return config.token_lifetime
    if rotation_period:
        return 2 * rotation_period
    raise ConfigError(
        f"source {config.source} needs a token lifetime and the secret has no rotation period",
        remedy="set the secret's rotation period or the annotation token-rotator.token-lifetime",
    )
