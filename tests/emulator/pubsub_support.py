"""What the Pub/Sub emulator tests share: the topic and a push endpoint's record."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from cloudevents.http import from_http

TOPIC = "projects/demo-project/topics/rotations"
TOPIC_BY_NUMBER = "projects/123456789012/topics/rotations"


@dataclass
class Receiver:
    """A push endpoint that answers with the queued status codes, then 204, and keeps requests."""

    url: str
    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests.append((headers, body))
            return self.statuses.pop(0) if self.statuses else 204

    def events(self):
        return [from_http(headers, body) for headers, body in self.requests]
