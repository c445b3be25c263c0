"""`terraform console` (and `plan` with Terraform's built-in provider only) on a scratch
directory, for the tests that let Terraform itself evaluate the module's expressions: skipped
where no terraform binary is installed (no provider is ever downloaded)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.terraform.hcl import REPO, TERRAFORM, expression, load_module

TERRAFORM_BINARY = shutil.which("terraform")

needs_terraform = pytest.mark.skipif(TERRAFORM_BINARY is None, reason="no terraform binary here")


BASE = {
    "project_id": "rotator-test-1",
    "secret_id": "pypi-upstream-token",
    "token_source": "pypi-derived",
    "repository_id": "pypi-remote",
}


# Locals that need no provider: copied with variables.tf, Terraform evaluates them.
PROVIDER_FREE_LOCALS = (
    "repository_name",
    "repositories",
    "discover_locations",
    "dockerhub_source",
    "dockerhub_keys",
    "read_secrets",
    "upstream_username",
    "annotations",
    "allowed_projects",
    "source_files",
    "formats",
    "format",
    "public_repository",
    "repository_path",
    "repository_urls",
)


def _terraform(
    directory: Path, arguments: list[str], values: dict[str, Any], stdin: str
) -> tuple[int, str]:
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
        [TERRAFORM_BINARY, *arguments],
        cwd=directory,
        input=stdin,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = _ANSI.sub("", result.stdout + result.stderr)
    return result.returncode, output


def _console(directory: Path, expression_text: str, values: dict[str, Any]) -> tuple[int, str]:
    # console reports a failed validation as an error diagnostic, not always by its exit code.
    return _terraform(
        directory, ["console", "-var-file=values.tfvars.json"], values, expression_text + "\n"
    )


def plan(directory: Path, values: dict[str, Any]) -> tuple[int, str]:
    """`terraform init` and `plan` of a configuration that uses only Terraform's built-in
    provider (terraform_data), so nothing is downloaded."""
    code, output = _terraform(directory, ["init", "-backend=false", "-input=false"], {}, "")
    assert code == 0, output
    return _terraform(
        directory, ["plan", "-input=false", "-var-file=values.tfvars.json"], values, ""
    )


def locals_config(directory: Path) -> None:
    """variables.tf plus the provider-free locals, copied from the module as python-hcl2 reads
    them."""
    shutil.copy(TERRAFORM / "variables.tf", directory / "variables.tf")
    module = load_module(TERRAFORM)
    lines = ["locals {", f"  source_root = {json.dumps(str(REPO))}"]
    for name in PROVIDER_FREE_LOCALS:
        value = module.locals[name]
        try:
            lines.append(f"  {name} = {expression(value)}")
        except AssertionError:  # a template string, or an object
            lines.append(f"  {name} = {json.dumps(value)}")
    lines.append("}")
    (directory / "locals.tf").write_text("\n".join(lines) + "\n", encoding="utf-8")


def evaluate_locals(directory: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Every provider-free local, as Terraform computes it for `values`."""
    locals_config(directory)
    names = ", ".join(f"{name} = local.{name}" for name in PROVIDER_FREE_LOCALS)
    code, output = _console(directory, f"jsonencode({{{names}}})", values)
    assert code == 0, output
    assert "Error:" not in output, output
    evaluated: dict[str, Any] = json.loads(json.loads(output.strip().splitlines()[-1]))
    return evaluated


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
