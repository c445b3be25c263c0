"""Cloud Function entry point: every Secret Manager notification for the rotated secrets lands here."""

from typing import Any

import flask
import functions_framework

from rotation.function.handler import handle
from rotation.function.request_errors import raised_inside, reject


@functions_framework.cloud_event
def on_secret_event(cloud_event: Any) -> None:
    handle(cloud_event)


@functions_framework.errorhandler(Exception)  # type: ignore[untyped-decorator]  # untyped upstream
def on_unreadable_request(error: Exception) -> Any:
    """A request the Functions Framework could not turn into a CloudEvent gets a 4xx and a log
    line. The function's own failures are re-raised: a 500, so Pub/Sub redelivers the message."""
    if raised_inside(on_secret_event, error):
        raise error
    if getattr(error, "code", None) == 500:
        return error
    return reject(error, flask.request)
