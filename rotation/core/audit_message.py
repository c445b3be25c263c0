"""The audit message Cloud Scheduler publishes: attribute `eventType = TOKEN_ROTATOR_AUDIT`, data
JSON `{"projects": [...]}` (empty: the function's ALLOWED_PROJECTS). Anything else about it that is
wrong raises MalformedEvent, which the handler logs and acknowledges."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from rotation.core.events import AUDIT, MalformedEvent

_PROJECT = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20}")
_MAX_PROJECTS = 100
_MAX_BODY_CHARACTERS = 64 * 1024


def _message(cloud_event: Any) -> dict[str, Any] | None:
    data = getattr(cloud_event, "data", None)
    message = data.get("message") if isinstance(data, dict) else None
    return message if isinstance(message, dict) else None


def is_audit(cloud_event: Any) -> bool:
    """Whether the event carries a Pub/Sub message whose eventType is the audit's."""
    message = _message(cloud_event)
    attributes = message.get("attributes") if message else None
    return isinstance(attributes, dict) and attributes.get("eventType") == AUDIT


def audit_projects(cloud_event: Any) -> list[str]:
    """The projects an audit message names; empty when it names none (or has no data)."""
    message = _message(cloud_event) or {}
    encoded = message.get("data") or ""
    if not isinstance(encoded, str) or len(encoded) > _MAX_BODY_CHARACTERS:
        raise MalformedEvent("audit message data is not a base64 string of at most 64 KiB")
    if not encoded:
        return []
    try:
        body = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise MalformedEvent(
            'audit message data is not base64-encoded JSON (expected {"projects": [...]})'
        ) from None
    projects = body.get("projects", []) if isinstance(body, dict) else None
    if not isinstance(projects, list) or len(projects) > _MAX_PROJECTS:
        raise MalformedEvent(
            f'audit message data is not {{"projects": [...]}} with at most {_MAX_PROJECTS} projects'
        )
    bad = [p for p in projects if not isinstance(p, str) or not _PROJECT.fullmatch(p)]
    if bad:
        shown = repr(bad[0])[:80]
        raise MalformedEvent(f"audit message names {shown}, which is not a project id or number")
    return list(dict.fromkeys(projects))
