"""From one CloudEvent to one decision: ignore it, acknowledge it, rotate, audit (Cloud
Scheduler's TOKEN_ROTATOR_AUDIT message, function.audit_run), or ask for redelivery.

Returning acknowledges the event; raising makes Pub/Sub redeliver it. Only transient failures
raise: a malformed, stale, foreign or misconfigured event is logged and acknowledged, because
redelivering it cannot help.
"""

from __future__ import annotations

from typing import Any

from rotation.core import logs
from rotation.core.audit_message import is_audit
from rotation.core.errors import (
    ConfigError,
    PermanentError,
    RotationBusy,
    TransientError,
    problems_of,
)
from rotation.core.events import (
    SECRET_ROTATE,
    MalformedEvent,
    SecretEvent,
    decode,
    loggable_id,
)
from rotation.core.rotation import Rotation
from rotation.core.settings import Settings
from rotation.function.wiring import clock, services, settings


def handle(cloud_event: Any) -> None:
    if is_audit(cloud_event):
        # Imported here: a rotation's cold start does not load the audit's modules.
        from rotation.function.audit_run import handle_audit

        handle_audit(cloud_event)
        return
    try:
        event = decode(cloud_event)
    except MalformedEvent as error:
        logs.error(
            f"malformed event acknowledged without action: {error}",
            event="malformed_event",
            cloud_event_id=loggable_id(cloud_event),
        )
        return
    if event.event_type != SECRET_ROTATE:
        logs.info(
            f"{event.event_type} event ignored",
            event="event_ignored",
            event_type=event.event_type,
            **event.log_fields(),
        )
        return
    try:
        _rotate(event, settings())
    except PermanentError as error:
        logs.error(
            f"rotation failed: {error}",
            event="rotation_failed",
            **event.log_fields(),
            **error.context,
            error_type=type(error).__name__,
            remedy=error.remedy or None,
            **_problems(error),
        )
    except RotationBusy as error:
        logs.info(
            f"rotation busy, the event will be redelivered: {error}",
            event="rotation_busy",
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
    now = clock()
    age = now() - event.published_at
    if age > config.max_event_age + config.clock_skew:
        logs.warning(
            f"event published {age} ago is older than MAX_EVENT_AGE; acknowledged without action",
            event="stale_event",
            **event.log_fields(),
        )
        return
    if not config.allows(event.project, services().projects.number):
        logs.warning(
            f"secret {event.secret} is outside ALLOWED_PROJECTS; ignored",
            event="project_not_allowed",
            **event.log_fields(),
        )
        return
    Rotation(event, services(), config, now).run()


def _problems(error: PermanentError) -> dict[str, object]:
    """A configuration error's problems as a field, each with its key, value and remedy."""
    if not isinstance(error, ConfigError):
        return {}
    return {"problems": [problem.as_dict() for problem in problems_of(error)]}
