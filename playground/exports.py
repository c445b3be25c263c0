"""What another terminal needs: the `export` lines (printed, and written to an env file to
`source`), and the next commands to try."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from emulator import Emulator
from playground.config import PlaygroundConfig


def exports(emulator: Emulator, config: PlaygroundConfig) -> dict[str, str]:
    """The variables that point the clients and the command line at the playground. No credential
    file: the emulator takes an anonymous caller for its administrator, as an operator is."""
    return {
        **emulator.env(control=True),  # the command line then reads the emulator's clock
        "GOOGLE_CLOUD_PROJECT": config.project,
        "GOOGLE_APPLICATION_CREDENTIALS": "",
    }


def export_lines(variables: dict[str, str]) -> list[str]:
    return [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]


def write_env_file(path: Path, variables: dict[str, str]) -> None:
    """Write the export lines to `path` at once (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(
        "# Written by `make playground` while it runs; removed when it stops.\n"
        + "\n".join(export_lines(variables))
        + "\n",
        encoding="utf-8",
    )
    os.replace(partial, path)


def next_commands(config: PlaygroundConfig, env_file: str) -> list[str]:
    """The README's commands, for the file's first rotated secret and first repository."""
    lines = [f"source {env_file}"]
    rotated = config.rotated()
    if rotated:
        secret = rotated[0]
        name = secret.id if secret.project == config.project else secret.name
        lines += [f".venv/bin/python -m rotation status {name}"]
        lines += [f".venv/bin/python -m rotation plan {name}"]
        lines += [f".venv/bin/python -m rotation rotate {name} --force"]
        lines += [f".venv/bin/python -m rotation republish {name} --force --wait"]
        lines += [f".venv/bin/python -m rotation rollback {name}"]
        lines += [f".venv/bin/python -m rotation cleanup {name}"]
    for repository in config.repositories:
        package = config.packages[0] if config.packages else None
        requirement = f"{package.name}=={package.version}" if package else "PACKAGE"
        lines.append(
            '.venv/bin/python -m pip install --isolated --no-deps --no-cache-dir --target "$(mktemp -d)" '
            f'--index-url "$EMULATOR_HTTP/{repository.project}/{repository.id}/simple/" '
            f"{requirement}"
        )
    first = config.first_rotation()
    if first is not None:
        seconds = int(first.total_seconds()) + 60
        lines.append(
            f'curl -X POST "$EMULATOR_HTTP/_emulator/clock" -d \'{{"advance_seconds": {seconds}}}\''
            "  # past the first scheduled rotation"
        )
    return lines
