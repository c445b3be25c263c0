"""Shared fixtures: one emulator per test session, reset before every test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator import Emulator
from rotation import clients


@pytest.fixture(scope="session")
def emulator_session() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(emulator_session: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """A clean emulator, with the `*_EMULATOR_HOST` variables pointing the real clients at it."""
    emulator_session.reset()
    for name, value in emulator_session.env().items():
        monkeypatch.setenv(name, value)
    clients.reset()
    yield emulator_session
    clients.reset()
