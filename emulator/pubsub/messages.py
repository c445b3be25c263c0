"""The records of Pub/Sub: a published message, one push attempt, and the redelivery backoff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RedeliveryPolicy:
    """Backoff bounds for redelivering a failed push (Eventarc uses 10-600 s; tests need less).

    The first three apply to Eventarc-style endpoints. A push subscription waits its own
    `retry_policy` backoff times `subscription_backoff_scale`: 0.005 makes Pub/Sub's 10-600 s
    0.05-3 s, so a test sees the real sequence of delays without waiting minutes."""

    min_backoff_seconds: float = 0.05
    max_backoff_seconds: float = 2.0
    max_attempts: int = 50
    subscription_backoff_scale: float = 0.005

    def backoff(self, failures: int) -> float:
        """Delay before the next attempt after `failures` consecutive failures (1 or more)."""
        return min(self.max_backoff_seconds, self.min_backoff_seconds * 2.0 ** (failures - 1))


@dataclass(frozen=True)
class Message:
    topic: str  # canonical name, with the project id: projects/P/topics/T
    message_id: str
    data: bytes
    attributes: dict[str, str]
    publish_time: datetime


@dataclass(frozen=True)
class Delivery:
    """One push attempt: `status_code` is the HTTP answer, or `error` says why there was none."""

    message_id: str
    topic: str
    endpoint: str
    attempt: int
    status_code: int | None
    error: str | None
    time: datetime
    subscription: str = ""  # the push subscription, "" for an Eventarc-style endpoint

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
