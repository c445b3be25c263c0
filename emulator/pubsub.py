"""Pub/Sub Publisher, plus push delivery of every message as Eventarc does it.

Each published message is POSTed, as a CloudEvent in binary mode, to the topic's push endpoint
by background workers; a non-2xx answer or a connection error is redelivered with the same
message id after an exponential backoff, as a trigger with RETRY_POLICY_RETRY would.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import grpc
import httpx
from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent
from google.protobuf import timestamp_pb2
from google.pubsub_v1 import types

from emulator.core import ApiError, Clock, Projects, invalid
from emulator.grpc_server import Rpc

log = logging.getLogger(__name__)

EVENT_TYPE = "google.cloud.pubsub.topic.v1.messagePublished"
_TOPIC_NAME = re.compile(r"projects/([^/]+)/topics/([^/]+)")
_TOPIC_ID = re.compile(r"[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}")
_WORKERS = 16  # pushes in flight at once: Eventarc has no such bound; a burst arrives together
_PUSH_TIMEOUT_SECONDS = 60.0  # an answer later than this counts as a failure and is redelivered


@dataclass(frozen=True)
class RedeliveryPolicy:
    """Backoff bounds for redelivering a failed push (Eventarc uses 10-600 s; tests need less)."""

    min_backoff_seconds: float = 0.05
    max_backoff_seconds: float = 2.0
    max_attempts: int = 50

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

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def rfc3339(when: datetime) -> str:
    """UTC with a `Z`, 0, 3, 6 or 9 fraction digits: how Pub/Sub writes `publishTime`."""
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(when)
    return str(stamp.ToJsonString())


def cloud_event(message: Message) -> tuple[dict[str, str], bytes]:
    """Headers and body of the binary-mode CloudEvent Eventarc POSTs for a Pub/Sub message."""
    project, topic_id = split_topic(message.topic)
    published = rfc3339(message.publish_time)
    pubsub_message: dict[str, object] = {"messageId": message.message_id, "publishTime": published}
    # Proto3 JSON leaves out empty fields: a TOPIC_CONFIGURED message arrives without "data".
    if message.attributes:
        pubsub_message["attributes"] = dict(message.attributes)
    if message.data:
        pubsub_message["data"] = base64.b64encode(message.data).decode()
    event = CloudEvent(
        {
            "type": EVENT_TYPE,
            "source": f"//pubsub.googleapis.com/{message.topic}",
            "id": message.message_id,
            "time": published,
            "datacontenttype": "application/json",
        },
        {
            "subscription": f"projects/{project}/subscriptions/eventarc-emulator-{topic_id}-sub",
            "message": pubsub_message,
        },
    )
    headers, body = to_binary(event)
    return headers, body


def split_topic(name: str) -> tuple[str, str]:
    match = _TOPIC_NAME.fullmatch(name)
    if match is None:
        raise invalid(f"Invalid [topics] name: (name={name})")
    return match.group(1), match.group(2)


def _short(canonical: str) -> str:
    return split_topic(canonical)[1]


def _topic_not_found(canonical: str) -> ApiError:
    return ApiError(
        grpc.StatusCode.NOT_FOUND, f"Resource not found (resource={_short(canonical)})."
    )


@dataclass(order=True)
class _Job:
    due: float  # time.monotonic()
    seq: int
    message: Message = field(compare=False)
    endpoint: str = field(compare=False)
    generation: int = field(compare=False)
    failures: int = field(compare=False, default=0)


class _Pusher:
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


class PubSub:
    """google.pubsub.v1.Publisher (CreateTopic, GetTopic, Publish) and a Python publish API."""

    service_name = "google.pubsub.v1.Publisher"

    def __init__(self, clock: Clock, projects: Projects, policy: RedeliveryPolicy) -> None:
        self._clock = clock
        self._projects = projects
        self._lock = threading.Lock()
        self._topics: dict[str, types.Topic] = {}
        self._messages: dict[str, list[Message]] = {}
        self._by_id: dict[str, Message] = {}
        self._endpoints: dict[str, str] = {}
        self._default_endpoint: str | None = None
        self._ids = itertools.count(4_000_000_000_000_001)  # never reset: ids stay unique
        self._topic_listeners: list[Callable[[], None]] = []
        self._pusher = _Pusher(clock, policy)

    def rpcs(self) -> Sequence[Rpc]:
        return [
            Rpc("CreateTopic", types.Topic, types.Topic, self._create_topic),
            Rpc("GetTopic", types.GetTopicRequest, types.Topic, self._get_topic),
            Rpc("Publish", types.PublishRequest, types.PublishResponse, self._publish),
        ]

    # --- Python API -------------------------------------------------------------------------

    def canonical(self, topic: str) -> str:
        """`projects/ID/topics/T` for a name carrying the project id or number."""
        project, topic_id = split_topic(topic)
        if not _TOPIC_ID.fullmatch(topic_id) or topic_id.startswith("goog"):
            raise invalid(f"Invalid [topics] name: (name={topic})")
        return f"projects/{self._projects.resolve(project).project_id}/topics/{topic_id}"

    def create_topic(self, name: str) -> types.Topic:
        canonical = self.canonical(name)
        with self._lock:
            if canonical in self._topics:
                raise ApiError(
                    grpc.StatusCode.ALREADY_EXISTS,
                    f"Resource already exists in the project (resource={_short(canonical)}).",
                )
            self._topics[canonical] = types.Topic(name=canonical)
            created = types.Topic(self._topics[canonical])
        for listener in list(self._topic_listeners):
            listener()
        return created

    def on_topic_created(self, listener: Callable[[], None]) -> None:
        """Run `listener` after every topic creation (Secret Manager then publishes what waited)."""
        self._topic_listeners.append(listener)

    def publish(self, topic: str, data: bytes, attributes: dict[str, str]) -> str | None:
        """Publish as Secret Manager does: the message id, or None when the topic is missing.

        Secret Manager's own publish to a missing topic fails without its caller noticing: nothing
        is raised; Secret Manager keeps the notification and tries again.
        """
        try:
            return self._store(self.canonical(topic), data, attributes)
        except ApiError as error:
            log.warning("could not publish a message to %s: %s", topic, error.message)
            return None

    def messages(self, topic: str) -> list[Message]:
        with self._lock:
            return list(self._messages.get(self.canonical(topic), []))

    def set_default_push_endpoint(self, url: str | None) -> None:
        with self._lock:
            self._default_endpoint = url

    def set_push_endpoint(self, topic: str, url: str | None) -> None:
        canonical = self.canonical(topic)
        with self._lock:
            if url is None:
                self._endpoints.pop(canonical, None)
            else:
                self._endpoints[canonical] = url

    def deliveries(self) -> list[Delivery]:
        return self._pusher.deliveries()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no push is queued, backing off or in flight; False on timeout."""
        return self._pusher.wait_idle(timeout)

    def redeliver(self, message_id: str) -> None:
        """Push a recorded message again, same id: the at-least-once duplicate Eventarc may send."""
        with self._lock:
            message = self._by_id[message_id]
            endpoint = self._endpoint(message.topic)
        if endpoint is None:
            raise ValueError(f"no push endpoint for {message.topic}")
        self._pusher.submit(message, endpoint)

    def stop(self) -> None:
        self._pusher.stop()

    def reset(self) -> None:
        with self._lock:
            self._topics.clear()
            self._messages.clear()
            self._by_id.clear()
            self._endpoints.clear()
            self._default_endpoint = None
        self._pusher.reset()

    # --- internals --------------------------------------------------------------------------

    def _endpoint(self, canonical: str) -> str | None:
        return self._endpoints.get(canonical, self._default_endpoint)

    def _store(self, canonical: str, data: bytes, attributes: dict[str, str]) -> str:
        with self._lock:
            if canonical not in self._topics:
                raise _topic_not_found(canonical)
            message = Message(
                canonical, str(next(self._ids)), data, dict(attributes), self._clock.now()
            )
            self._messages.setdefault(canonical, []).append(message)
            self._by_id[message.message_id] = message
            endpoint = self._endpoint(canonical)
        if endpoint is not None:
            self._pusher.submit(message, endpoint)
        return message.message_id

    def _create_topic(self, request: types.Topic) -> types.Topic:
        return self.create_topic(request.name)

    def _get_topic(self, request: types.GetTopicRequest) -> types.Topic:
        canonical = self.canonical(request.topic)
        with self._lock:
            topic = self._topics.get(canonical)
            if topic is None:
                raise _topic_not_found(canonical)
            return types.Topic(topic)

    def _publish(self, request: types.PublishRequest) -> types.PublishResponse:
        if not request.messages:
            raise invalid("The request contains no messages.")
        if any(not m.data and not m.attributes for m in request.messages):
            raise invalid(
                "One or more messages in the publish request is empty. Each message must "
                "contain either non-empty data, or at least one attribute."
            )
        canonical = self.canonical(request.topic)
        ids = [self._store(canonical, m.data, dict(m.attributes)) for m in request.messages]
        return types.PublishResponse(message_ids=ids)
