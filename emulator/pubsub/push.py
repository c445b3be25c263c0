"""Push delivery as Eventarc does it: a delay queue drained by worker threads that POST each message
and redeliver a failed one, same message id, after an exponential backoff."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from emulator.core import Clock
from emulator.pubsub.cloud_events import cloud_event
from emulator.pubsub.messages import Delivery, Message, RedeliveryPolicy

log = logging.getLogger(__name__)

_WORKERS = 16  # pushes in flight at once: Eventarc has no such bound; a burst arrives together
_PUSH_TIMEOUT_SECONDS = 60.0  # an answer later than this counts as a failure and is redelivered


@dataclass(order=True)
class _Job:
    due: float  # time.monotonic()
    seq: int
    message: Message = field(compare=False)
    endpoint: str = field(compare=False)
    generation: int = field(compare=False)
    failures: int = field(compare=False, default=0)


class Pusher:
    """A delay queue drained by a few worker threads that POST messages and record every attempt."""

    def __init__(self, clock: Clock, policy: RedeliveryPolicy) -> None:
        self._clock = clock
        self._policy = policy
        self._cond = threading.Condition()
        self._queue: list[_Job] = []
        self._in_flight = 0
        self._seq = itertools.count()
        self._generation = 0
        self._attempts: Counter[str] = Counter()
        self._deliveries: list[Delivery] = []
        self._threads: list[threading.Thread] = []
        self._http: httpx.Client | None = None
        self._stopping = False

    def submit(self, message: Message, endpoint: str) -> None:
        with self._cond:
            self._push(message, endpoint, failures=0, delay=0.0)

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

    def _push(self, message: Message, endpoint: str, failures: int, delay: float) -> None:
        job = _Job(
            time.monotonic() + delay, next(self._seq), message, endpoint, self._generation, failures
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
        if failures >= self._policy.max_attempts:
            log.warning(
                "giving up on message %s after %d attempts", job.message.message_id, failures
            )
        else:
            self._push(job.message, job.endpoint, failures, self._policy.backoff(failures))

    def _next_job(self) -> tuple[_Job, int, httpx.Client] | None:
        with self._cond:
            while not self._stopping:
                if self._queue and self._queue[0].due <= time.monotonic():
                    job = heapq.heappop(self._queue)
                    self._in_flight += 1
                    self._attempts[job.message.message_id] += 1
                    assert self._http is not None
                    return job, self._attempts[job.message.message_id], self._http
                wait = self._queue[0].due - time.monotonic() if self._queue else None
                self._cond.wait(wait)
            return None

    def _work(self) -> None:
        while (next_job := self._next_job()) is not None:
            job, attempt, http = next_job
            status_code: int | None = None
            error: str | None = None
            try:
                headers, body = cloud_event(job.message)
                status_code = http.post(job.endpoint, headers=headers, content=body).status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            self._finish(job, attempt, status_code, error)

    def _finish(self, job: _Job, attempt: int, status_code: int | None, error: str | None) -> None:
        delivery = Delivery(
            job.message.message_id,
            job.message.topic,
            job.endpoint,
            attempt,
            status_code,
            error,
            self._clock.now(),
        )
        with self._cond:
            self._in_flight -= 1
            if job.generation == self._generation and not self._stopping:
                self._deliveries.append(delivery)
                if not delivery.ok:
                    self._retry(job)
            self._cond.notify_all()
