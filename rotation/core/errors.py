"""What can go wrong, sorted by what the platform should do about it.

`TransientError` is raised out of the function so Pub/Sub redelivers the event; `PermanentError`
is logged with its remedy and the event is acknowledged, because retrying cannot help.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType


class RotationError(Exception):
    """Base of every error this package raises on purpose. Messages never carry a token value.

    `context`: log fields the work it stopped adds to the line that reports it (a rotation's
    source and trigger, see Rotation.run)."""

    context: Mapping[str, object] = MappingProxyType({})


class TransientError(RotationError):
    """May succeed if tried again later: the platform should redeliver the event."""


class RotationBusy(TransientError):
    """Another delivery holds the rotation's lease or changed the secret first."""


class SecretChanged(TransientError):
    """A write carried the etag of an older read: somebody changed the secret since. The writer
    re-reads it and decides again (see SecretRecord.save)."""


class ConfigurationChanged(TransientError):
    """An operator changed the secret's token-rotator.* configuration (or its aliases) while a
    job worked from the old one: the job reads the secret again and carries on from there."""


class PermanentError(RotationError):
    """Retrying cannot help until somebody changes something; `remedy` says what."""

    def __init__(self, message: str, remedy: str = "") -> None:
        super().__init__(message)
        self.remedy = remedy


class ConfigError(PermanentError):
    """A `token-rotator.*` annotation or an environment variable is missing or invalid.

    `key` is the annotation (or variable) at fault and `value` its value (None: missing), where
    the error is about one."""

    def __init__(
        self, message: str, remedy: str = "", key: str = "", value: str | None = None
    ) -> None:
        super().__init__(message, remedy)
        self.key = key
        self.value = value


@dataclass(frozen=True)
class Problem:
    """One invalid setting: the annotation, its value (None: missing), what is wrong, the fix."""

    key: str
    value: str | None
    problem: str
    remedy: str

    @classmethod
    def of(cls, error: ConfigError) -> Problem:
        return cls(error.key, error.value, str(error), error.remedy)

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


class InvalidAnnotations(ConfigError):
    """Every problem found in one secret's annotations, so all are fixed in one go."""

    def __init__(self, secret: str, problems: list[Problem]) -> None:
        self.secret = secret
        self.problems = tuple(problems)
        if len(problems) == 1:
            [only] = problems
            super().__init__(only.problem, only.remedy, only.key, only.value)
            return
        listed = "; ".join(f"({n}) {p.problem}" for n, p in enumerate(problems, 1))
        remedies = "; ".join(f"({n}) {p.remedy}" for n, p in enumerate(problems, 1))
        super().__init__(
            f"{len(problems)} invalid token-rotator.* annotations on {secret}: {listed}",
            remedy=f"fix each: {remedies}",
        )


def problems_of(error: ConfigError) -> tuple[Problem, ...]:
    """The problems an error reports: each of an InvalidAnnotations, or the error itself."""
    if isinstance(error, InvalidAnnotations):
        return error.problems
    return (Problem.of(error),)


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
    token), so the rotation retries it before it gives up; see repoint.repoint_in_grace."""

    def __init__(
        self,
        message: str,
        *,
        repository: str,
        version: str,
        username: str,
        agent_cannot_read: bool,
        remedy: str = "",
        stayed: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, remedy)
        self.repository = repository
        self.version = version
        self.username = username
        self.agent_cannot_read = agent_cannot_read
        # Of a repoint of several repositories: each one refused -> what Artifact Registry said.
        self.stayed = stayed or {repository: message}


class RepointRefusedForNow(TransientError):
    """Artifact Registry refused a repoint while the rotation is still young enough that the
    refusal may be propagation: redelivered. `stayed` as in UpstreamValidationFailed."""

    def __init__(self, message: str, stayed: dict[str, str]) -> None:
        super().__init__(message)
        self.stayed = stayed
