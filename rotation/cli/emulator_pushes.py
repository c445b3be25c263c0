"""On the emulator, why its push of a message found no function: `republish --wait`
says so at once instead of waiting out its timeout. In the cloud there is nothing to ask; `wait`
reports a message no function took within NO_DELIVERY instead."""

from __future__ import annotations

import os

import httpx

from rotation.function.clock import EMULATOR_HTTP

_TIMEOUT_SECONDS = 5.0
# httpx's errors for a connection that could not be made (the emulator records `Type: text`).
_NOTHING_LISTENS = ("ConnectError", "ConnectTimeout")


def unanswered_pushes(message_id: str) -> list[str]:
    """Each push of `message_id` that could not connect (nothing listens at the endpoint), as
    `endpoint: error`; empty off the emulator, or when its control API cannot be read."""
    base = os.environ.get(EMULATOR_HTTP)
    if not base:
        return []
    try:
        answer = httpx.get(f"{base.rstrip('/')}/_emulator/deliveries", timeout=_TIMEOUT_SECONDS)
        deliveries = answer.json()["deliveries"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return []
    return [
        f"{d['endpoint']}: {d['error']}"
        for d in deliveries
        if isinstance(d, dict)
        and d.get("message_id") == message_id
        and str(d.get("error")).startswith(_NOTHING_LISTENS)
    ]
