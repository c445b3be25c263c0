"""The fault matrix's results, kept for the terminal summary: one row per external call of a
rotation, one column per fault, each cell saying what happened."""

from __future__ import annotations

from dataclasses import dataclass, field

FAULTS = {
    "transient": "transient error",
    "crash": "crash after the call took effect",
    "operator": "an operator lists another repository just before the call",
}


_CELL = 70  # a failure's full text is in the failing test's assertion


@dataclass
class Row:
    scenario: str
    position: int
    call: str
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class FaultMatrix:
    rows: dict[tuple[str, int], Row] = field(default_factory=dict)
    failures: int = 0
    checks: int = 0  # invariant checks made across all cases

    def record(
        self, scenario: str, position: int, call: str, *, fault: str, ok: bool, result: str
    ) -> None:
        row = self.rows.setdefault((scenario, position), Row(scenario, position, call))
        text = ("ok: " if ok else "FAILED: ") + result
        row.cells[fault] = text if len(text) <= _CELL else text[: _CELL - 3] + "..."
        self.failures += not ok

    def table(self) -> list[str]:
        """The matrix as text lines, empty when no fault case ran."""
        if not self.rows:
            return []
        faults = [f for f in FAULTS if any(f in row.cells for row in self.rows.values())]
        header = ["scenario", "#", "call", *(FAULTS[f] for f in faults)]
        lines = [
            [row.scenario, str(row.position), row.call, *(row.cells.get(f, "-") for f in faults)]
            for row in self.rows.values()
        ]
        widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
        cases = sum(len(row.cells) for row in self.rows.values())
        title = (
            f"fault matrix: {len(self.rows)} calls x {len(faults)} faults = {cases} cases, "
            f"{self.failures} failed; the five invariants were checked {self.checks} times, "
            "before every call"
        )
        text = [title]
        for line in [header, *lines]:
            text.append(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(line, widths, strict=True)
                ).rstrip()
            )
        return text


MATRIX = FaultMatrix()
