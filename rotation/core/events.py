"""Decoding the CloudEvent of a Secret Manager notification into a `SecretEvent`: the one the
Functions Framework makes of a raw Pub/Sub push (id = messageId, time = publishTime, the message
in `data.message`), or the one an Eventarc trigger sends (the same shape).

Anything that does not look exactly like what Secret Manager publishes raises `MalformedEvent`
with a message that says what is wrong; the handler logs it and acknowledges the event.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

PUBSUB_EVENT_TYPE = "google.cloud.pubsub.topic.v1.messagePublished"
SECRET_ROTATE = "SECRET_ROTATE"
TOPIC_CONFIGURED = "TOPIC_CONFIGURED"
# Cloud Scheduler's audit message (audit_message), not one of Secret Manager's.
AUDIT = "TOKEN_ROTATOR_AUDIT"

# Matched with fullmatch: `$` would let a trailing newline through.
_SECRET_NAME = re.compile(
    r"projects/(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})/secrets/(?P<secret>[A-Za-z0-9_-]{1,255})"
)
_REGIONAL_SECRET_NAME = re.compile(r"projects/[^/]+/locations/[^/]+/secrets/[^/]+")
_FRACTION = re.compile(r"(\.\d{6})\d+")
_MAX_BODY_BYTES = 64 * 1024
_EVENT_TYPE = re.compile(r"[A-Z_]{1,64}")


class MalformedEvent(ValueError):
    """The event is not a Secret Manager notification we can act on; the text says why."""


@dataclass(frozen=True)
class SecretEvent:
    event_type: str
    message_id: str
    published_at: datetime
    secret: str | None = None
    forced: bool = False

    def log_fields(self) -> dict[str, str | None]:
        """What every log line about this event carries."""
        return {"secret": self.secret, "rotation": self.message_id}

    @property
    def project(self) -> str:
        return self.secret.split("/")[1] if self.secret else ""


def parse_time(text: str, what: str) -> datetime:
    """RFC 3339 with any offset; more than microsecond precision is truncated."""
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", text))
    except (TypeError, ValueError):
        raise MalformedEvent(f"{what} {_quote(text)} is not an RFC 3339 timestamp") from None
    if parsed.tzinfo is None:
        raise MalformedEvent(f"{what} {_quote(text)} has no UTC offset")
    return parsed


def decode(cloud_event: Any) -> SecretEvent:
    """Check the CloudEvent and its Pub/Sub message, and return what it says about which secret."""
    event_type = attribute(cloud_event, "type")
    if event_type != PUBSUB_EVENT_TYPE:
        raise MalformedEvent(
            f"CloudEvent type {_quote(event_type)} is not {PUBSUB_EVENT_TYPE}: "
            "the trigger must be a Pub/Sub topic that Secret Manager publishes to"
        )
    data = getattr(cloud_event, "data", None)
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        raise MalformedEvent("CloudEvent data has no Pub/Sub `message` object")
    attributes = message.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in attributes.items()
    ):
        raise MalformedEvent("Pub/Sub message attributes are not a map of strings")
    message_id = message.get("messageId") or attribute(cloud_event, "id")
    if not isinstance(message_id, str) or not message_id:
        raise MalformedEvent("Pub/Sub message has no messageId and the CloudEvent no id")
    time_text = attribute(cloud_event, "time") or message.get("publishTime")
    if not isinstance(time_text, str):
        raise MalformedEvent("neither the CloudEvent time nor the message publishTime is set")
    published_at = parse_time(time_text, "event time")

    secret_event_type = attributes.get("eventType", "")
    if not _EVENT_TYPE.fullmatch(secret_event_type):
        raise MalformedEvent(
            f"attribute eventType {_quote(secret_event_type)} is missing or not a Secret Manager event type"
        )
    if secret_event_type == TOPIC_CONFIGURED:
        return SecretEvent(secret_event_type, message_id, published_at)

    secret = attributes.get("secretId", "")
    if _REGIONAL_SECRET_NAME.fullmatch(secret):
        raise MalformedEvent(
            f"secretId {_quote(secret)} names a regional secret, which is not supported"
        )
    if not _SECRET_NAME.fullmatch(secret):
        raise MalformedEvent(
            f"attribute secretId {_quote(secret)} is missing or not of the form projects/PROJECT/secrets/SECRET"
        )
    forced = _flag(attributes.get("force", "false"))
    if secret_event_type == SECRET_ROTATE:
        _check_body(message.get("data"), secret)
    return SecretEvent(secret_event_type, message_id, published_at, secret, forced)


def _check_body(encoded: object, secret: str) -> None:
    if not isinstance(encoded, str) or not encoded:
        raise MalformedEvent("SECRET_ROTATE message has no body (expected the Secret as JSON)")
    if len(encoded) > _MAX_BODY_BYTES * 2:
        raise MalformedEvent(f"message body is larger than {_MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise MalformedEvent("message body is not base64-encoded JSON") from None
    if not isinstance(body, dict):
        raise MalformedEvent("message body is JSON but not an object")
    name = body.get("name")
    if name != secret:
        raise MalformedEvent(
            f"message body names secret {_quote(name)} but attribute secretId is {_quote(secret)}"
        )


def attribute(cloud_event: Any, name: str) -> Any:
    """A CloudEvent attribute, or None where the event has none (or is not an event at all)."""
    try:
        return cloud_event[name]
    except (KeyError, TypeError):
        return None


def loggable_id(cloud_event: Any) -> str | None:
    """The CloudEvent's id, cut short, for the log line of an event that could not be read."""
    value = attribute(cloud_event, "id")
    return value[:100] if isinstance(value, str) else None


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no", ""):
        return False
    raise MalformedEvent(f"attribute force {_quote(text)} is not true or false")


def _quote(value: object, limit: int = 120) -> str:
    """Show a (possibly hostile) value in a log message: repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
