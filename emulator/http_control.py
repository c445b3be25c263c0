"""The emulator's JSON test controls under /_emulator/: the clock, calls, faults, deliveries, reset.

Other HTTP surfaces (such as the remote repositories' package index) add their routes with
`HttpControl.route` before or after `start()`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import grpc

from emulator.routing import (
    Handler,
    HttpError,
    JsonObject,
    Request,
    Response,
    RoutedServer,
    Router,
    rfc3339,
)

if TYPE_CHECKING:
    from emulator.app import Emulator


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
        return Response.json({"now": rfc3339(self._emulator.clock.now())})

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
