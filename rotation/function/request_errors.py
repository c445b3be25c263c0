"""Requests the Functions Framework cannot read as a CloudEvent: answered 4xx, with a log line.

A push subscription sends a raw push the Functions Framework converts, an Eventarc trigger a
CloudEvent, so any other request is a forgery or a misconfigured sender.
Left alone, the Functions Framework answers some with a bare 400 and no log line, and crashes on
others (a binary body it tries to read as a legacy event) with a 500 that invites retries. Here
every one gets a log line that says what is wrong, and a 4xx.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import flask
from cloudevents.exceptions import GenericException
from cloudevents.http import from_http
from werkzeug.exceptions import HTTPException

from rotation.core import logs

_REASON_LIMIT = 200


def raised_inside(function: Callable[..., Any], error: BaseException) -> bool:
    """True when `error` came out of `function`: the request was read, the function failed."""
    code = getattr(function, "__code__", None)
    return any(frame.f_code is code for frame, _ in traceback.walk_tb(error.__traceback__))


def reject(error: Exception, request: flask.Request) -> tuple[str, int]:
    """Log why `request` could not be read and answer it with a 4xx naming the reason."""
    status = 400
    if isinstance(error, HTTPException) and error.code is not None and error.code < 500:
        status = error.code
    reason = _reason(status, request)
    logs.error(
        f"request rejected (HTTP {status}): {reason}",
        event="malformed_request",
        method=request.method,
        content_type=request.content_type,
        body_bytes=request.content_length,
    )
    return reason + "\n", status


def _reason(status: int, request: flask.Request) -> str:
    if status == 405:
        return f"method {request.method} is not allowed: CloudEvents are POSTed"
    if status == 415:
        return f"content type {_cut(repr(request.content_type))} is not JSON"
    try:
        from_http(dict(request.headers), request.get_data())
    except GenericException as error:
        return f"not a CloudEvent: {type(error).__name__}: {_cut(str(error))}"
    except Exception as error:  # whatever else the CloudEvents parser trips over
        return f"not a CloudEvent: {type(error).__name__}"
    return "a CloudEvent whose data is not a JSON object with a Pub/Sub message"


def _cut(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= _REASON_LIMIT else line[: _REASON_LIMIT - 3] + "..."
