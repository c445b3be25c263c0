"""Emulator observers of the function's claims: the UpdateSecret that writes a rotation's state
with a lease holder (a claim) or without one (a release or a finish)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from google.cloud import secretmanager_v1

from emulator import Call
from rotation.gcp.clients import USER_AGENT

UPDATE_SECRET = "SecretManagerService.UpdateSecret"
STATE_KEY = "token-rotator.state"
# Only a guard against a hung test: a gate that opens this way stays unfilled, and the test says so.
GATE_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class StateWrite:
    secret: str
    holder: str | None


def state_write(call: Call) -> StateWrite | None:
    """The function's write of a rotation's state, or None for any other call."""
    if call.caller != USER_AGENT or call.method != UPDATE_SECRET:
        return None
    request = secretmanager_v1.UpdateSecretRequest(call.request)
    if STATE_KEY not in request.secret.annotations:
        return None
    state = json.loads(request.secret.annotations[STATE_KEY])
    return StateWrite(str(request.secret.name), state.get("holder") or None)


@dataclass
class ClaimGate:
    """Holds every claim until `expected` claims (of distinct holders) wait at once, then lets
    them all through together, and every later call without holding it."""

    expected: int
    filled: bool = False
    _waiting: set[str] = field(default_factory=set)
    _open: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, call: Call) -> None:
        write = state_write(call)
        if write is None or write.holder is None or self._open.is_set():
            return
        with self._lock:
            self._waiting.add(write.holder)
            if len(self._waiting) >= self.expected:
                self.filled = True
                self._open.set()
        self._open.wait(GATE_TIMEOUT_SECONDS)
        self._open.set()

    @property
    def held_together(self) -> int:
        with self._lock:
            return len(self._waiting)


@dataclass
class LeaseCount:
    """How many secrets the function held a lease on at once, at most: a secret's lease counts
    from the write that claims it to the write that releases it (the finish, or a stop)."""

    most: int = 0
    _leased: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, call: Call) -> None:
        write = state_write(call)
        if write is None:
            return
        with self._lock:
            if write.holder is None:
                self._leased.discard(write.secret)
            else:
                self._leased.add(write.secret)
                self.most = max(self.most, len(self._leased))
