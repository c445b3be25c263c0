"""The real pip, run as a developer runs it against a remote repository: for tests and the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Literal


def run_pip(
    action: Literal["install", "download"], index_url: str, destination: Path, requirement: str
) -> subprocess.CompletedProcess[str]:
    """`pip install --target` or `pip download --dest` of one requirement from `index_url` only,
    without dependencies, cache, retries or the user's pip configuration."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            action,
            "--no-deps",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "--no-input",
            "--retries",
            "0",
            "--timeout",
            "10",
            "--index-url",
            index_url,
            "--target" if action == "install" else "--dest",
            str(destination),
            requirement,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
        timeout=120,
        check=False,
    )
