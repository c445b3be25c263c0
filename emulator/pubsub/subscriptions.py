"""google.pubsub.v1.Subscriber for push subscriptions: create, get, delete, ModifyPushConfig, and
the fan-out of each published message to the subscriptions on its topic.

A message the subscription's filter does not match is acknowledged at once and never pushed
(Subscription.filter, pubsub.proto). A matching one is pushed to the push endpoint; a non-2xx
answer is a NACK, redelivered after the retry policy's exponential backoff (scaled by
`RedeliveryPolicy.subscription_backoff_scale`); after `max_delivery_attempts` it is published to
the dead-letter topic. A subscription without a push endpoint keeps its messages (no Pull here).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import grpc
from google.protobuf import empty_pb2
from google.pubsub_v1 import types

from emulator.core import ApiError, Clock, Projects
from emulator.grpc_server import Rpc
from emulator.pubsub.filters import Predicate
from emulator.pubsub.messages import Message, RedeliveryPolicy
from emulator.pubsub.oidc import OidcSigner
from emulator.pubsub.push import Pusher, Request
from emulator.pubsub.subscription_rules import (
    backoff_bounds,
    dead_letter_attributes,
    push_body,
    push_headers,
    split_subscription,
    validated,
)

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes, Mapping[str, str]], str]  # canonical topic, data, attributes
TopicCheck = Callable[[str], str]  # a topic name -> its canonical name; NOT_FOUND if missing


@dataclass(frozen=True)
class SubscriptionTarget:
    """A push of one message to one subscription, reading the subscription as it is now."""

    registry: Subscriptions
    subscription: str

    def request(self, message: Message, attempt: int) -> Request | None:
        found = self.registry.find(self.subscription)
        if found is None or not found.push_config.push_endpoint:
            return None
        headers = push_headers(found, self.registry.sign)
        return found.push_config.push_endpoint, headers, push_body(found, message, attempt)

    def backoff(self, failures: int) -> float:
        found = self.registry.find(self.subscription)
        low, high = backoff_bounds(found) if found is not None else (0.0, 0.0)
        scale = self.registry.policy.subscription_backoff_scale
        return min(high, low * 2.0 ** (failures - 1)) * scale

    def give_up(self, message: Message, failures: int) -> bool:
        found = self.registry.find(self.subscription)
        if found is None:
            return True
        if "dead_letter_policy" in found:
            if failures < found.dead_letter_policy.max_delivery_attempts:
                return False
            self.registry.dead_letter(found, message, failures)
            return True
        # Pub/Sub keeps retrying until the message expires (7 days by default); the emulator stops
        # after RedeliveryPolicy.max_attempts so that a test's wait ends.
        return failures >= self.registry.policy.max_attempts


class Subscriptions:
    service_name = "google.pubsub.v1.Subscriber"

    def __init__(
        self,
        clock: Clock,
        projects: Projects,
        policy: RedeliveryPolicy,
        *,
        pusher: Pusher,
        topic: TopicCheck,
        publish: Publish,
    ) -> None:
        self._clock = clock
        self._projects = projects
        self.policy = policy
        self._pusher = pusher
        self._topic = topic
        self._publish = publish
        self._signer = OidcSigner()
        self._lock = threading.Lock()
        self._subscriptions: dict[str, tuple[types.Subscription, Predicate]] = {}
        self.unmatched: dict[str, int] = {}  # subscription -> messages acknowledged unpushed

    def rpcs(self) -> Sequence[Rpc]:
        return [
            Rpc("CreateSubscription", types.Subscription, types.Subscription, self.create),
            Rpc("GetSubscription", types.GetSubscriptionRequest, types.Subscription, self._get),
            Rpc(
                "DeleteSubscription", types.DeleteSubscriptionRequest, empty_pb2.Empty, self._delete
            ),
            Rpc("ModifyPushConfig", types.ModifyPushConfigRequest, empty_pb2.Empty, self._modify),
        ]

    # --- Python API -------------------------------------------------------------------------

    def create(self, subscription: types.Subscription) -> types.Subscription:
        stored, predicate = validated(subscription)
        stored.name = self._canonical(subscription.name)
        stored.topic = self._topic(subscription.topic)
        if "dead_letter_policy" in stored:
            dead_letter = self._topic(stored.dead_letter_policy.dead_letter_topic)
            stored.dead_letter_policy.dead_letter_topic = dead_letter
        with self._lock:
            if stored.name in self._subscriptions:
                raise ApiError(
                    grpc.StatusCode.ALREADY_EXISTS,
                    f"Resource already exists in the project (resource={split_subscription(stored.name)[1]}).",
                )
            self._subscriptions[stored.name] = (stored, predicate)
        return types.Subscription(stored)

    def find(self, name: str) -> types.Subscription | None:
        with self._lock:
            found = self._subscriptions.get(name)
        return types.Subscription(found[0]) if found else None

    def modify_push_config(self, name: str, config: types.PushConfig) -> None:
        """Push as `config` says from now on; an empty one stops pushing (ModifyPushConfig)."""
        self._modify(types.ModifyPushConfigRequest(subscription=name, push_config=config))

    def deliver(self, message: Message, redelivery: bool = False) -> list[str]:
        """Hand `message` to every subscription on its topic; the names of those that push it.
        A first delivery counts the subscriptions that acknowledged it unpushed (`unmatched`)."""
        with self._lock:
            on_topic = [
                (name, predicate)
                for name, (subscription, predicate) in self._subscriptions.items()
                if subscription.topic == message.topic
            ]
        pushing = [name for name, predicate in on_topic if predicate(message.attributes)]
        with self._lock:
            for name, _ in on_topic:
                if name not in pushing and not redelivery:
                    self.unmatched[name] = self.unmatched.get(name, 0) + 1
        for name in pushing:
            self._pusher.submit(message, SubscriptionTarget(self, name))
        return pushing

    def redeliver(self, message: Message) -> int:
        """Push `message` again to every subscription whose filter matches it; how many."""
        return len(self.deliver(message, redelivery=True))

    def sign(self, email: str, audience: str) -> str:
        return self._signer.token(email, audience, self._clock.now())

    def oidc_certs(self) -> dict[str, str]:
        """Key id -> PEM public key that verifies the OIDC tokens of pushes."""
        return self._signer.certs()

    def dead_letter(
        self, subscription: types.Subscription, message: Message, attempts: int
    ) -> None:
        topic = subscription.dead_letter_policy.dead_letter_topic
        log.warning(
            "message %s reached %d delivery attempts on %s: forwarded to %s",
            message.message_id,
            attempts,
            subscription.name,
            topic,
        )
        self._publish(topic, message.data, dead_letter_attributes(subscription, message, attempts))

    def reset(self) -> None:
        with self._lock:
            self._subscriptions.clear()
            self.unmatched.clear()

    # --- gRPC -------------------------------------------------------------------------------

    def _canonical(self, name: str) -> str:
        project, subscription_id = split_subscription(name)
        return (
            f"projects/{self._projects.resolve(project).project_id}/subscriptions/{subscription_id}"
        )

    def _stored(self, name: str) -> types.Subscription:
        canonical = self._canonical(name)
        with self._lock:
            found = self._subscriptions.get(canonical)
        if found is None:
            raise ApiError(
                grpc.StatusCode.NOT_FOUND,
                f"Resource not found (resource={split_subscription(canonical)[1]}).",
            )
        return found[0]

    def _get(self, request: types.GetSubscriptionRequest) -> types.Subscription:
        return types.Subscription(self._stored(request.subscription))

    def _delete(self, request: types.DeleteSubscriptionRequest) -> empty_pb2.Empty:
        name = self._stored(request.subscription).name
        with self._lock:
            self._subscriptions.pop(name, None)
        return empty_pb2.Empty()

    def _modify(self, request: types.ModifyPushConfigRequest) -> empty_pb2.Empty:
        current = self._stored(request.subscription)
        changed = types.Subscription(current)
        changed.push_config = request.push_config
        stored, predicate = validated(changed)
        with self._lock:
            self._subscriptions[current.name] = (stored, predicate)
        return empty_pb2.Empty()
