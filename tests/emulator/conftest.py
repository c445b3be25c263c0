"""Fixtures shared by the modules one emulated service's tests are split across."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpx
import pytest
from google.cloud import pubsub_v1

from emulator.serving import BackgroundServer
from rotation.gcp import clients
from tests.emulator.artifactregistry_support import AGENTS, SECRET
from tests.emulator.pubsub_support import Receiver
from tests.emulator.secretmanager_support import TOPIC


@pytest.fixture
def sm(emulator):
    emulator.pubsub.create_topic(TOPIC)
    return clients.secret_manager()


@pytest.fixture
def readable_secret(emulator) -> None:
    """The secret the repositories use, versions 1 and 2, readable by both projects' Artifact
    Registry service agents (Artifact Registry validates the credential on create and update)."""
    sm = clients.secret_manager()
    sm.create_secret(
        parent="projects/demo-project",
        secret_id="pypi-token",
        secret={"replication": {"automatic": {}}},
    )
    for token in ("token-one", "token-two"):
        sm.add_secret_version(parent=SECRET, payload={"data": token.encode()})
    sm.set_iam_policy(
        request={
            "resource": SECRET,
            "policy": {
                "bindings": [{"role": "roles/secretmanager.secretAccessor", "members": AGENTS}]
            },
        }
    )


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture
def publisher(emulator) -> Iterator[pubsub_v1.PublisherClient]:
    client = pubsub_v1.PublisherClient()
    yield client
    client.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = holder[0].answer({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with BackgroundServer(Handler, name="push-receiver") as server:
        holder.append(Receiver(f"{server.url}/"))
        yield holder[0]
