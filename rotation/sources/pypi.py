"""PyPI tokens. pypi.org has no API to mint or revoke tokens, so two ways remain:

- `pypi-derived`: derive a time-boxed token from a root token kept in another secret, by adding a
  date caveat to its macaroon (offline; the root token never leaves this process).
- `pypi-staged`: take the newest token an operator put into a staging secret.

Neither can be revoked through an API: a derived token expires by itself, a staged one is deleted
in PyPI's web UI. Tokens are checked offline, and against an index when one is configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx

from rotation.checks import check_upstream
from rotation.core import logs
from rotation.core.annotation_values import PREFIX
from rotation.core.config import RotationConfig
from rotation.core.durations import format_duration
from rotation.core.errors import ConfigError, NotUsable, PermanentError, TokenRejected
from rotation.core.source import NewToken, SourceContext, TokenSource, token_lifetime
from rotation.core.state import CURRENT
from rotation.core.token import Token

if TYPE_CHECKING:
    import pypitoken

_NOT_BEFORE_SLACK = timedelta(minutes=5)


def _load(token: Token, what: str) -> pypitoken.Token:
    # Imported here, not above: pypitoken (and the jsonschema it loads) adds a tenth to the cold
    # start of every instance, and most instances only acknowledge notifications.
    import pypitoken

    try:
        return pypitoken.Token.load(token.reveal())
    except pypitoken.PyPITokenException as error:
        raise TokenRejected(
            f"{what} is not a PyPI API token ({type(error).__name__})",
            remedy="store a token that starts with pypi- as created in PyPI's account settings",
        ) from None


def check_offline(token: Token, now: datetime, valid_for: timedelta) -> None:
    """Every date caveat must hold now and for `valid_for` after (the overlap with the next token)."""
    import pypitoken

    for restriction in _load(token, "the new token").restrictions:
        if isinstance(restriction, pypitoken.DateRestriction):
            starts = datetime.fromtimestamp(restriction.not_before, now.tzinfo)
            ends = datetime.fromtimestamp(restriction.not_after, now.tzinfo)
            if starts > now or ends < now + valid_for:
                raise TokenRejected(
                    f"the new token is valid from {starts.isoformat()} to {ends.isoformat()}, "
                    f"which does not cover now and the next {format_duration(valid_for)}"
                )


class _PypiSource(TokenSource):
    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def overlap(self, context: SourceContext) -> timedelta:
        """How long a new token must stay valid: until the next rotation has replaced it."""
        return context.secret.rotation_period or context.config.min_interval

    def check(self, token: Token, context: SourceContext) -> None:
        valid_for = self.overlap(context) if context.valid_for is None else context.valid_for
        check_offline(token, context.now, valid_for)
        if context.config.check_url:
            url, format_ = context.config.check_url, context.served.format
            check_upstream(self._http, format_, url, context.username, token)


class PypiDerived(_PypiSource):
    name = "pypi-derived"
    input_secrets = ("root-secret",)
    keys = frozenset({"root-secret"})

    def validate(self, config: RotationConfig) -> None:
        config.setting("root-secret")

    def lifetime(self, context: SourceContext) -> timedelta:
        return token_lifetime(context.config, context.secret.rotation_period)

    def obtain(self, context: SourceContext) -> NewToken:
        root_secret = context.secret_setting("root-secret")
        root = context.read_secret("root-secret")
        expires_at = context.now + self.lifetime(context)
        derived = _load(root, f"the root token in {root_secret}").restrict(
            not_before=int((context.now - _NOT_BEFORE_SLACK).timestamp()),
            not_after=int(expires_at.timestamp()),
        )
        return NewToken(Token(derived.dump()), expires_at=expires_at)

    def overlap(self, context: SourceContext) -> timedelta:
        return self.lifetime(context) / 2

    def retire(self, retire_data: Mapping[str, str], context: SourceContext) -> None:
        logs.info(
            "a derived PyPI token cannot be revoked alone; it expires by itself",
            secret=context.secret.name,
            expires_at=retire_data.get("expires_at"),
        )


class PypiStaged(_PypiSource):
    name = "pypi-staged"
    input_secrets = ("staging-secret",)
    keys = frozenset({"staging-secret"})

    def validate(self, config: RotationConfig) -> None:
        config.setting("staging-secret")

    def preflight(self, context: SourceContext) -> None:
        self._newest(context)

    def obtain(self, context: SourceContext) -> NewToken:
        staging = context.secret_setting("staging-secret")
        newest, token = self._newest(context)
        current = context.secret.aliases.get(CURRENT)
        if current is not None and token == context.secrets.access(
            context.secret.version_name(current)
        ):
            raise PermanentError(
                f"the newest version of staging secret {staging} holds the token already in use",
                remedy=f"create a new token in PyPI's web UI, add it to {staging}, then republish",
            )
        return NewToken(token, retire_data={"staged_from": newest})

    def _newest(self, context: SourceContext) -> tuple[str, Token]:
        """The newest version of the staging secret: one AccessSecretVersion of `latest`, which
        the module's secretAccessor grant on the staging secret allows (listing would not)."""
        staging = context.secret_setting("staging-secret")
        try:
            return context.secrets.read(f"{staging}/versions/latest")
        except PermanentError as error:
            fix = f"if that is not the staging secret, fix {PREFIX}staging-secret"
            if isinstance(error, NotUsable | ConfigError):
                remedy = (
                    f"create a token in PyPI's web UI and add it to {staging} as a new (enabled) "
                    f"version, then republish (or, {fix})"
                )
            else:  # denied: the secret may not exist, or the grant is missing
                remedy = f"{error.remedy}; or, {fix}; then republish"
            raise PermanentError(
                f"the newest version of staging secret {staging} cannot be read: {error}",
                remedy=remedy,
            ) from None

    def retire(self, retire_data: Mapping[str, str], context: SourceContext) -> None:
        logs.warning(
            "a staged PyPI token can only be revoked in PyPI's web UI: delete it there",
            secret=context.secret.name,
            staged_from=retire_data.get("staged_from"),
        )
