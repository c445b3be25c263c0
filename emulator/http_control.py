"""The emulator's HTTP side: JSON test controls under /_emulator/, on a small routing table.

Other HTTP surfaces (such as the remote repositories' package index) add their routes with
`HttpControl.route` before or after `start()`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import grpc

if TYPE_CHECKING:
    from emulator.app import Emulator

JsonObject = dict[str, Any]


class HttpError(Exception):
    """Raised by a route handler; answered as {"error": message} with the status."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # the route pattern's named groups

    def json(self) -> JsonObject:
        """The body as a JSON object, or a 400 that says what is wrong with it."""
        try:
            value = json.loads(self.body or b"{}")
        except (ValueError, UnicodeDecodeError) as error:
            raise HttpError(HTTPStatus.BAD_REQUEST, f"Body is not valid JSON: {error}") from error
        if not isinstance(value, dict):
            raise HttpError(HTTPStatus.BAD_REQUEST, "Body must be a JSON object.")
        return value


@dataclass(frozen=True)
class Response:
    status: HTTPStatus = HTTPStatus.OK
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: HTTPStatus = HTTPStatus.OK) -> Response:
        return cls(status, json.dumps(value, default=_jsonable).encode())


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class Router:
    """Routes by method and a regular expression matched against the whole path."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append(Route(method.upper(), re.compile(pattern), handler))

    def dispatch(self, request: Request) -> Response:
        allowed = []
        for route in self._routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            if route.method != request.method:
                allowed.append(route.method)
                continue
            routed = dataclasses.replace(request, params=match.groupdict())
            try:
                return route.handler(routed)
            except HttpError as error:
                return Response.json({"error": error.message}, error.status)
        if allowed:
            answer = Response.json(
                {"error": f"Use {', '.join(allowed)} on {request.path}."},
                HTTPStatus.METHOD_NOT_ALLOWED,
            )
            return dataclasses.replace(answer, headers={"Allow": ", ".join(allowed)})
        return Response.json({"error": f"No route for {request.path}."}, HTTPStatus.NOT_FOUND)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], router: Router) -> None:
        super().__init__(address, _RequestHandler)
        self.router = router


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def _handle(self) -> None:
        try:
            response = self.server.router.dispatch(self._request())
        except Exception as error:  # a broken route must not look like a network failure
            response = Response.json(
                {"error": f"{type(error).__name__}: {error}"}, HTTPStatus.INTERNAL_SERVER_ERROR
            )
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def _request(self) -> Request:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        return Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query),
            headers=self.headers,
            body=self.rfile.read(length) if length else b"",
        )

    do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 (http.server's names)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and the demo read the emulator's stdout."""


class RoutedServer:
    """A Router served on 127.0.0.1:`port` (0 picks a free port) from a background thread."""

    def __init__(self, router: Router, port: int = 0, name: str = "emulator-http") -> None:
        self._router = router
        self._port = port
        self._name = name
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> int:
        self._server = _Server(("127.0.0.1", self._port), self._router)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=self._name, daemon=True
        )
        self._thread.start()
        return int(self._server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()


class HttpControl:
    """Serves the /_emulator/ controls of `emulator` on 127.0.0.1:`port` (0 picks a free port)."""

    def __init__(self, emulator: Emulator, port: int) -> None:
        self._emulator = emulator
        self._router = Router()
        self._server = RoutedServer(self._router, port)
        self.route("GET", "/_emulator/clock", self._get_clock)
        self.route("POST", "/_emulator/clock", self._move_clock)
        self.route("POST", "/_emulator/reset", self._reset)
        self.route("GET", "/_emulator/calls", self._calls)
        self.route("POST", "/_emulator/faults", self._add_fault)
        self.route("GET", "/_emulator/deliveries", self._deliveries)

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Serve `handler` for `method` on paths matching `pattern` (a full-path regex)."""
        self._router.add(method, pattern, handler)

    def start(self) -> int:
        return self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def _get_clock(self, _: Request) -> Response:
        return Response.json({"now": _rfc3339(self._emulator.clock.now())})

    def _move_clock(self, request: Request) -> Response:
        body = request.json()
        clock = self._emulator.clock
        if set(body) == {"advance_seconds"}:
            seconds = body["advance_seconds"]
            if not _is_number(seconds) or seconds < 0:
                raise _bad("advance_seconds must be a non-negative number.")
            clock.advance(seconds)
        elif set(body) == {"set"}:
            clock.set(_parse_time(body["set"]))
        else:
            raise _bad('Give either {"advance_seconds": N} or {"set": "RFC 3339 time"}.')
        return self._get_clock(request)

    def _reset(self, _: Request) -> Response:
        self._emulator.reset()
        return Response.json({"reset": True})

    def _calls(self, _: Request) -> Response:
        control = self._emulator.control
        return Response.json(
            {"counts": dict(control.counts), "ever_called": sorted(control.ever_called)}
        )

    def _add_fault(self, request: Request) -> Response:
        body = request.json()
        method = body.get("method")
        if not isinstance(method, str) or not re.fullmatch(r"\w+\.\w+", method):
            raise _bad('method must name one RPC as "Service.Method".')
        control = self._emulator.control
        if "latency_seconds" in body:
            _only(body, {"method", "latency_seconds", "times"})
            seconds = body["latency_seconds"]
            if not _is_number(seconds) or seconds <= 0:
                raise _bad("latency_seconds must be a positive number.")
            times = _count(body, "times", default=1_000_000)
            control.delay(method, seconds, times=times)
            return Response.json({"method": method, "latency_seconds": seconds, "times": times})
        _only(body, {"method", "code", "nth", "times"})
        code = _status_code(body.get("code"))
        nth = _count(body, "nth", default=1)
        times = _count(body, "times", default=1)
        control.fail(method, code, nth=nth, times=times)
        return Response.json({"method": method, "code": code.name, "nth": nth, "times": times})

    def _deliveries(self, _: Request) -> Response:
        deliveries = self._emulator.pubsub.deliveries()
        return Response.json(
            {"deliveries": [{**dataclasses.asdict(d), "ok": d.ok} for d in deliveries]}
        )


def _bad(message: str) -> HttpError:
    return HttpError(HTTPStatus.BAD_REQUEST, message)


def _only(body: JsonObject, allowed: set[str]) -> None:
    unknown = set(body) - allowed
    if unknown:
        raise _bad(f"Unknown field(s): {', '.join(sorted(unknown))}.")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _count(body: JsonObject, name: str, default: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _bad(f"{name} must be a positive integer.")
    return value


def _status_code(name: Any) -> grpc.StatusCode:
    codes = {code.name: code for code in grpc.StatusCode if code is not grpc.StatusCode.OK}
    if name not in codes:
        raise _bad(
            f"code must be a gRPC status name other than OK, e.g. UNAVAILABLE; got {name!r}."
        )
    return codes[name]


def _parse_time(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise _bad(f"set must be an RFC 3339 time with an offset; got {value!r}.")
    return when


def _rfc3339(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return _rfc3339(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
