"""How long every Google call may take, and which calls are retried: one place for all of them.

The generated clients' own defaults differ by service (Artifact Registry: no timeout and no retry
at all; Secret Manager: 60 s and a retry only on AccessSecretVersion; see emulator/FIDELITY.md,
"Client deadlines and retries"), so every call passes its `timeout=` and `retry=` from here.

Each attempt has `attempt_timeout`; reads and idempotent writes are retried on UNAVAILABLE and
DEADLINE_EXCEEDED until `call_deadline` (the first attempt's start plus the deadline bounds the
last attempt's end). Writes that are not safe to repeat get one attempt: AddSecretVersion (a
repeat adds a second version) and the etag-guarded writes (a repeat of one that took effect
fails its etag check, which would read as a lost race). Defaults: 15 s per attempt, 45 s per
call, against a 10 minute ROTATION_LEASE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.api_core.retry import Retry, if_exception_type
from google.api_core.timeout import ConstantTimeout

from rotation.core.settings import DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CALL_DEADLINE, Settings

RETRIED_ERRORS = (google_exceptions.ServiceUnavailable, google_exceptions.DeadlineExceeded)
_FIRST_BACKOFF_SECONDS = 0.5
_MAX_BACKOFF_SECONDS = 8.0


@dataclass(frozen=True)
class CallPolicy:
    """The `timeout=` and `retry=` of one kind of call."""

    attempt_timeout: timedelta
    retry: Retry | None

    def options(self) -> dict[str, Any]:
        """Keyword arguments for a generated client method (retry None: exactly one attempt)."""
        return {
            "timeout": ConstantTimeout(self.attempt_timeout.total_seconds()),  # type: ignore[no-untyped-call]
            "retry": self.retry,
        }


@dataclass(frozen=True)
class CallPolicies:
    read: CallPolicy
    idempotent_write: CallPolicy  # repeating it after it took effect changes nothing
    write: CallPolicy  # not safe to repeat blindly: one attempt

    @classmethod
    def build(
        cls,
        attempt_timeout: timedelta = DEFAULT_ATTEMPT_TIMEOUT,
        call_deadline: timedelta = DEFAULT_CALL_DEADLINE,
    ) -> CallPolicies:
        # The retry gives up before a sleep that would pass its own timeout; an attempt started
        # just before then may still run for attempt_timeout, hence the subtraction.
        retry = Retry(
            predicate=if_exception_type(*RETRIED_ERRORS),
            initial=_FIRST_BACKOFF_SECONDS,
            maximum=_MAX_BACKOFF_SECONDS,
            multiplier=2.0,
            timeout=(call_deadline - attempt_timeout).total_seconds(),
        )
        retried = CallPolicy(attempt_timeout, retry)
        return cls(read=retried, idempotent_write=retried, write=CallPolicy(attempt_timeout, None))


DEFAULT_POLICIES = CallPolicies.build()


def call_policies(settings: Settings) -> CallPolicies:
    """The policies the deployment's GOOGLE_CALL_TIMEOUT and GOOGLE_CALL_DEADLINE set."""
    return CallPolicies.build(settings.google_call_timeout, settings.google_call_deadline)
