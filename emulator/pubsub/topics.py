"""Topic names: their parts, their canonical spelling, and the NOT_FOUND a missing topic answers."""

from __future__ import annotations

import re

import grpc
from google.pubsub_v1 import types

from emulator.core import ApiError, Projects, invalid

_TOPIC_NAME = re.compile(r"projects/([^/]+)/topics/([^/]+)")
_TOPIC_ID = re.compile(r"[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}")


def split_topic(name: str) -> tuple[str, str]:
    """(project id or number, topic id) of `projects/P/topics/T`."""
    match = _TOPIC_NAME.fullmatch(name)
    if match is None:
        raise invalid(f"Invalid [topics] name: (name={name})")
    return match.group(1), match.group(2)


def canonical_topic(projects: Projects, topic: str) -> str:
    """`projects/ID/topics/T` for a name carrying the project id or number."""
    project, topic_id = split_topic(topic)
    if not _TOPIC_ID.fullmatch(topic_id) or topic_id.startswith("goog"):
        raise invalid(f"Invalid [topics] name: (name={topic})")
    return f"projects/{projects.resolve(project).project_id}/topics/{topic_id}"


def short_name(canonical: str) -> str:
    return split_topic(canonical)[1]


def topic_not_found(canonical: str) -> ApiError:
    return ApiError(
        grpc.StatusCode.NOT_FOUND, f"Resource not found (resource={short_name(canonical)})."
    )


def check_publish(request: types.PublishRequest) -> None:
    """INVALID_ARGUMENT for a Publish without messages or with an empty one."""
    if not request.messages:
        raise invalid("The request contains no messages.")
    if any(not m.data and not m.attributes for m in request.messages):
        raise invalid(
            "One or more messages in the publish request is empty. Each message must "
            "contain either non-empty data, or at least one attribute."
        )
