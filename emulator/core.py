"""Pieces every emulated service shares: the clock, the project registry, errors and test controls."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc


class ApiError(Exception):
    """Raised by a handler; the server turns it into a gRPC status, as the real service would."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(what: str) -> ApiError:
    return ApiError(grpc.StatusCode.NOT_FOUND, f"{what} not found or does not exist.")


def invalid(message: str) -> ApiError:
    return ApiError(grpc.StatusCode.INVALID_ARGUMENT, message)


class Clock:
    """The emulator's notion of now: real time plus an offset that tests and operators move forward.

    Listeners run after every move, so the rotation scheduler fires without anybody sleeping.
    """

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        self._notify()
        return self.now()

    def set(self, when: datetime) -> None:
        with self._lock:
            self._offset = when - datetime.now(UTC)
        self._notify()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta(0)

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()


@dataclass(frozen=True)
class Project:
    project_id: str
    number: int


class Projects:
    """Project id <-> number, as Resource Manager knows them; every service resolves names here."""

    def __init__(self, projects: dict[str, int] | None = None) -> None:
        self._by_key: dict[str, Project] = {}
        for project_id, number in (projects or {}).items():
            self.add(project_id, number)

    def add(self, project_id: str, number: int) -> Project:
        project = Project(project_id, number)
        self._by_key[project_id] = project
        self._by_key[str(number)] = project
        return project

    def resolve(self, id_or_number: str) -> Project:
        project = self._by_key.get(id_or_number)
        if project is None:
            raise ApiError(
                grpc.StatusCode.NOT_FOUND,
                f"Project '{id_or_number}' not found or permission denied.",
            )
        return project


@dataclass(frozen=True)
class Call:
    """One call as the emulator saw it: `Service.Method`, the caller (the first word of its user
    agent) and, for observers only, the request itself (never logged: it may hold a payload)."""

    method: str
    caller: str = ""
    request: Any = field(default=None, repr=False, compare=False)


@dataclass
class Fault:
    """Fail the `nth` call (1-based, counted from when the fault is set) of a method, delay it, or
    crash its caller once the call has taken effect. With `caller` set, only that caller's calls
    count."""

    method: str
    nth: int = 1
    code: grpc.StatusCode | None = grpc.StatusCode.UNAVAILABLE
    latency_seconds: float = 0.0
    times: int = 1
    seen: int = 0
    crash: bool = False
    caller: str | None = None


def _no_crash() -> None:
    """What happens after a call that crashes nobody: nothing."""


@dataclass
class Control:
    """Per-method call counters, fault injection and a record of which methods were ever called.

    Methods are named `Service.Method`, e.g. `SecretManagerService.AddSecretVersion`.

    A crash fault stands for the caller dying after its call took effect and before it read the
    answer (the nastiest moment: e.g. a version added that the caller never learns about). The
    emulator cannot kill a process it does not know, so whoever runs the caller sets
    `crash_handler` (e.g. `LocalFunction.crash`); a crash just before call N is covered by a crash
    just after call N-1.
    """

    counts: Counter[str] = field(default_factory=Counter)
    calls: list[Call] = field(default_factory=list)  # every call since the last reset, in order
    ever_called: set[str] = field(default_factory=set)
    # methods by caller: the first word of the x-goog-api-client header, e.g. a client's user agent
    called_by: dict[str, set[str]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    latency_all_seconds: float = 0.0
    observers: list[Callable[[Call], None]] = field(default_factory=list)
    crash_handler: Callable[[], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(
        self,
        method: str,
        code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE,
        nth: int = 1,
        times: int = 1,
        caller: str | None = None,
    ) -> None:
        with self._lock:
            self.faults.append(Fault(method=method, nth=nth, code=code, times=times, caller=caller))

    def delay(
        self, method: str, seconds: float, times: int = 1_000_000, caller: str | None = None
    ) -> Fault:
        """Hold the call `seconds` before the service handles it: the handler still runs when the
        caller has given up meanwhile, so a late write lands (the stricter of production's answers).
        Returns the fault, so a test can lift it (`times = 0`) and count the calls it held."""
        fault = Fault(method=method, code=None, latency_seconds=seconds, times=times, caller=caller)
        with self._lock:
            self.faults.append(fault)
        return fault

    def crash(self, method: str, nth: int = 1, caller: str | None = None) -> None:
        """Crash the caller of the `nth` call of `method` once that call has taken effect."""
        if self.crash_handler is None:
            raise RuntimeError("set Control.crash_handler to what crashing the caller means")
        with self._lock:
            self.faults.append(Fault(method=method, nth=nth, code=None, crash=True, caller=caller))

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.calls.clear()
            self.faults.clear()
            self.observers.clear()
            self.latency_all_seconds = 0.0

    def before_call(self, method: str, caller: str = "", request: Any = None) -> Callable[[], None]:
        """Count the call, show it to the observers, then apply latency and raise an injected
        error if one is due. Observers see the state as it was before the call. Returns what the
        server runs once the call has taken effect: the caller's crash, where one is due."""
        for observer in list(self.observers):
            observer(Call(method, caller, request))
        error: ApiError | None = None
        crash = False
        sleep = self.latency_all_seconds
        with self._lock:
            self.counts[method] += 1
            self.calls.append(Call(method, caller))
            self.ever_called.add(method)
            self.called_by.setdefault(caller, set()).add(method)
            for fault in self.faults:
                if fault.method != method or fault.times <= 0:
                    continue
                if fault.caller is not None and fault.caller != caller:
                    continue
                fault.seen += 1
                if fault.seen < fault.nth:
                    continue
                fault.times -= 1
                sleep += fault.latency_seconds
                crash = crash or fault.crash
                if fault.code is not None and error is None:
                    error = ApiError(fault.code, f"injected fault on {method}")
        if sleep:
            time.sleep(sleep)
        if error is not None:
            raise error
        return self._crash_caller if crash else _no_crash

    def _crash_caller(self) -> None:
        if self.crash_handler is not None:
            self.crash_handler()
