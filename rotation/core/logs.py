"""Structured logs: one JSON object per line on stdout, in the shape Cloud Logging parses; or,
for the operator's command line, readable lines on stderr.

Fields are passed explicitly; values are never tokens (the `Token` type refuses to print itself).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

_LOGGER = logging.getLogger("ar_token_rotator")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, default=str, sort_keys=False)


class _ConsoleFormatter(logging.Formatter):
    """For a person at a terminal: `[step] message`, and the remedy on a line of its own."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        severity = f"{record.levelname.lower()}: " if record.levelno >= logging.WARNING else ""
        step = f"[{fields['step']}] " if fields.get("step") else ""
        line = f"  {step}{severity}{record.getMessage()}"
        if fields.get("remedy"):
            line += f"\n    remedy: {fields['remedy']}"
        return line


class _CurrentStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout (or sys.stderr) is now, so a replaced one (tests, workers)
    still gets logs."""

    def __init__(self, name: str) -> None:
        self._stream_name = name  # not `_name`: logging.Handler keeps its own name there
        super().__init__()

    @property
    def stream(self) -> Any:
        return getattr(sys, self._stream_name)

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _configure() -> None:
    if _LOGGER.handlers:
        return
    handler = _CurrentStreamHandler("stdout")
    handler.setFormatter(_JsonFormatter())
    _LOGGER.addHandler(handler)
    _LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    _LOGGER.propagate = True


@contextmanager
def console() -> Iterator[None]:
    """Inside: readable lines on stderr, so stdout carries only a command's own output."""
    previous = list(_LOGGER.handlers)
    handler = _CurrentStreamHandler("stderr")
    handler.setFormatter(_ConsoleFormatter())
    _LOGGER.handlers[:] = [handler]
    _LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    try:
        yield
    finally:
        _LOGGER.handlers[:] = previous


def log(severity: str, message: str, **fields: Any) -> None:
    """Log at `severity` (DEBUG, INFO, WARNING, ERROR) with extra JSON fields; None values dropped."""
    _configure()
    level = logging.getLevelName(severity)
    kept = {key: value for key, value in fields.items() if value is not None}
    _LOGGER.log(level, message, extra={"fields": kept})


def info(message: str, **fields: Any) -> None:
    log("INFO", message, **fields)


def warning(message: str, **fields: Any) -> None:
    log("WARNING", message, **fields)


def error(message: str, **fields: Any) -> None:
    log("ERROR", message, **fields)
