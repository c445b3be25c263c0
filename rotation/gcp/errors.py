"""Google API errors translated into ours: the status text only (never a payload), sorted into
transient (redelivered) and permanent (with a remedy)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from google.api_core import exceptions as google_exceptions

from rotation.core.errors import (
    ConfigError,
    NotUsable,
    PermanentError,
    RotationError,
    TransientError,
)
from rotation.gcp.permissions import permission_denied_remedy

TRANSIENT_GOOGLE_ERRORS: tuple[type[Exception], ...] = (
    google_exceptions.ServiceUnavailable,
    google_exceptions.DeadlineExceeded,
    google_exceptions.InternalServerError,
    google_exceptions.TooManyRequests,
    google_exceptions.Aborted,
    google_exceptions.Unknown,
    google_exceptions.RetryError,
)


def from_google(error: Exception, doing: str) -> RotationError:
    """Translate a Google API error into ours, keeping only its status text (never a payload)."""
    if isinstance(error, TRANSIENT_GOOGLE_ERRORS):
        return TransientError(f"{doing}: {type(error).__name__}: {_message(error)}")
    if isinstance(error, google_exceptions.PermissionDenied):
        return PermanentError(
            f"{doing}: permission denied: {_message(error)}",
            remedy=permission_denied_remedy(_message(error)),
        )
    if isinstance(error, google_exceptions.NotFound):
        return ConfigError(
            f"{doing}: not found: {_message(error)}",
            remedy="check the name: in the secret's token-rotator.* annotations, or on the "
            "command line",
        )
    if isinstance(error, google_exceptions.FailedPrecondition):
        return NotUsable(f"{doing}: {_message(error)}")
    return PermanentError(f"{doing}: {type(error).__name__}: {_message(error)}")


@contextmanager
def google_call(doing: str) -> Iterator[None]:
    """Translate any Google API error raised inside into ours, saying what was being done.

    Catch the errors a caller treats specially inside this block; ours pass through."""
    try:
        yield
    except google_exceptions.GoogleAPIError as error:
        raise from_google(error, doing) from None


def _message(error: Exception) -> str:
    if isinstance(error, google_exceptions.GoogleAPICallError):
        return str(error.message)
    return str(error)
