"""Hypothesis strategies for hostile input: the well-formed Secret Manager notification every
defect edits (the defects, each carrying the word a log line about it must contain:
hostile_defects.py), the two ways a request carries it, and raw garbage.

Every event names a real, opted-in secret wherever it is well formed, so a decoder that let one
through would rotate it: the tests' "nothing changed" check would see that.
"""

from __future__ import annotations

import base64
import json
import string
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from rotation.core.events import PUBSUB_EVENT_TYPE

SECRET = "projects/123456789012/secrets/pypi-token"  # World.rotated_secret() makes it
OWN_PROJECTS = {"demo-project", "123456789012"}  # ALLOWED_PROJECTS of the hostile function
HUGE = 200 * 1024

JsonValue = Any
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
non_empty_non_objects = st.one_of(
    st.integers().filter(bool),
    st.text(min_size=1, max_size=30),
    st.lists(json_values, min_size=1, max_size=3),
)
printable = st.text(
    alphabet=string.ascii_letters + string.digits + " -_./:", min_size=1, max_size=40
)
header_values = st.text(
    alphabet=string.ascii_letters + string.digits + "-_./:", min_size=1, max_size=40
)


@dataclass(frozen=True)
class Hostile:
    """One request's CloudEvent attributes and data; `defect` says what is wrong with them and
    `expect` is the word the function's log line about it must contain."""

    defect: str
    expect: str
    attributes: dict[str, Any]  # CloudEvent attributes: type, source, id, time, specversion
    data: JsonValue
    message: dict[str, Any] = field(default_factory=dict)

    def with_message(self, **changes: Any) -> Hostile:
        message = {**self.data["message"], **changes}
        return replace(self, data={**self.data, "message": message})

    def with_attributes(self, **changes: Any) -> Hostile:
        attributes = {**self.data["message"]["attributes"], **changes}
        return self.with_message(attributes=attributes)


def b64json(value: JsonValue) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def valid(message_id: str, when: datetime, secret: str = SECRET) -> Hostile:
    """A SECRET_ROTATE notification exactly as Eventarc delivers it: the base every defect edits."""
    stamp = rfc3339(when)
    return Hostile(
        defect="none",
        expect="",
        attributes={
            "type": PUBSUB_EVENT_TYPE,
            "source": "//pubsub.googleapis.com/projects/demo-project/topics/secret-events",
            "id": message_id,
            "time": stamp,
            "specversion": "1.0",
        },
        data={
            "subscription": "projects/demo-project/subscriptions/eventarc-sub",
            "message": {
                "attributes": {
                    "eventType": "SECRET_ROTATE",
                    "secretId": secret,
                    "dataFormat": "JSON_API_V1",
                    "timestamp": stamp,
                },
                "data": b64json({"name": secret}),
                "messageId": message_id,
                "publishTime": stamp,
            },
        },
    )


def binary_mode(event: Hostile) -> tuple[dict[str, str], bytes]:
    headers = {f"ce-{k}": str(v) for k, v in event.attributes.items()}
    headers["content-type"] = "application/json"
    return headers, json.dumps(event.data).encode()


def structured_mode(event: Hostile) -> tuple[dict[str, str], bytes]:
    body = {**event.attributes, "datacontenttype": "application/json", "data": event.data}
    return {"content-type": "application/cloudevents+json"}, json.dumps(body).encode()


garbage_requests = st.tuples(
    st.dictionaries(
        st.sampled_from(["ce-specversion", "ce-type", "ce-id", "ce-source", "ce-time"]),
        header_values,
        max_size=5,
    ),
    st.sampled_from(
        [
            None,
            "application/json",
            "application/cloudevents+json",
            "text/plain",
            "application/octet-stream",
        ]
    ),
    st.one_of(st.binary(max_size=400), json_values.map(lambda v: json.dumps(v).encode())),
)
