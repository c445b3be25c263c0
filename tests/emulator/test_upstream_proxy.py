"""The recording proxy in front of an upstream: forwards, records each exchange with its
credential, and applies Control's faults (an error answered instead, a crash after forwarding)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import httpx
import pytest

from emulator import Call
from emulator.upstream_proxy import UpstreamProxy, UpstreamRequest


class Origin(ThreadingHTTPServer):
    """An upstream that answers 201 with the path it saw, and counts requests."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                origin.seen.append(f"{self.command} {self.path}")
                body = f"seen {self.path}".encode()
                self.send_response(201)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_DELETE = _answer  # noqa: N815

            def log_message(self, format, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def origin() -> Iterator[Origin]:
    server = Origin()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(emulator, origin) -> Iterator[UpstreamProxy]:
    with UpstreamProxy(f"http://127.0.0.1:{origin.server_address[1]}", emulator.control) as p:
        yield p


def test_forwards_and_records_the_call_and_its_credential(emulator, origin, proxy):
    seen: list[Call] = []
    emulator.control.observers.append(seen.append)

    response = httpx.get(
        f"{proxy.url}/simple/?q=1", auth=("__token__", "s3cret"), headers={"User-Agent": "tool/2 x"}
    )

    assert (response.status_code, response.text) == (201, "seen /simple/?q=1")
    assert origin.seen == ["GET /simple/?q=1"]
    assert [(c.method, c.caller) for c in seen] == [("Upstream.GET", "tool/2")]
    assert isinstance(seen[0].request, UpstreamRequest)
    assert seen[0].request.password == "s3cret"
    assert [(e.request.path, e.status) for e in proxy.exchanges()] == [("/simple/?q=1", 201)]


def test_bearer_tokens_are_credentials_too(proxy):
    httpx.delete(f"{proxy.url}/tokens/7", headers={"Authorization": "Bearer tok-123"})
    assert proxy.exchanges()[0].request.password == "tok-123"


def test_an_error_fault_is_answered_by_the_proxy_and_not_forwarded(emulator, origin, proxy):
    emulator.control.fail("Upstream.GET", grpc.StatusCode.UNAVAILABLE, nth=2)

    statuses = [httpx.get(f"{proxy.url}/simple/").status_code for _ in range(3)]

    assert statuses == [201, 503, 201]
    assert len(origin.seen) == 2
    assert [e.status for e in proxy.exchanges()] == [201, None, 201]


def test_a_crash_fault_lets_the_upstream_act_first(emulator, origin, proxy):
    upstream_had_seen: list[int] = []
    emulator.control.crash_handler = lambda: upstream_had_seen.append(len(origin.seen))
    try:
        emulator.control.crash("Upstream.DELETE")
        response = httpx.delete(f"{proxy.url}/tokens/7")
    finally:
        emulator.control.crash_handler = None

    assert upstream_had_seen == [1]
    assert response.status_code == 201  # relayed here, where the caller did not really die
