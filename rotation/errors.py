"""What can go wrong, sorted by what the platform should do about it.

`TransientError` is raised out of the function so Eventarc redelivers the event; `PermanentError`
is logged with its remedy and the event is acknowledged, because retrying cannot help.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from google.api_core import exceptions as google_exceptions

from rotation.permissions import permission_denied_remedy


class RotationError(Exception):
    """Base of every error this package raises on purpose. Messages never carry a token value."""


class TransientError(RotationError):
    """May succeed if tried again later: the platform should redeliver the event."""


class RotationBusy(TransientError):
    """Another delivery holds the rotation's lease or changed the secret first."""


class PermanentError(RotationError):
    """Retrying cannot help until somebody changes something; `remedy` says what."""

    def __init__(self, message: str, remedy: str = "") -> None:
        super().__init__(message)
        self.remedy = remedy


class ConfigError(PermanentError):
    """A `token-rotator.*` annotation or an environment variable is missing or invalid."""


class AccessMissing(PermanentError):
    """An Artifact Registry service agent cannot read the secret and granting is not enabled."""


class NotUsable(PermanentError):
    """A resource is missing or not in a state to be used: no such version, or one that is
    DISABLED or DESTROYED (Google's NOT_FOUND and FAILED_PRECONDITION)."""


class TokenRejected(PermanentError):
    """The upstream or the offline check refused a token."""


class UpstreamValidationFailed(PermanentError):
    """Artifact Registry's upstream validation refused a repoint: its service agent could not
    read the secret version (`agent_cannot_read`), or the upstream refused the credential.

    Right after a token is made this is often propagation (IAM, or the upstream learning the
    token), so the rotation retries it before it gives up; see Rotation.repoint_all."""

    def __init__(
        self,
        message: str,
        *,
        repository: str,
        version: str,
        username: str,
        agent_cannot_read: bool,
        remedy: str = "",
    ) -> None:
        super().__init__(message, remedy)
        self.repository = repository
        self.version = version
        self.username = username
        self.agent_cannot_read = agent_cannot_read


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
