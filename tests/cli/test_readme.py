"""The READMEs document every command, and README.md every annotation the function reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rotation.cli.commands import main
from rotation.core.annotation_values import PREFIX
from rotation.core.config import known_keys
from rotation.sources import SOURCE_KEYS

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["status", "plan", "rotate", "republish", "rollback", "cleanup", "history"]
KNOWN_KEYS = known_keys(SOURCE_KEYS)


@pytest.mark.parametrize("readme", ["README.md", "README.ja.md"])
def test_every_command_is_documented(readme, capsys):
    text = (ROOT / readme).read_text(encoding="utf-8")
    for command in COMMANDS:
        assert main([command, "--help"]) == 0
        assert f"`{command} SECRET" in text or f"`{command} [SECRET" in text, command
    assert main(["undocumented"]) == 2
    assert "invalid choice: 'undocumented'" in capsys.readouterr().err


def test_every_annotation_is_documented():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    configuration = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = [
        key
        for key in sorted(KNOWN_KEYS)
        if f"`{PREFIX}{key}`" not in configuration and f"`{key}`" not in configuration
    ]
    assert missing == []


def test_every_log_event_is_documented():
    """Alerts and dashboards are built on `event`: each one the code logs is in the Logs section."""
    logged = {
        match
        for path in (ROOT / "rotation").rglob("*.py")
        for match in re.findall(r'\bevent="([a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Logs", 1)[1].split("\n## ", 1)[0]
    assert len(logged) >= 10
    assert sorted(e for e in logged if f"`{e}`" not in section) == []


@pytest.mark.parametrize("mark", ["<!-- playground-commands -->", "<!-- playground-clock -->"])
def test_the_japanese_readme_shows_the_same_playground_commands(mark):
    """README.md's blocks are the ones tests/playground runs; README.ja.md must not drift."""
    english = (ROOT / "README.md").read_text(encoding="utf-8").split(mark, 1)[1]
    block = re.match(r"\s*(```sh\n.*?\n```)", english, re.DOTALL)
    assert block is not None
    assert block.group(1) in (ROOT / "README.ja.md").read_text(encoding="utf-8")
