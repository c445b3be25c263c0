"""Durations as people write them in annotations and environment variables: 90s, 30m, 12h, 7d."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_DURATION = re.compile(r"^(\d{1,9})([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """Raise ValueError naming the accepted forms when `text` is not one of them."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 90s, 30m, 12h or 7d")
    amount, unit = match.groups()
    return timedelta(**{_UNITS[unit]: int(amount)})


def format_duration(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def days_until(when: datetime, now: datetime) -> float:
    """Days from `now` to `when` (negative once past), to two decimals: what logs and the audit
    report of a token's expiry."""
    return round((when - now) / timedelta(days=1), 2)
