"""Routes HTTP requests to handlers by method and path pattern, and serves a routing table."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from emulator.serving import BackgroundServer

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


class _RoutedRequestHandler(BaseHTTPRequestHandler):
    """Answers every request with what `router` (set on a subclass per server) dispatches."""

    router: Router

    def _handle(self) -> None:
        try:
            response = self.router.dispatch(self._request())
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
        if self.command != "HEAD":  # a HEAD's answer has the GET's headers and no body
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

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 (http.server's names)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and the demo read the emulator's stdout."""


class RoutedServer(BackgroundServer):
    """A Router served on 127.0.0.1:`port` (0 picks a free port) from a background thread."""

    def __init__(self, router: Router, port: int = 0, name: str = "emulator-http") -> None:
        handler_class = type("RequestHandler", (_RoutedRequestHandler,), {"router": router})
        super().__init__(handler_class, port, name=name)


def rfc3339(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return rfc3339(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
