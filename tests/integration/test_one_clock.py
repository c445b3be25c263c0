"""One clock on the emulator: with EMULATOR_HTTP set, the function and the command line read the
emulator's clock, so moving it to make a rotation due moves theirs too. Without it (every other
test, and production) they read the system's."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulator.app import CONTROL_VARIABLE
from rotation.core.errors import TransientError
from rotation.function.clock import EMULATOR_HTTP, EmulatorClock
from tests.redaction import SCAN
from tests.support import World

ROOT = Path(__file__).resolve().parents[2]
AHEAD = timedelta(hours=1, minutes=1)  # World.fire_schedule's move
CLOSE = timedelta(minutes=5)


@pytest.fixture
def on_emulator_clock(emulator, start_function):
    return start_function(**emulator.env(control=True))


def test_the_function_and_the_command_line_follow_the_emulators_clock(emulator, on_emulator_clock):
    world = World(emulator, on_emulator_clock.url)
    secret = world.rotated_secret()
    world.fire_schedule()
    world.settle()
    assert world.aliases(secret) == {"current": 2, "previous": 1}

    emulator_now, system_now = emulator.clock.now(), datetime.now(UTC)
    assert emulator_now - system_now >= AHEAD - CLOSE
    state = world.state(secret)
    completed = datetime.fromisoformat(str(state["completed_at"]))
    created = world.sm.get_secret_version(name=f"{secret}/versions/2").create_time
    assert abs(completed - emulator_now) < CLOSE, "the function read the system's clock"
    assert created <= completed  # the version was not made after the rotation that made it

    shown = subprocess.run(
        [sys.executable, "-m", "rotation", "status", secret],
        cwd=ROOT,
        env={**os.environ, **emulator.env(control=True)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    SCAN.outputs.append(shown.stdout + shown.stderr)
    assert shown.returncode == 0, shown.stderr
    [current] = [line for line in shown.stdout.splitlines() if line.startswith("current ")]
    assert current.split()[4] == "ago", f"created in the future: {current}"


def test_the_emulator_exports_the_variable_the_function_reads():
    assert CONTROL_VARIABLE == EMULATOR_HTTP


def test_an_emulator_clock_that_cannot_be_read_is_transient(emulator):
    with pytest.raises(TransientError, match=r"the emulator's clock at .* could not be read"):
        EmulatorClock("http://127.0.0.1:9/")()
    assert abs(EmulatorClock(emulator.http_url)() - emulator.clock.now()) < CLOSE
