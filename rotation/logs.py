"""Structured logs: one JSON object per line on stdout, in the shape Cloud Logging parses.

Fields are passed explicitly; values are never tokens (the `Token` type refuses to print itself).
"""

from __future__ import annotations

import json
import logging
import os
import sys
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


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is now, so a replaced stdout (tests, workers) still gets logs."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _configure() -> None:
    if _LOGGER.handlers:
        return
    handler = _StdoutHandler()
    handler.setFormatter(_JsonFormatter())
    _LOGGER.addHandler(handler)
    _LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    _LOGGER.propagate = True


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
