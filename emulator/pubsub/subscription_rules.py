"""What a Subscription may say (validated as CreateSubscription does) and what a push of one
message to it looks like: the raw JSON body, the OIDC header, the backoff and the dead letter."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping

from google.pubsub_v1 import types

from emulator.core import invalid
from emulator.pubsub.cloud_events import rfc3339
from emulator.pubsub.filters import Predicate, parse_filter
from emulator.pubsub.messages import Message

_SUBSCRIPTION_NAME = re.compile(r"projects/([^/]+)/subscriptions/([^/]+)")
_SUBSCRIPTION_ID = re.compile(r"[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}")
MAX_BACKOFF_SECONDS = 600.0  # RetryPolicy: "Value should be between 0 and 600 seconds"
DEFAULT_MIN_BACKOFF = 10.0  # RetryPolicy.minimum_backoff: "Defaults to 10 seconds"
DEFAULT_MAX_BACKOFF = 600.0  # RetryPolicy.maximum_backoff: "Defaults to 600 seconds"
DEFAULT_DELIVERY_ATTEMPTS = 5  # DeadLetterPolicy: "If this parameter is 0, a default value of 5"


def split_subscription(name: str) -> tuple[str, str]:
    match = _SUBSCRIPTION_NAME.fullmatch(name)
    if match is None or not _SUBSCRIPTION_ID.fullmatch(match.group(2)):
        raise invalid(f"Invalid [subscriptions] name: (name={name})")
    if match.group(2).startswith("goog"):
        raise invalid(f"Invalid [subscriptions] name: (name={name})")
    return match.group(1), match.group(2)


def _seconds(duration: object) -> float:
    # proto-plus answers a Duration field as a datetime.timedelta
    total = getattr(duration, "total_seconds", None)
    return float(total()) if callable(total) else 0.0


def backoff_bounds(subscription: types.Subscription) -> tuple[float, float]:
    """(minimum, maximum) in seconds, Pub/Sub's defaults where the policy leaves them out."""
    if "retry_policy" not in subscription:
        return DEFAULT_MIN_BACKOFF, DEFAULT_MAX_BACKOFF
    policy = subscription.retry_policy
    low = _seconds(policy.minimum_backoff) if "minimum_backoff" in policy else DEFAULT_MIN_BACKOFF
    high = _seconds(policy.maximum_backoff) if "maximum_backoff" in policy else DEFAULT_MAX_BACKOFF
    return low, high


def validated(subscription: types.Subscription) -> tuple[types.Subscription, Predicate]:
    """The subscription as GetSubscription answers it (defaults filled in), and its filter.

    INVALID_ARGUMENT for a filter outside the supported language, a backoff outside 0-600 s or
    a minimum above the maximum, max_delivery_attempts outside 5-100, a push endpoint that is
    not an http(s) URL."""
    split_subscription(subscription.name)
    stored = types.Subscription(subscription)
    predicate = parse_filter(subscription.filter)
    if "retry_policy" in subscription:
        low, high = backoff_bounds(subscription)
        for what, value in (("minimum_backoff", low), ("maximum_backoff", high)):
            if not 0 <= value <= MAX_BACKOFF_SECONDS:
                raise invalid(
                    f"Invalid retry_policy.{what} {value:g}s: it must be between 0 and 600 seconds."
                )
        if low > high:
            raise invalid(
                f"Invalid retry_policy: minimum_backoff {low:g}s is above maximum_backoff "
                f"{high:g}s."
            )
    if "dead_letter_policy" in subscription:
        attempts = subscription.dead_letter_policy.max_delivery_attempts
        if attempts == 0:
            stored.dead_letter_policy.max_delivery_attempts = DEFAULT_DELIVERY_ATTEMPTS
        elif not 5 <= attempts <= 100:
            raise invalid(
                f"Invalid dead_letter_policy.max_delivery_attempts {attempts}: it must be between "
                "5 and 100 (0 means 5)."
            )
        if not subscription.dead_letter_policy.dead_letter_topic:
            raise invalid("Invalid dead_letter_policy: dead_letter_topic is required.")
    endpoint = subscription.push_config.push_endpoint
    if endpoint and not re.match(r"https?://[^/\s]+", endpoint):
        raise invalid(f"Invalid push_config.push_endpoint {endpoint!r}: it must be an http(s) URL.")
    if endpoint and "x-goog-version" not in stored.push_config.attributes:
        stored.push_config.attributes["x-goog-version"] = "v1"
    return stored, predicate


def push_body(subscription: types.Subscription, message: Message, attempt: int) -> bytes:
    """The body of a push (doc page "Push subscriptions", cloud.google.com/pubsub/docs/push):
    the message with both spellings of its id and time, the subscription, and, when dead-lettering
    is on, `deliveryAttempt`."""
    published = rfc3339(message.publish_time)
    pushed: dict[str, object] = {
        "messageId": message.message_id,
        "message_id": message.message_id,
        "publishTime": published,
        "publish_time": published,
    }
    if message.attributes:
        pushed["attributes"] = dict(message.attributes)
    if message.data:
        pushed["data"] = base64.b64encode(message.data).decode()
    body: dict[str, object] = {"message": pushed, "subscription": subscription.name}
    if "dead_letter_policy" in subscription:
        body["deliveryAttempt"] = attempt
    return json.dumps(body).encode()


def push_headers(
    subscription: types.Subscription, sign: Callable[[str, str], str]
) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    config = subscription.push_config
    if "oidc_token" in config:
        audience = config.oidc_token.audience or config.push_endpoint
        token = sign(config.oidc_token.service_account_email, audience)
        headers["Authorization"] = f"Bearer {token}"
    return headers


def dead_letter_attributes(
    subscription: types.Subscription, message: Message, attempts: int
) -> Mapping[str, str]:
    """The message's attributes plus those Pub/Sub adds when it forwards to a dead-letter topic
    (doc page "Dead-letter topics", cloud.google.com/pubsub/docs/dead-letter-topics)."""
    project, _ = split_subscription(subscription.name)
    return {
        **message.attributes,
        "CloudPubSubDeadLetterSourceDeliveryCount": str(attempts),
        "CloudPubSubDeadLetterSourceSubscription": split_subscription(subscription.name)[1],
        "CloudPubSubDeadLetterSourceSubscriptionProject": project,
        "CloudPubSubDeadLetterSourceTopicPublishTime": rfc3339(message.publish_time),
    }
