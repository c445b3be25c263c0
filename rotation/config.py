"""Configuration: deployment-wide settings from the environment, per-secret settings from the
secret's `token-rotator.*` annotations. Every error names the key, the value and what is allowed."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from rotation import egress
from rotation.deadlines import DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CALL_DEADLINE, CallPolicies
from rotation.durations import parse_duration
from rotation.errors import ConfigError, InvalidAnnotations, Problem

PREFIX = "token-rotator."
STATE_KEY = PREFIX + "state"

_REPOSITORY = re.compile(r"^projects/([^/\s]+)/locations/([^/\s]+)/repositories/([^/\s]+)$")
_LOCATION = re.compile(r"^projects/([^/\s]+)/locations/([^/\s]+)$")
_SECRET = re.compile(r"^projects/([^/\s]+)/secrets/([A-Za-z0-9_-]{1,255})$")
_SECRET_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_MIN_CALL_TIMEOUT = timedelta(seconds=1)
_MAX_CALL_DEADLINE = timedelta(minutes=5)

KNOWN_KEYS = {
    "source",
    "repositories",
    "discover",
    "username",
    "grant-access",
    "min-interval",
    "keep-versions",
    "index-url",
    "root-secret",
    "staging-secret",
    "token-lifetime",
    "minting-secret",
    "gitlab-url",
    "gitlab-project",
    "gitlab-group",
    "token-scopes",
    "token-name",
    "access-level",
    "artifactory-url",
    "token-scope",
    "webhook-url",
    "webhook-revoke-url",
    "webhook-auth",
    "take-over-from",
    "state",
}


@dataclass(frozen=True)
class Settings:
    """Deployment-wide settings, from environment variables (see the README)."""

    allowed_projects: frozenset[str] = frozenset()
    max_event_age: timedelta = timedelta(hours=24)
    clock_skew: timedelta = timedelta(minutes=5)
    lease: timedelta = timedelta(minutes=10)
    default_min_interval: timedelta = timedelta(hours=1)
    default_keep_versions: int = 2
    default_grant_access: bool = False
    check_attempts: int = 3
    check_delay: timedelta = timedelta(seconds=2)
    repoint_attempts: int = 4
    repoint_backoff: timedelta = timedelta(seconds=2)
    repoint_grace: timedelta = timedelta(minutes=30)
    google_call_timeout: timedelta = DEFAULT_ATTEMPT_TIMEOUT
    google_call_deadline: timedelta = DEFAULT_CALL_DEADLINE

    @property
    def call_policies(self) -> CallPolicies:
        return CallPolicies.build(self.google_call_timeout, self.google_call_deadline)

    # Hosts (`host:port`) every secret's job may contact, beyond its repositories' upstreams.
    allowed_upstream_hosts: frozenset[str] = frozenset()
    # Plain http upstreams: only with the emulator (its upstreams serve http on 127.0.0.1).
    plain_http: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        call_timeout, call_deadline = _google_call_limits(env)
        allowed = frozenset(
            p.strip() for p in env.get("ALLOWED_PROJECTS", "").split(",") if p.strip()
        )
        return cls(
            allowed_projects=allowed,
            max_event_age=_env_duration(env, "MAX_EVENT_AGE", cls.max_event_age),
            clock_skew=_env_duration(env, "CLOCK_SKEW", cls.clock_skew),
            lease=_env_duration(env, "ROTATION_LEASE", cls.lease),
            default_min_interval=_env_duration(
                env, "DEFAULT_MIN_INTERVAL", cls.default_min_interval
            ),
            default_keep_versions=_keep_versions(
                env.get("DEFAULT_KEEP_VERSIONS", str(cls.default_keep_versions)),
                "environment variable DEFAULT_KEEP_VERSIONS",
            ),
            default_grant_access=_flag(
                env.get("DEFAULT_GRANT_ACCESS", "false"),
                "environment variable DEFAULT_GRANT_ACCESS",
            ),
            check_attempts=_int_in(
                env.get("CHECK_ATTEMPTS", "3"), 1, 10, "environment variable CHECK_ATTEMPTS"
            ),
            check_delay=_env_duration(env, "CHECK_DELAY", cls.check_delay),
            repoint_attempts=_int_in(
                env.get("REPOINT_ATTEMPTS", str(cls.repoint_attempts)),
                1,
                10,
                "environment variable REPOINT_ATTEMPTS",
            ),
            repoint_backoff=_env_duration(env, "REPOINT_BACKOFF", cls.repoint_backoff),
            repoint_grace=_env_duration(env, "REPOINT_GRACE", cls.repoint_grace),
            google_call_timeout=call_timeout,
            google_call_deadline=call_deadline,
            allowed_upstream_hosts=egress.allowed_hosts(env.get(egress.VARIABLE, "")),
            plain_http=bool(env.get("SECRET_MANAGER_EMULATOR_HOST")),
        )


@dataclass(frozen=True)
class RotationConfig:
    """One secret's settings, read from its annotations."""

    source: str
    repositories: tuple[str, ...] = ()
    discover: tuple[str, ...] = ()
    username: str = "__token__"
    grant_access: bool = False
    min_interval: timedelta = timedelta(hours=1)
    keep_versions: int = 2
    index_url: str | None = None
    token_lifetime: timedelta | None = None
    source_settings: Mapping[str, str] = field(default_factory=dict)

    def setting(self, key: str) -> str:
        """A source-specific annotation (without the prefix) the source requires."""
        value = self.source_settings.get(key)
        if value is None:
            raise ConfigError(
                f"annotation {PREFIX}{key} is required by source {self.source!r}",
                remedy=f"add the annotation {PREFIX}{key} to the secret",
                key=PREFIX + key,
            )
        return value


def is_opted_in(annotations: Mapping[str, str]) -> bool:
    return PREFIX + "source" in annotations


def configured(annotations: Mapping[str, str]) -> dict[str, str]:
    """What an operator configures: the token-rotator.* annotations but the rotation's state."""
    return {k: v for k, v in annotations.items() if k.startswith(PREFIX) and k != STATE_KEY}


class Problems:
    """Collects the ConfigErrors of several checks, so every invalid value is reported at once."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except InvalidAnnotations as error:
            self.found.extend(error.problems)
        except ConfigError as error:
            self.found.append(Problem.of(error))

    def add(self, key: str, value: str | None, problem: str, remedy: str) -> None:
        self.found.append(Problem(key, value, problem, remedy))

    def raise_any(self, secret: str) -> None:
        if self.found:
            raise InvalidAnnotations(secret, self.found)


def load(
    annotations: Mapping[str, str],
    settings: Settings,
    sources: frozenset[str],
    secret_name: str = "the secret",  # noqa: S107 (a secret's name, not a password)
) -> RotationConfig:
    """Validate the secret's annotations; raise InvalidAnnotations naming every bad key and value."""
    config, problems = parse(annotations, settings, sources)
    problems.raise_any(secret_name)
    return config


def parse(
    annotations: Mapping[str, str], settings: Settings, sources: frozenset[str]
) -> tuple[RotationConfig, Problems]:
    """The secret's configuration, with the default in place of each invalid value, and the
    problems found; a source's own checks can then run on it and add theirs."""
    ours = {
        key[len(PREFIX) :]: value for key, value in annotations.items() if key.startswith(PREFIX)
    }
    problems = Problems()
    for key in sorted(set(ours) - KNOWN_KEYS):
        problems.add(
            PREFIX + key,
            ours[key],
            f"unknown annotation {PREFIX}{key}={ours[key]!r}",
            f"remove it or fix its name; known keys: {', '.join(sorted(KNOWN_KEYS - {'state'}))}",
        )
    source = ours.get("source", "")
    if source not in sources:
        problems.add(
            PREFIX + "source",
            source,
            f"annotation {PREFIX}source={source!r} is not a known source",
            f"use one of: {', '.join(sorted(sources))}",
        )
    repositories: tuple[str, ...] = ()
    discover: tuple[str, ...] = ()
    with problems.check():
        repositories = _names(
            ours.get("repositories", ""),
            _REPOSITORY,
            "repositories",
            "projects/PROJECT/locations/LOCATION/repositories/REPOSITORY",
        )
    with problems.check():
        discover = _names(
            ours.get("discover", ""), _LOCATION, "discover", "projects/PROJECT/locations/LOCATION"
        )
    if not ours.get("repositories", "").strip() and not ours.get("discover", "").strip():
        problems.add(
            PREFIX + "repositories",
            None,
            f"neither {PREFIX}repositories nor {PREFIX}discover is set: no repository to repoint",
            f"set {PREFIX}repositories to the repositories that use this secret",
        )
    username = ours.get("username", "__token__")
    if not username or len(username) > 256 or any(c.isspace() for c in username):
        problems.add(
            PREFIX + "username",
            username,
            f"annotation {PREFIX}username={username!r} is empty, too long or has spaces",
            f"set {PREFIX}username to the upstream's user name (at most 256 characters, no spaces)",
        )
        username = "__token__"
    index_url = ours.get("index-url")
    if index_url is not None:
        with problems.check():
            check_url(index_url, "index-url")
    for key in (*egress.URL_KEYS, *egress.LISTED_ONLY_KEYS):
        url = ours.get(key, "").replace("{id}", "id")
        if _URL.match(url):
            with problems.check():
                egress.check_literal(
                    url, f"annotation {PREFIX}{key}", settings.plain_http, PREFIX + key
                )
    grant_access = settings.default_grant_access
    if "grant-access" in ours:
        with problems.check():
            grant_access = _flag(
                ours["grant-access"], f"annotation {PREFIX}grant-access", PREFIX + "grant-access"
            )
    min_interval = settings.default_min_interval
    with problems.check():
        min_interval = _annotation_duration(ours, "min-interval", settings.default_min_interval)
    keep_versions = settings.default_keep_versions
    if "keep-versions" in ours:
        with problems.check():
            keep_versions = _keep_versions(
                ours["keep-versions"], f"annotation {PREFIX}keep-versions", PREFIX + "keep-versions"
            )
    token_lifetime = None
    if ours.get("token-lifetime"):
        with problems.check():
            token_lifetime = _annotation_duration(ours, "token-lifetime", None)
    config = RotationConfig(
        source=source,
        repositories=repositories,
        discover=discover,
        username=username,
        grant_access=grant_access,
        min_interval=min_interval,
        keep_versions=keep_versions,
        index_url=index_url.rstrip("/") if index_url else None,
        token_lifetime=token_lifetime,
        source_settings={k: v for k, v in ours.items() if k != "state"},
    )
    return config, problems


def check_url(value: str, key: str) -> str:
    if not _URL.match(value):
        raise ConfigError(
            f"annotation {PREFIX}{key}={value!r} is not an http(s) URL",
            remedy=f"set {PREFIX}{key} to an https://HOST/... URL",
            key=PREFIX + key,
            value=value,
        )
    return value


def secret_reference(value: str, rotated_secret: str, key: str) -> str:
    """A secret named in an annotation: a full name, or a bare id in the rotated secret's project."""
    if _SECRET_ID.match(value):
        project = rotated_secret.split("/")[1]
        return f"projects/{project}/secrets/{value}"
    if _SECRET.match(value):
        return value
    raise ConfigError(
        f"annotation {PREFIX}{key}={value!r} is not a secret id or projects/PROJECT/secrets/SECRET",
        remedy=f"set {PREFIX}{key} to a secret id in this project, or projects/PROJECT/secrets/SECRET",
        key=PREFIX + key,
        value=value,
    )


def _names(text: str, pattern: re.Pattern[str], key: str, form: str) -> tuple[str, ...]:
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


def _annotation_duration(ours: Mapping[str, str], key: str, default: timedelta | None) -> timedelta:
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


def _env_duration(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    text = env.get(name)
    if not text:
        return default
    try:
        return parse_duration(text)
    except ValueError as error:
        raise ConfigError(f"environment variable {name}: {error}") from None


def _google_call_limits(env: Mapping[str, str]) -> tuple[timedelta, timedelta]:
    """GOOGLE_CALL_TIMEOUT (one attempt) and GOOGLE_CALL_DEADLINE (a call with its retries)."""
    timeout = _env_duration(env, "GOOGLE_CALL_TIMEOUT", DEFAULT_ATTEMPT_TIMEOUT)
    deadline = _env_duration(env, "GOOGLE_CALL_DEADLINE", DEFAULT_CALL_DEADLINE)
    if not _MIN_CALL_TIMEOUT <= timeout <= _MAX_CALL_DEADLINE:
        raise ConfigError(
            f"environment variable GOOGLE_CALL_TIMEOUT={env.get('GOOGLE_CALL_TIMEOUT')!r} must be "
            "from 1s to 5m",
            remedy="unset it for the default, 15s",
        )
    if not timeout <= deadline <= _MAX_CALL_DEADLINE:
        raise ConfigError(
            f"environment variable GOOGLE_CALL_DEADLINE={env.get('GOOGLE_CALL_DEADLINE')!r} must "
            "be at least GOOGLE_CALL_TIMEOUT and at most 5m",
            remedy="unset it for the default, 45s, and keep it well inside ROTATION_LEASE",
        )
    return timeout, deadline


def _flag(text: str, what: str, key: str = "") -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise ConfigError(
        f"{what}={text!r} must be true or false", remedy="use true or false", key=key, value=text
    )


def _keep_versions(text: str, what: str, key: str = "") -> int:
    return _int_in(text, 1, 50, what, key)


def _int_in(text: str, low: int, high: int, what: str, key: str = "") -> int:
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
