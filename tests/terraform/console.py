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

from tests.terraform.hcl import REPO, ROTATOR, SECRET_MODULE, expression, load_module

TERRAFORM_BINARY = shutil.which("terraform")

needs_terraform = pytest.mark.skipif(TERRAFORM_BINARY is None, reason="no terraform binary here")


# The single-secret wrapper's required variables (terraform/variables.tf).
BASE = {
    "project_id": "rotator-test-1",
    "secret_id": "pypi-upstream-token",
    "token_source": "pypi-derived",
    "repository_id": "pypi-remote",
}


# Locals that need no provider: copied with variables.tf, Terraform evaluates them. Those of the
# rotated secret (modules/rotated-secret), and those of the rotator (modules/rotator).
PROVIDER_FREE_LOCALS = (
    "project_id",
    "repository_settings",
    "repository_names",
    "repositories",
    "other_repository_projects",
    "discover_locations",
    "dockerhub_source",
    "dockerhub_keys",
    "read_secrets",
    "upstream_username",
    "annotations",
    "labels",
    "formats",
    "format",
    "public_repository",
    "repository_url_templates",
    "repository_urls",
)
ROTATOR_PROVIDER_FREE_LOCALS = ("allowed_projects", "source_files")


def rotator_stub(
    project: str,
    region: str = "europe-west1",
    *,
    grant_access: bool = False,
    discovery: bool = False,
    repository_projects: tuple[str, ...] = (),
) -> dict[str, Any]:
    """What modules/rotator's outputs give modules/rotated-secret's `rotator`, for a project
    numbered 123456789012 (the service agents' addresses: test_service_agents.py)."""
    projects = (project, *repository_projects)
    return {
        "project_id": project,
        "region": region,
        "project_number": "123456789012",
        "labels": {"managed-by": "terraform", "component": "token-rotator"},
        "function_name": "token-rotator",
        "function_service_account_email": f"token-rotator@{project}.iam.gserviceaccount.com",
        "events_topic_id": f"projects/{project}/topics/token-rotator-events",
        "custom_roles": {
            "secret": f"projects/{project}/roles/tokenRotatorSecret",
            "repository": f"projects/{project}/roles/tokenRotatorRepository",
            "project": f"projects/{project}/roles/tokenRotatorProject",
        },
        "repository_roles": {p: f"projects/{p}/roles/tokenRotatorRepository" for p in projects},
        "artifact_registry_agents": {
            p: f"serviceAccount:service-{number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
            for number, p in enumerate(projects, start=123456789012)
        },
        "grant_access": grant_access,
        "discovery": discovery,
    }


def split_values(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The wrapper's variables (terraform/variables.tf) as terraform/main.tf passes them on:
    (the rotated secret's values with `rotator`, the rotator's values)."""
    secret_variables = set(load_module(SECRET_MODULE).variables)
    rotator_variables = set(load_module(ROTATOR).variables)
    values = dict(values)
    project = values.pop("project_id")
    region = values.pop("region", "europe-west1")
    repository_id = values.pop("repository_id")
    settings = values.get("rotation_settings", {})
    rotator = {
        "project_id": project,
        "region": region,
        **{k: v for k, v in values.items() if k in rotator_variables and k not in ("labels",)},
    }
    secret = {k: v for k, v in values.items() if k in secret_variables}
    unknown = set(values) - secret_variables - rotator_variables
    assert not unknown, f"no module takes {sorted(unknown)}"
    secret["rotator"] = rotator_stub(
        project,
        region,
        grant_access=bool(values.get("grant_access", False)),
        discovery=bool(str(settings.get("discover", "")).strip()),
    )
    secret["repositories"] = {"primary": {"repository_id": repository_id}}
    return secret, rotator


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


def _copy_locals(directory: Path, module_directory: Path, names: tuple[str, ...]) -> None:
    shutil.copy(module_directory / "variables.tf", directory / "variables.tf")
    module = load_module(module_directory)
    lines = ["locals {"]
    if "source_files" in names:
        lines.append(f"  source_root = {json.dumps(str(REPO))}")
    for name in names:
        value = module.locals[name]
        try:
            lines.append(f"  {name} = {expression(value)}")
        except AssertionError:  # a template string, or an object
            lines.append(f"  {name} = {json.dumps(value)}")
    lines.append("}")
    (directory / "locals.tf").write_text("\n".join(lines) + "\n", encoding="utf-8")


def locals_config(directory: Path) -> None:
    """modules/rotated-secret's variables.tf plus its provider-free locals, copied as python-hcl2
    reads them."""
    _copy_locals(directory, SECRET_MODULE, PROVIDER_FREE_LOCALS)


def _evaluate(directory: Path, names: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    listed = ", ".join(f"{name} = local.{name}" for name in names)
    code, output = _console(directory, f"jsonencode({{{listed}}})", values)
    assert code == 0, output
    assert "Error:" not in output, output
    evaluated: dict[str, Any] = json.loads(json.loads(output.strip().splitlines()[-1]))
    return evaluated


def evaluate_secret_locals(directory: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Every provider-free local of modules/rotated-secret, for its own variables' `values`."""
    locals_config(directory)
    return _evaluate(directory, PROVIDER_FREE_LOCALS, values)


def evaluate_locals(directory: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Every provider-free local of both modules, as Terraform computes them for the wrapper's
    variables `values` (terraform/variables.tf)."""
    secret_values, rotator_values = split_values(values)
    (directory / "secret").mkdir()
    (directory / "rotator").mkdir()
    evaluated = evaluate_secret_locals(directory / "secret", secret_values)
    _copy_locals(directory / "rotator", ROTATOR, ROTATOR_PROVIDER_FREE_LOCALS)
    evaluated.update(_evaluate(directory / "rotator", ROTATOR_PROVIDER_FREE_LOCALS, rotator_values))
    return evaluated


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
