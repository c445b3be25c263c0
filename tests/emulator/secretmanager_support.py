"""What the Secret Manager emulator tests share: names, requests and the events they publish."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from google.protobuf import field_mask_pb2

PROJECT = "projects/demo-project"
NUMBER = "projects/123456789012"
SECRET_ID = "pypi-token"
NAME = f"{NUMBER}/secrets/{SECRET_ID}"
BY_ID = f"{PROJECT}/secrets/{SECRET_ID}"
TOPIC = f"{PROJECT}/topics/secret-events"
ETAG = re.compile(r'"[0-9a-f]+"')
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d")


@dataclass
class Event:
    event_type: str
    attributes: dict[str, str]
    body: dict[str, Any] | None


def create(sm, secret_id: str = SECRET_ID, parent: str = PROJECT, **fields: Any):
    secret = {"replication": {"automatic": {}}, **fields}
    return sm.create_secret(parent=parent, secret_id=secret_id, secret=secret)


def add(sm, data: bytes, parent: str = BY_ID):
    return sm.add_secret_version(parent=parent, payload={"data": data})


def update(sm, paths: list[str], **secret: Any):
    return sm.update_secret(
        secret={"name": BY_ID, **secret}, update_mask=field_mask_pb2.FieldMask(paths=paths)
    )


def events(emulator, topic: str = TOPIC) -> list[Event]:
    return [
        Event(m.attributes["eventType"], m.attributes, json.loads(m.data) if m.data else None)
        for m in emulator.pubsub.messages(topic)
    ]


def event_types(emulator, topic: str = TOPIC) -> list[str]:
    return [event.event_type for event in events(emulator, topic)]


def rotation(emulator, lead: timedelta = timedelta(minutes=10), period_hours: int = 1):
    return {
        "next_rotation_time": emulator.clock.now() + lead,
        "rotation_period": timedelta(hours=period_hours),
    }
