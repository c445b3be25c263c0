"""The playground's one error: what went wrong and what to do about it."""

from __future__ import annotations


class PlaygroundError(Exception):
    """Refused before anything was left behind; `remedy` says what to do."""

    def __init__(self, message: str, remedy: str) -> None:
        super().__init__(message)
        self.remedy = remedy
