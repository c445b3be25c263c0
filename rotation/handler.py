"""From one CloudEvent to one decision: ignore it, acknowledge it, rotate, or ask for redelivery.

Returning acknowledges the event; raising makes Eventarc redeliver it. Only transient failures
raise: a malformed, stale, foreign or misconfigured event is logged and acknowledged, because
redelivering it cannot help.
"""

from __future__ import annotations

import functools
from typing import Any

import httpx

from rotation import clients, egress, logs
from rotation.config import Settings
from rotation.errors import (
    ConfigError,
    PermanentError,
    RotationBusy,
    TransientError,
    problems_of,
)
from rotation.events import SECRET_ROTATE, MalformedEvent, SecretEvent, attribute, decode
from rotation.projects import ProjectDirectory
from rotation.repositories import RepositoryStore
from rotation.rotator import Rotation, Services, utc_now
from rotation.secrets import SecretStore
from rotation.sources import SOURCES

_HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


@functools.cache
def services() -> Services:
    """The adapters and their clients, built on the first rotation and reused by every later one."""
    return build_services(settings())


def build_services(config: Settings | None = None) -> Services:
    calls = (config or Settings()).call_policies
    http = httpx.Client(
        timeout=_HTTP_TIMEOUT,
        follow_redirects=True,
        headers={"User-Agent": clients.user_agent()},
        event_hooks={"request": [egress.guard]},
    )
    projects = ProjectDirectory(calls=calls)
    return Services(
        secrets=SecretStore(calls=calls),
        repositories=RepositoryStore(calls=calls, project_number=projects.number),
        projects=projects,
        sources={name: build(http) for name, build in SOURCES.items()},
    )


def handle(cloud_event: Any) -> None:
    try:
        event = decode(cloud_event)
    except MalformedEvent as error:
        logs.error(
            f"malformed event acknowledged without action: {error}",
            event="malformed_event",
            cloud_event_id=_safe_id(cloud_event),
        )
        return
    if event.event_type != SECRET_ROTATE:
        logs.info(f"{event.event_type} event ignored", **event.log_fields())
        return
    try:
        _rotate(event, settings())
    except PermanentError as error:
        logs.error(
            f"rotation failed: {error}",
            event="rotation_failed",
            **event.log_fields(),
            error_type=type(error).__name__,
            remedy=error.remedy or None,
            **_problems(error),
        )
    except RotationBusy as error:
        logs.info(
            f"rotation busy, the event will be redelivered: {error}",
            **event.log_fields(),
        )
        raise
    except TransientError as error:
        logs.warning(
            f"rotation attempt failed and will be retried: {error}",
            event="rotation_retry",
            **event.log_fields(),
        )
        raise


def _rotate(event: SecretEvent, config: Settings) -> None:
    age = utc_now() - event.published_at
    if age > config.max_event_age + config.clock_skew:
        logs.warning(
            f"event published {age} ago is older than MAX_EVENT_AGE; acknowledged without action",
            event="stale_event",
            **event.log_fields(),
        )
        return
    if not _allowed(event.project, config):
        logs.warning(
            f"secret {event.secret} is outside ALLOWED_PROJECTS; ignored",
            **event.log_fields(),
        )
        return
    Rotation(event, services(), config).run()


def _allowed(project: str, config: Settings) -> bool:
    allowed = config.allowed_projects
    if not allowed or project in allowed:
        return True
    directory = services().projects
    return any(directory.number(p) == project for p in allowed if not p.isdigit())


def _problems(error: PermanentError) -> dict[str, object]:
    """A configuration error's problems as a field, each with its key, value and remedy."""
    if not isinstance(error, ConfigError):
        return {}
    return {"problems": [problem.as_dict() for problem in problems_of(error)]}


def _safe_id(cloud_event: Any) -> str | None:
    value = attribute(cloud_event, "id")
    return value[:100] if isinstance(value, str) else None
