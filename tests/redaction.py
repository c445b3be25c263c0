"""The session-wide token scan: every value stored as a secret payload, searched for in everything
the suite saw that a token must never reach (invariant 5 of rotation-lessons.md): captured test
output, the function's logs (its tracebacks included), exception texts, annotations and labels."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

from emulator import Emulator
from rotation.core.token import Token

MIN_LENGTH = 16  # shorter payloads (test fixtures such as "x" * 8) would match by accident
TRACEBACK = "Traceback (most recent call last)"


def find_leaks(values: set[str], outputs: list[str]) -> list[str]:
    """Fingerprints of the values (16 characters or more) that appear in any output."""
    return sorted(
        {
            Token(v).fingerprint
            for v in values
            if len(v) >= MIN_LENGTH
            for text in outputs
            if v in text
        }
    )


def stored_texts(emulator: Emulator) -> list[str]:
    """Annotations and labels of every secret, labels and descriptions of every repository."""
    texts = []
    for secret in emulator.secret_manager.secrets():
        texts += [f"{k}={v}" for k, v in {**secret.annotations, **secret.labels}.items()]
    for repository in emulator.artifact_registry.repositories():
        texts += [f"{k}={v}" for k, v in repository.labels.items()]
        texts += [repository.description, repository.remote_repository_config.description]
    return texts


@dataclass
class RedactionScan:
    values: set[str] = field(default_factory=set)
    outputs: list[str] = field(default_factory=list)  # captured test output
    exception_texts: list[str] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    function_logs: list[Path] = field(default_factory=list)

    def collect(self, emulator: Emulator) -> None:
        """What one test left in the emulator: its payloads, annotations, labels, push errors."""
        self.values.update(emulator.secret_manager.payloads())
        self.stored += stored_texts(emulator)
        self.exception_texts += [d.error for d in emulator.pubsub.deliveries() if d.error]

    def record_exception(self, error: BaseException) -> None:
        """An exception a test caught: its text and traceback are scanned too."""
        self.exception_texts.append("".join(traceback.format_exception(error)))

    def run(self) -> tuple[str, list[str]]:
        """The report line, and the fingerprints of every value found anywhere."""
        logs = [path.read_text(errors="replace") for path in self.function_logs if path.exists()]
        tracebacks = sum(log.count(TRACEBACK) for log in logs)
        values = {v for v in self.values if len(v) >= MIN_LENGTH}
        everything = self.outputs + logs + self.exception_texts + self.stored
        leaks = find_leaks(values, everything)
        lines = sum(log.count("\n") for log in logs)
        report = (
            f"token redaction: scanned {len(self.outputs)} test outputs, {len(logs)} function "
            f"logs ({lines} lines, {tracebacks} tracebacks), {len(self.exception_texts)} exception "
            f"texts and {len(self.stored)} annotations and labels for {len(values)} token values "
            f"({sum(len(t) for t in everything)} characters): {len(leaks)} hits"
        )
        return report, leaks


SCAN = RedactionScan()
