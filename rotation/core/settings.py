"""The deployment's settings: environment variables, the same for every secret (see the README)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from rotation.core import egress
from rotation.core.durations import parse_duration
from rotation.core.errors import ConfigError
from rotation.core.values import flag, int_in, keep_versions_value

# Every Google call: how long one attempt may take, and the whole call with its retries.
DEFAULT_ATTEMPT_TIMEOUT = timedelta(seconds=15)
DEFAULT_CALL_DEADLINE = timedelta(seconds=45)
_MIN_CALL_TIMEOUT = timedelta(seconds=1)
_MAX_CALL_DEADLINE = timedelta(minutes=5)


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
    # The audit's token_expiring: the token in use expires within this.
    token_expiry_warning: timedelta = timedelta(days=7)
    google_call_timeout: timedelta = DEFAULT_ATTEMPT_TIMEOUT
    google_call_deadline: timedelta = DEFAULT_CALL_DEADLINE

    # Hosts (`host:port`) every secret's job may contact, beyond its repositories' upstreams.
    allowed_upstream_hosts: frozenset[str] = frozenset()
    # Plain http upstreams: only with the emulator (its upstreams serve http on 127.0.0.1).
    plain_http: bool = False

    def allows(self, project: str, number_of: Callable[[str], str]) -> bool:
        """Whether ALLOWED_PROJECTS (empty: any) lets the function act on `project`, an id or a
        number. A number is matched through the allowed ids' numbers (`number_of`), looked up
        only then: a foreign project's id is never looked up."""
        allowed = self.allowed_projects
        if not allowed or project in allowed:
            return True
        return project.isdigit() and any(
            number_of(p) == project for p in allowed if not p.isdigit()
        )

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
            default_keep_versions=keep_versions_value(
                env.get("DEFAULT_KEEP_VERSIONS", str(cls.default_keep_versions)),
                "environment variable DEFAULT_KEEP_VERSIONS",
            ),
            default_grant_access=flag(
                env.get("DEFAULT_GRANT_ACCESS", "false"),
                "environment variable DEFAULT_GRANT_ACCESS",
            ),
            check_attempts=int_in(
                env.get("CHECK_ATTEMPTS", "3"), 1, 10, "environment variable CHECK_ATTEMPTS"
            ),
            check_delay=_env_duration(env, "CHECK_DELAY", cls.check_delay),
            repoint_attempts=int_in(
                env.get("REPOINT_ATTEMPTS", str(cls.repoint_attempts)),
                1,
                10,
                "environment variable REPOINT_ATTEMPTS",
            ),
            repoint_backoff=_env_duration(env, "REPOINT_BACKOFF", cls.repoint_backoff),
            repoint_grace=_env_duration(env, "REPOINT_GRACE", cls.repoint_grace),
            token_expiry_warning=_env_duration(
                env, "TOKEN_EXPIRY_WARNING", cls.token_expiry_warning
            ),
            google_call_timeout=call_timeout,
            google_call_deadline=call_deadline,
            allowed_upstream_hosts=egress.allowed_hosts(env.get(egress.VARIABLE, "")),
            plain_http=bool(env.get("SECRET_MANAGER_EMULATOR_HOST")),
        )


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
