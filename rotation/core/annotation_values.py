"""Values read from `token-rotator.*` annotations: URLs, secret references, lists of names and
durations, each with an error that names the key, the value and the form it must have."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from rotation.core.durations import parse_duration
from rotation.core.errors import ConfigError

PREFIX = "token-rotator."
STATE_KEY = PREFIX + "state"

SECRET = re.compile(r"^projects/([^/\s]+)/secrets/([A-Za-z0-9_-]{1,255})$")
SECRET_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def check_url(value: str, key: str) -> str:
    if not URL.match(value):
        raise ConfigError(
            f"annotation {PREFIX}{key}={value!r} is not an http(s) URL",
            remedy=f"set {PREFIX}{key} to an https://HOST/... URL",
            key=PREFIX + key,
            value=value,
        )
    return value


def secret_reference(value: str, rotated_secret: str, key: str) -> str:
    """A secret named in an annotation: a full name, or a bare id in the rotated secret's project."""
    if SECRET_ID.match(value):
        project = rotated_secret.split("/")[1]
        return f"projects/{project}/secrets/{value}"
    if SECRET.match(value):
        return value
    raise ConfigError(
        f"annotation {PREFIX}{key}={value!r} is not a secret id or projects/PROJECT/secrets/SECRET",
        remedy=f"set {PREFIX}{key} to a secret id in this project, or projects/PROJECT/secrets/SECRET",
        key=PREFIX + key,
        value=value,
    )


def names(text: str, pattern: re.Pattern[str], key: str, form: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    for name in names:
        if not pattern.match(name):
            raise ConfigError(
                f"annotation {PREFIX}{key} has {name!r}, which is not of the form {form}",
                remedy=f"list comma-separated names of the form {form}",
                key=PREFIX + key,
                value=text,
            )
    return names


def annotation_duration(ours: Mapping[str, str], key: str, default: timedelta | None) -> timedelta:
    text = ours.get(key)
    if text is None:
        if default is None:
            raise ConfigError(
                f"annotation {PREFIX}{key} is required",
                remedy=f"add {PREFIX}{key}",
                key=PREFIX + key,
            )
        return default
    try:
        return parse_duration(text)
    except ValueError as error:
        raise ConfigError(
            f"annotation {PREFIX}{key}: {error}",
            remedy=f"give {PREFIX}{key} as a number and a unit, e.g. 90s, 30m, 12h or 7d",
            key=PREFIX + key,
            value=text,
        ) from None
