"""Whole numbers and flags, read from an annotation or an environment variable with an error that
names where the value came from."""

from __future__ import annotations

from rotation.core.errors import ConfigError


def flag(text: str, what: str, key: str = "") -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise ConfigError(
        f"{what}={text!r} must be true or false", remedy="use true or false", key=key, value=text
    )


def keep_versions_value(text: str, what: str, key: str = "") -> int:
    return int_in(text, 1, 50, what, key)


def int_in(text: str, low: int, high: int, what: str, key: str = "") -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(
            f"{what}={text!r} must be a whole number from {low} to {high}",
            remedy=f"use a whole number from {low} to {high}",
            key=key,
            value=text,
        )
    return value
