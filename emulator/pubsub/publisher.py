"""The Pub/Sub Publisher: topics and their messages, over gRPC and in process; each message goes to
the topic's push subscriptions (`subscriptions`) and, Eventarc-style, to a topic's push endpoint."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Mapping, Sequence

import grpc
from google.pubsub_v1 import types

from emulator.core import ApiError, Clock, Projects
from emulator.grpc_server import Rpc
from emulator.pubsub.cloud_events import EventarcEndpoints
from emulator.pubsub.function_delivery import FunctionDelivery, push_to_function
from emulator.pubsub.messages import Delivery, Message, RedeliveryPolicy
from emulator.pubsub.push import EventarcTarget, Pusher
from emulator.pubsub.subscriptions import Subscriptions
from emulator.pubsub.topics import canonical_topic, check_publish, short_name, topic_not_found

log = logging.getLogger(__name__)


class PubSub:
    """google.pubsub.v1.Publisher (CreateTopic, GetTopic, Publish) and a Python publish API;
    `subscriptions` is the google.pubsub.v1.Subscriber service."""

    service_name = "google.pubsub.v1.Publisher"

    def __init__(self, clock: Clock, projects: Projects, policy: RedeliveryPolicy) -> None:
        self._clock = clock
        self._projects = projects
        self._lock = threading.Lock()
        self._topics: dict[str, types.Topic] = {}
        self._messages: dict[str, list[Message]] = {}
        self._by_id: dict[str, Message] = {}
        self.eventarc = EventarcEndpoints()
        self._ids = itertools.count(4_000_000_000_000_001)  # never reset: ids stay unique
        self._topic_listeners: list[Callable[[], None]] = []
        self._policy = policy
        self._pusher = Pusher(clock)
        self.subscriptions = Subscriptions(
            clock, projects, policy, pusher=self._pusher, topic=self._existing, publish=self._store
        )

    def rpcs(self) -> Sequence[Rpc]:
        return [
            Rpc("CreateTopic", types.Topic, types.Topic, self._create_topic),
            Rpc("GetTopic", types.GetTopicRequest, types.Topic, self._get_topic),
            Rpc("Publish", types.PublishRequest, types.PublishResponse, self._publish),
        ]

    # --- Python API -------------------------------------------------------------------------

    def canonical(self, topic: str) -> str:
        """`projects/ID/topics/T` for a name carrying the project id or number."""
        return canonical_topic(self._projects, topic)

    def create_topic(self, name: str) -> types.Topic:
        canonical = self.canonical(name)
        with self._lock:
            if canonical in self._topics:
                raise ApiError(
                    grpc.StatusCode.ALREADY_EXISTS,
                    f"Resource already exists in the project (resource={short_name(canonical)}).",
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
        """Eventarc-style: every topic without its own endpoint pushes CloudEvents to `url`."""
        self.eventarc.default = url

    def set_push_endpoint(self, topic: str, url: str | None) -> None:
        """Eventarc-style: `topic` pushes CloudEvents to `url`; None: to the default, if any."""
        self.eventarc.set(self.canonical(topic), url)

    def push_to_function(
        self, topic: str, url: str | None, event_type: str = "SECRET_ROTATE"
    ) -> FunctionDelivery:
        """Wire `topic` to the function as the Terraform module does (`function_delivery`)."""
        return push_to_function(self, topic, url, event_type)

    def deliveries(self) -> list[Delivery]:
        return self._pusher.deliveries()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no push is queued, backing off or in flight; False on timeout."""
        return self._pusher.wait_idle(timeout)

    def redeliver(self, message_id: str) -> None:
        """Push a recorded message again, same id (an at-least-once duplicate), everywhere."""
        with self._lock:
            message = self._by_id[message_id]
            endpoint = self.eventarc.endpoint(message.topic)
        if endpoint is not None:
            self._pusher.submit(message, EventarcTarget(endpoint, self._policy))
        if not self.subscriptions.redeliver(message) and endpoint is None:
            raise ValueError(f"no push endpoint or matching subscription for {message.topic}")

    def stop(self) -> None:
        self._pusher.stop()

    def reset(self) -> None:
        with self._lock:
            self._topics.clear()
            self._messages.clear()
            self._by_id.clear()
        self.eventarc.reset()
        self._pusher.reset()
        self.subscriptions.reset()

    # --- internals --------------------------------------------------------------------------

    def _existing(self, topic: str) -> str:
        """The canonical name of an existing topic; NOT_FOUND if there is none."""
        return self._get_topic(types.GetTopicRequest(topic=topic)).name

    def _store(self, canonical: str, data: bytes, attributes: Mapping[str, str]) -> str:
        with self._lock:
            if canonical not in self._topics:
                raise topic_not_found(canonical)
            message = Message(
                canonical, str(next(self._ids)), data, dict(attributes), self._clock.now()
            )
            self._messages.setdefault(canonical, []).append(message)
            self._by_id[message.message_id] = message
            endpoint = self.eventarc.endpoint(canonical)
        if endpoint is not None:
            self._pusher.submit(message, EventarcTarget(endpoint, self._policy))
        self.subscriptions.deliver(message)
        return message.message_id

    def _create_topic(self, request: types.Topic) -> types.Topic:
        return self.create_topic(request.name)

    def _get_topic(self, request: types.GetTopicRequest) -> types.Topic:
        canonical = self.canonical(request.topic)
        with self._lock:
            topic = self._topics.get(canonical)
            if topic is None:
                raise topic_not_found(canonical)
            return types.Topic(topic)

    def _publish(self, request: types.PublishRequest) -> types.PublishResponse:
        check_publish(request)
        canonical = self.canonical(request.topic)
        ids = [self._store(canonical, m.data, dict(m.attributes)) for m in request.messages]
        return types.PublishResponse(message_ids=ids)
