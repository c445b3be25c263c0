"""The token authority's routes: each call recorded, each open to an injected fault (an HTTP
status, or a delay longer than the client's timeout), refusals answered as the real APIs word
them."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus

from emulator.routing import Handler, HttpError, Request, Response, Router
from emulator.token_rules import UpstreamRefusal


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int
    authorization: bool  # whether the request carried an Authorization header


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    status: int | None
    delay: float
    times: int


class InstrumentedRouter(Router):
    """A Router whose handlers run behind the due fault, if any, and whose calls are recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        def instrumented(request: Request) -> Response:
            response = self._answer(request, handler)
            with self._lock:
                self.calls.append(
                    Call(method, request.path, response.status, "Authorization" in request.headers)
                )
            return response

        super().add(method, pattern, instrumented)

    def fail(self, method: str, path: str, status: int, times: int) -> None:
        with self._lock:
            self._faults.append(_Fault(method, re.compile(path), status, 0.0, times))

    def delay(self, method: str, path: str, seconds: float, times: int) -> None:
        with self._lock:
            self._faults.append(_Fault(method, re.compile(path), None, seconds, times))

    def reset(self) -> None:
        """Forget faults and calls."""
        with self._lock:
            self._faults.clear()
            self.calls.clear()

    def _answer(self, request: Request, handler: Handler) -> Response:
        fault = self._due_fault(request)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.status is not None:
            return Response.json({"message": "injected fault"}, HTTPStatus(fault.status))
        try:
            return handler(request)
        except UpstreamRefusal as refusal:
            return Response.json(refusal.body, refusal.status)
        except HttpError as error:
            return Response.json({"message": error.message}, error.status)

    def _due_fault(self, request: Request) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                due = fault.times > 0 and fault.method == request.method
                if due and fault.path.search(request.path):
                    fault.times -= 1
                    return fault
        return None
