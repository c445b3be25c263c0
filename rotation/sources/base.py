"""The interface every token source implements: obtain a token, check one, retire one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from rotation.config import RotationConfig
from rotation.secrets import SecretSnapshot, SecretStore
from rotation.token import Token


@dataclass(frozen=True)
class NewToken:
    """A token fresh from its source, with what is needed to retire it later (never the token)."""

    token: Token
    expires_at: datetime | None = None
    retire_data: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceContext:
    secret: SecretSnapshot
    config: RotationConfig
    secrets: SecretStore
    rotation_id: str
    now: datetime


class TokenSource(Protocol):
    def obtain(self, context: SourceContext) -> NewToken:
        """Get a new token. Called once per rotation; whatever it returns is stored at once."""

    def check(self, token: Token, context: SourceContext) -> None:
        """Return if the token is good; raise TokenRejected if not, TransientError if unsure."""

    def retire(self, retire_data: Mapping[str, str], context: SourceContext) -> None:
        """Revoke a token no repository uses any more; succeed if it is already gone."""
