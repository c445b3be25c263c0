"""A cheap guard: no test or bench time comes from a literal date.

A frozen or set clock at a fixed date makes a suite pass on the day it was written and fail later
(the gRPC deadline computed from a clock frozen in the past has already expired). Times must come
from the real clock at the start of the test or from the emulator's clock.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = [ROOT / "tests", ROOT / "bench"]
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_CONSTRUCTORS = {"datetime", "date"}


def literal_dates(source: str) -> list[str]:
    """Where `source` builds a date from literals: `datetime(2026, ...)`, `date(2026, ...)`, or a
    string holding a real calendar date (an impossible one, like month 13, is bad input, not a
    date)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", "")
            )
            if name in _DATE_CONSTRUCTORS and node.args and isinstance(node.args[0], ast.Constant):
                found.append(f"line {node.lineno}: {name}({node.args[0].value!r}, ...)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in _ISO_DATE.finditer(node.value):
                if _is_calendar_date(*map(int, match.groups())):
                    found.append(f"line {node.lineno}: {match.group(0)!r}")
    return found


def _is_calendar_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def test_the_guard_finds_frozen_and_literal_dates():
    year = date.today().year  # the sample is built here, so this file holds no literal date
    source = (
        "from freezegun import freeze_time\n"
        f"START = datetime({year}, 11, 29, 12, 0)\n"
        f"with freeze_time('{year}-11-29T12:00:00Z'):\n"
        "    pass\n"
        f"ok = ('{year}-13-01T00:00:00Z', datetime.now(UTC), date.today())\n"
    )
    assert literal_dates(source) == [
        f"line 2: datetime({year}, ...)",
        f"line 3: '{year}-11-29'",
    ]


@pytest.mark.parametrize(
    "path",
    sorted(p for folder in CHECKED for p in folder.rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_literal_dates(path: Path):
    assert literal_dates(path.read_text()) == [], (
        f"{path.relative_to(ROOT)} builds a time from a literal date: take it from the real "
        "clock at the start of the test, or from the emulator's clock"
    )
