"""The emulator's one way to run an HTTP server: bound on start, serving from a daemon thread,
closed on stop."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from emulator.serving import BackgroundServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello from {threading.current_thread().daemon}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def test_start_binds_a_free_port_and_stop_closes_it():
    server = BackgroundServer(Hello, name="test-hello")
    assert server.port == 0
    port = server.start()
    try:
        assert port == server.port > 0
        assert server.url == f"http://127.0.0.1:{port}"
        answer = httpx.get(server.url, timeout=5)
        assert answer.text == "hello from True"  # each request on a daemon thread
        assert any(t.name == "test-hello" and t.daemon for t in threading.enumerate())
    finally:
        server.stop()
    assert not any(t.name == "test-hello" for t in threading.enumerate())
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}", timeout=5)


def test_as_a_context_manager_it_serves_inside_only():
    with BackgroundServer(Hello, name="test-hello") as server:
        assert httpx.get(server.url, timeout=5).status_code == 200
        url = server.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=5)


def test_stopping_a_server_never_started_is_harmless():
    BackgroundServer(Hello, name="test-hello").stop()
