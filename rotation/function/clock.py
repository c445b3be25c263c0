"""The clock the function and the command line read. Deployed: the system's. On the emulator,
with EMULATOR_HTTP set (the emulator and `make playground` print it): the emulator's, so moving
the emulator's clock to make a rotation due moves the function's and the command line's with it,
and no version appears created in the future."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from rotation.core.errors import TransientError
from rotation.core.managed_secret import utc_now

EMULATOR_HTTP = "EMULATOR_HTTP"
_TIMEOUT_SECONDS = 2.0


class EmulatorClock:
    """Now as the emulator at `base_url` has it (its control API's `GET /_emulator/clock`), read on
    every call: the emulator's clock jumps when moved, and a cached offset would lag behind it."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url.rstrip('/')}/_emulator/clock"

    def __call__(self) -> datetime:
        try:
            answer = httpx.get(self.url, timeout=_TIMEOUT_SECONDS)
            answer.raise_for_status()
            now = datetime.fromisoformat(answer.json()["now"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise TransientError(
                f"the emulator's clock at {self.url} could not be read ({type(error).__name__})"
            ) from None
        if now.tzinfo is None or now.utcoffset() != timedelta(0):
            raise TransientError(f"the emulator's clock at {self.url} is not in UTC: {now}")
        return now


def clock_from(environment: dict[str, str]) -> Callable[[], datetime]:
    """The emulator's clock when EMULATOR_HTTP names it, else the system's."""
    base = environment.get(EMULATOR_HTTP)
    return EmulatorClock(base) if base else utc_now
