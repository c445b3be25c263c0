"""Push delivery: a delay queue drained by worker threads that POST each message to its target (an
Eventarc-style endpoint, or a push subscription) and redeliver a failed one, same message id, after
the target's backoff, until the target gives up (and, for a subscription, dead-letters it)."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from emulator.core import Clock
from emulator.pubsub.cloud_events import cloud_event
from emulator.pubsub.messages import Delivery, Message, RedeliveryPolicy

Request = tuple[str, dict[str, str], bytes]  # endpoint, headers, body

log = logging.getLogger(__name__)

_WORKERS = 16  # pushes in flight at once: Eventarc has no such bound; a burst arrives together
_PUSH_TIMEOUT_SECONDS = 60.0  # an answer later than this counts as a failure and is redelivered


class Target(Protocol):
    """Where and how one message is pushed, how long to wait after a failure, when to give up."""

    @property
    def subscription(self) -> str: ...  # "" for an Eventarc-style endpoint

    def request(self, message: Message, attempt: int) -> Request | None: ...  # None: nowhere

    def backoff(self, failures: int) -> float: ...

    def give_up(self, message: Message, failures: int) -> bool: ...


@dataclass(frozen=True)
class EventarcTarget:
    """A binary-mode CloudEvent to a fixed endpoint, redelivered as RedeliveryPolicy says."""

    endpoint: str
    policy: RedeliveryPolicy
    subscription: str = ""

    def request(self, message: Message, attempt: int) -> Request:
        headers, body = cloud_event(message)
        return self.endpoint, headers, body

    def backoff(self, failures: int) -> float:
        return self.policy.backoff(failures)

    def give_up(self, message: Message, failures: int) -> bool:
        if failures < self.policy.max_attempts:
            return False
        log.warning("giving up on message %s after %d attempts", message.message_id, failures)
        return True


@dataclass(order=True)
class _Job:
    due: float  # time.monotonic()
    seq: int
    message: Message = field(compare=False)
    target: Target = field(compare=False)
    generation: int = field(compare=False)
    failures: int = field(compare=False, default=0)


class Pusher:
    """A delay queue drained by a few worker threads that POST messages and record every attempt."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._queue: list[_Job] = []
        self._in_flight = 0
        self._seq = itertools.count()
        self._generation = 0
        self._attempts: Counter[tuple[str, str]] = Counter()  # (message id, subscription)
        self._deliveries: list[Delivery] = []
        self._threads: list[threading.Thread] = []
        self._http: httpx.Client | None = None
        self._stopping = False

    def submit(self, message: Message, target: Target) -> None:
        with self._cond:
            self._push(message, target, failures=0, delay=0.0)

    def deliveries(self) -> list[Delivery]:
        with self._cond:
            return list(self._deliveries)

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._in_flight, timeout)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._queue.clear()
            self._cond.notify_all()
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=_PUSH_TIMEOUT_SECONDS + 1)
        with self._cond:
            self._stopping = False
            if self._http is not None:
                self._http.close()
                self._http = None

    def reset(self) -> None:
        """Forget queue and history; attempts in flight finish but are neither kept nor retried."""
        with self._cond:
            self._generation += 1
            self._queue.clear()
            self._attempts.clear()
            self._deliveries.clear()
            self._cond.notify_all()

    def _push(self, message: Message, target: Target, failures: int, delay: float) -> None:
        job = _Job(
            time.monotonic() + delay, next(self._seq), message, target, self._generation, failures
        )
        heapq.heappush(self._queue, job)
        if self._http is None:
            self._http = httpx.Client(timeout=_PUSH_TIMEOUT_SECONDS)
        while len(self._threads) < _WORKERS:
            thread = threading.Thread(target=self._work, name="pubsub-push", daemon=True)
            self._threads.append(thread)
            thread.start()
        self._cond.notify_all()

    def _retry(self, job: _Job) -> None:
        failures = job.failures + 1
        if not job.target.give_up(job.message, failures):
            self._push(job.message, job.target, failures, job.target.backoff(failures))

    def _next_job(self) -> tuple[_Job, int, httpx.Client] | None:
        with self._cond:
            while not self._stopping:
                if self._queue and self._queue[0].due <= time.monotonic():
                    job = heapq.heappop(self._queue)
                    self._in_flight += 1
                    key = (job.message.message_id, job.target.subscription)
                    self._attempts[key] += 1
                    assert self._http is not None
                    return job, self._attempts[key], self._http
                wait = self._queue[0].due - time.monotonic() if self._queue else None
                self._cond.wait(wait)
            return None

    def _work(self) -> None:
        while (next_job := self._next_job()) is not None:
            job, attempt, http = next_job
            status_code: int | None = None
            error: str | None = None
            request = job.target.request(job.message, attempt)
            if request is None:  # the subscription is gone or pushes nowhere now
                self._finish(job, None)
                continue
            endpoint, headers, body = request
            try:
                status_code = http.post(endpoint, headers=headers, content=body).status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            delivery = Delivery(
                job.message.message_id,
                job.message.topic,
                endpoint,
                attempt,
                status_code,
                error,
                self._clock.now(),
                job.target.subscription,
            )
            self._finish(job, delivery)

    def _finish(self, job: _Job, delivery: Delivery | None) -> None:
        with self._cond:
            self._in_flight -= 1
            if delivery is not None and job.generation == self._generation and not self._stopping:
                self._deliveries.append(delivery)
                if not delivery.ok:
                    self._retry(job)
            self._cond.notify_all()
