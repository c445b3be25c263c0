"""A recording reverse proxy in front of an upstream (a package index, a token authority).

Every request the function sends upstream passes through the emulator's `Control` as a call named
`Upstream.<HTTP method>`, so it is counted in the same sequence as the Google API calls, shown to
observers (with the request, credentials included, for invariant checks), and open to the same
faults: an error code is answered with its HTTP equivalent instead of forwarding; a latency fault
delays it; a crash fault forwards it, lets the upstream act, then crashes the caller before the
answer is relayed.
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

import grpc
import httpx

from emulator.core import ApiError, Control
from emulator.serving import BackgroundServer, StartStop

UPSTREAM = "Upstream"  # the service name of proxied calls: Upstream.GET, Upstream.POST, ...

_HTTP_STATUS = {
    grpc.StatusCode.UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: HTTPStatus.GATEWAY_TIMEOUT,
    grpc.StatusCode.RESOURCE_EXHAUSTED: HTTPStatus.TOO_MANY_REQUESTS,
    grpc.StatusCode.UNAUTHENTICATED: HTTPStatus.UNAUTHORIZED,
    grpc.StatusCode.PERMISSION_DENIED: HTTPStatus.FORBIDDEN,
    grpc.StatusCode.NOT_FOUND: HTTPStatus.NOT_FOUND,
    grpc.StatusCode.INVALID_ARGUMENT: HTTPStatus.BAD_REQUEST,
    grpc.StatusCode.FAILED_PRECONDITION: HTTPStatus.CONFLICT,
}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


@dataclass(frozen=True)
class UpstreamRequest:
    """What an observer sees of a proxied request; `password` is the basic-auth or bearer secret."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    password: str | None


@dataclass(frozen=True)
class Exchange:
    """One proxied request and the upstream's answer (None: not forwarded, or no answer)."""

    request: UpstreamRequest
    status: int | None


def _password(headers: dict[str, str]) -> str | None:
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value, validate=True).decode().partition(":")[2] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return headers.get("private-token") or None


class UpstreamProxy(StartStop):
    """Forwards http://127.0.0.1:PORT/<path> to `target`/<path> (PORT is picked by `start()`);
    a context manager."""

    def __init__(self, target: str, control: Control) -> None:
        self.target = target.rstrip("/")
        self.control = control
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._http = httpx.Client(timeout=30)
        # Quiet errors: a caller crashed on purpose leaves a broken connection behind.
        self._server = BackgroundServer(
            self._handler_class(), name="upstream-proxy", quiet_errors=True
        )

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return self._server.url

    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def reset(self) -> None:
        """Forget the exchanges so far."""
        with self._lock:
            self._exchanges.clear()

    def start(self) -> UpstreamProxy:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        self._http.close()

    def relay(self, request: UpstreamRequest, caller: str) -> tuple[int, dict[str, str], bytes]:
        """Pass one request through Control and, unless a fault answers it, to the upstream."""
        status: int | None = None
        try:
            try:
                applied = self.control.before_call(f"{UPSTREAM}.{request.method}", caller, request)
            except ApiError as error:
                answer = _HTTP_STATUS.get(error.code, HTTPStatus.INTERNAL_SERVER_ERROR)
                return answer, {"content-type": "text/plain"}, error.message.encode()
            response = self._http.request(
                request.method,
                self.target + request.path,
                headers={k: v for k, v in request.headers.items() if k not in _HOP_BY_HOP},
                content=request.body,
            )
            status = response.status_code
            applied()
            kept = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP}
            kept.pop("content-encoding", None)  # httpx has already decoded the body
            return status, kept, response.content
        finally:
            with self._lock:
                self._exchanges.append(Exchange(request, status))

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = UpstreamRequest(
                    self.command,
                    self.path,
                    headers,
                    self.rfile.read(length) if length else b"",
                    _password(headers),
                )
                caller = headers.get("user-agent", "").split(" ", 1)[0]
                status, response_headers, body = proxy.relay(request, caller)
                self.send_response(status)
                for name, value in response_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: request lines may carry tokens in their query."""

        return Handler
