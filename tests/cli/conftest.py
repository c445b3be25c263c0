"""The operator's command line, run as a person runs it: `python -m rotation ...` in its own
process, against the session's emulator, its output kept for the session's token scan."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rotation.cli.commands import main
from rotation.function import wiring
from tests.redaction import SCAN
from tests.support import World

ROOT = Path(__file__).resolve().parents[2]
# What the function server runs with: no waiting between checks of a refused token.
SETTINGS = {"CHECK_DELAY": "0s", "CHECK_ATTEMPTS": "1"}


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


Cli = Callable[..., Ran]


@pytest.fixture
def cli(emulator) -> Cli:
    """Run the command line in a subprocess with the emulator's `*_EMULATOR_HOST` variables."""

    def run(*argv: str, env: dict[str, str] | None = None, unset: tuple[str, ...] = ()) -> Ran:
        environment = {**os.environ, **SETTINGS, **(env or {})}
        for name in unset:
            environment.pop(name, None)
        result = subprocess.run(
            [sys.executable, "-m", "rotation", *argv],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        SCAN.outputs.append(result.stdout + result.stderr)
        return Ran(result.returncode, result.stdout, result.stderr)

    return run


@pytest.fixture(autouse=True)
def fresh_handler(emulator, monkeypatch) -> Iterator[None]:
    """Settings and adapters rebuilt, so in-process calls of `main` see this test's environment."""
    for name, value in SETTINGS.items():
        monkeypatch.setenv(name, value)
    wiring.settings.cache_clear()
    wiring.services.cache_clear()
    yield
    wiring.settings.cache_clear()
    wiring.services.cache_clear()


@pytest.fixture
def cloud(emulator) -> World:
    """The emulator without a function behind its topic: only the command line acts."""
    return World(emulator)


@pytest.fixture
def run(capsys) -> Cli:
    """Call `main` in this process; what it printed is kept for the session's token scan."""

    def call(*argv: str) -> Ran:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        SCAN.outputs.append(captured.out + captured.err)
        return Ran(code, captured.out, captured.err)

    return call
