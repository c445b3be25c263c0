"""A token value that cannot end up in a log line, an exception text or a repr by accident."""

from __future__ import annotations

import hashlib


class Token:
    """Holds a secret string; printing it shows only a short fingerprint."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value or not value.strip():
            raise ValueError("a token cannot be empty")
        self._value = value

    def reveal(self) -> str:
        """The value itself, for the one place that must send or store it."""
        return self._value

    @property
    def fingerprint(self) -> str:
        """First 12 hex digits of its SHA-256: safe to log, enough to tell tokens apart."""
        return hashlib.sha256(self._value.encode()).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"Token(sha256:{self.fingerprint})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
