"""`terraform console` on a scratch directory, for the tests that let Terraform itself evaluate
the module's expressions: skipped where no terraform binary is installed (providers are never
needed, so nothing is downloaded)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

TERRAFORM_BINARY = shutil.which("terraform")

needs_terraform = pytest.mark.skipif(TERRAFORM_BINARY is None, reason="no terraform binary here")


BASE = {
    "project_id": "rotator-test-1",
    "secret_id": "pypi-upstream-token",
    "token_source": "pypi-derived",
    "repository_id": "pypi-remote",
}


def _console(directory: Path, expression_text: str, values: dict[str, Any]) -> tuple[int, str]:
    (directory / "values.tfvars.json").write_text(json.dumps(values), encoding="utf-8")
    (directory / "empty.tfrc").write_text("", encoding="utf-8")
    environment = dict(os.environ)
    environment.update(
        {
            "CHECKPOINT_DISABLE": "1",  # no version check over the network
            "TF_IN_AUTOMATION": "1",
            "TF_CLI_CONFIG_FILE": str(directory / "empty.tfrc"),
        }
    )
    assert TERRAFORM_BINARY is not None
    result = subprocess.run(
        [TERRAFORM_BINARY, "console", "-var-file=values.tfvars.json"],
        cwd=directory,
        input=expression_text + "\n",
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # console reports a failed validation as an error diagnostic, not always by its exit code.
    output = _ANSI.sub("", result.stdout + result.stderr)
    return result.returncode, output


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
