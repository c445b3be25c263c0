"""The emulator and the function under the real Functions Framework, for one benchmark run."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from emulator import Call, Emulator
from emulator.cloud_function import LocalFunction
from rotation.gcp import clients
from rotation.gcp.clients import USER_AGENT
from tests.support import World

BENCH_USER_AGENT = "ar-token-rotator-bench/0"  # tells the bench's own calls from the function's
FUNCTION_ENV = {"CHECK_DELAY": "0s", "CHECK_ATTEMPTS": "1", "ROTATION_LEASE": "5m"}


@dataclass
class Stack:
    emulator: Emulator
    workdir: Path
    functions: list[LocalFunction] = field(default_factory=list)

    def function(self, threads: int = 8) -> LocalFunction:
        log = self.workdir / f"function-{len(self.functions)}.log"
        function = LocalFunction({**self.emulator.env(), **FUNCTION_ENV}, log, threads=threads)
        self.functions.append(function)
        return function

    def world(self, function: LocalFunction) -> World:
        """A clean cloud whose notifications are pushed to `function`."""
        self.emulator.reset()
        return World(self.emulator, function.url)

    def function_calls(self, since: int = 0) -> list[Call]:
        return [c for c in self.emulator.control.calls[since:] if c.caller == USER_AGENT]


@contextmanager
def stack() -> Iterator[Stack]:
    with Emulator() as emulator, tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        os.environ.update(emulator.env())
        os.environ["AR_TOKEN_ROTATOR_USER_AGENT"] = BENCH_USER_AGENT
        clients.reset()
        running = Stack(emulator, Path(workdir))
        try:
            yield running
        finally:
            for function in running.functions:
                function.stop()
