"""Small modules with one job: no module over 250 lines, no class over 150, in the function, the
command line, the emulator, the playground, the benchmarks and the tests themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("rotation", "emulator", "playground", "bench", "tests")
MODULES = sorted(
    [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]
    + sorted(ROOT.glob("*.py"))
)
MODULE_LINES, CLASS_LINES = 250, 150


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_and_its_classes_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MODULE_LINES, f"{path.name}: split it by job"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= CLASS_LINES, f"class {node.name} in {path.name}: {length} lines"


def test_the_size_check_sees_every_package() -> None:
    seen = {path.relative_to(ROOT).parts[0] for path in MODULES}
    assert seen >= {*PACKAGES, "main.py", "demo.py"}
    assert len(MODULES) > 200
