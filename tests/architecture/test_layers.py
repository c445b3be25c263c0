"""The layers of ARCHITECTURE.md hold, and their contracts (pyproject.toml) catch a breach."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_every_layer_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "5 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imported", "contract"),
    [
        ("core/token.py", "import httpx", "the core imports no adapter"),
        ("core/state.py", "from rotation.gcp import clients", "the core imports no adapter"),
        ("sources/pypi.py", "import google.auth", "sources import neither"),
        ("checks/docker_registry.py", "import rotation.sources", "the upstream checks import"),
        ("gcp/clients.py", "import rotation.sources", "the Google adapters import no source"),
        ("function/handler.py", "import rotation.cli.commands", "the function's edge imports"),
    ],
)
def test_a_breach_of_a_layer_is_caught(tmp_path, module, imported, contract):
    shutil.copytree(
        ROOT / "rotation", tmp_path / "rotation", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "rotation" / module
    target.write_text(target.read_text() + f"\n{imported}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout[-3000:]
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    # (Sources import the core, so a core that imports an adapter breaks theirs too.)
    assert any(line.startswith(contract) for line in broken), broken
