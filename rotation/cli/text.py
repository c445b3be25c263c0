"""Times and durations as the command line shows them to a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def approximate(duration: timedelta) -> str:
    """The largest unit and the next one: `3d 4h`, `5m 2s`, `2d`, `40s`."""
    seconds = max(0, int(duration.total_seconds()))
    for (unit, size), (next_unit, next_size) in pairwise(_UNITS):
        if seconds >= size:
            rest = seconds % size // next_size
            return f"{seconds // size}{unit}" + (f" {rest}{next_unit}" if rest else "")
    return f"{seconds}s"


def relative(when: datetime, now: datetime) -> str:
    """`in 3d 4h` or `3d 4h ago`."""
    if when >= now:
        return f"in {approximate(when - now)}"
    return f"{approximate(now - when)} ago"


def moment(when: datetime, now: datetime) -> str:
    """`2026-11-29 10:40:00Z (3d 4h ago)`."""
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M:%SZ} ({relative(when, now)})"


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Columns as wide as their widest cell, two spaces apart."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]
