"""Terraform itself evaluates the module's variable validations and provider-free locals.

Optional: skipped where no terraform binary is installed (providers are never needed: only
variables.tf and copies of the locals are loaded, so nothing is downloaded).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rotation.core.config import load as load_config
from rotation.core.settings import Settings
from rotation.sources import SOURCE_KEYS
from tests.terraform.hcl import REPO, TERRAFORM, expression, load_module
from tests.terraform.test_service_agents import DOCUMENTED_AGENTS, MEMBER_LOCALS
from tests.terraform.test_terraform_parses import archive_files

TERRAFORM_BINARY = shutil.which("terraform")

pytestmark = pytest.mark.skipif(TERRAFORM_BINARY is None, reason="no terraform binary here")

BASE = {
    "project_id": "rotator-test-1",
    "secret_id": "pypi-upstream-token",
    "token_source": "pypi-derived",
    "repository_id": "pypi-remote",
}

# Locals that need no provider, and the file each lives in.
PROVIDER_FREE_LOCALS = (
    "repository_name",
    "repositories",
    "discover_locations",
    "read_secrets",
    "annotations",
    "allowed_projects",
    "source_files",
)


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


@pytest.fixture
def variables_only(tmp_path: Path) -> Path:
    shutil.copy(TERRAFORM / "variables.tf", tmp_path / "variables.tf")
    return tmp_path


VALID = [
    {},
    {
        "rotation_settings": {
            "root-secret": "projects/rotator-test-1/secrets/pypi-root-token",
            "min-interval": "1h",
            "keep-versions": "3",
            "index-url": "https://pypi.org/simple",
            "discover": "projects/rotator-test-1/locations/europe-west1",
        }
    },
    {"allowed_projects": []},
    {"allowed_projects": None},
    {"upstream_uri": "https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple"},
    {"first_rotation_delay": "2h", "rotation_period": "3600s", "version_destroy_ttl": "86400s"},
    {"secret_kms_key_name": "projects/p/locations/global/keyRings/r/cryptoKeys/k"},
    {"notification_channels": ["projects/rotator-test-1/notificationChannels/123"]},
    {"additional_repositories": ["projects/rotator-test-1/locations/us/repositories/pypi-us"]},
]

INVALID = [
    ({"project_id": "123456789"}, "project_id"),
    ({"region": "europe"}, "region"),
    ({"token_source": "aws"}, "token_source"),
    ({"rotation_settings": {"state": "{}"}}, "rotation_settings keys"),
    ({"rotation_settings": {"source": "gitlab"}}, "rotation_settings keys"),
    ({"rotation_settings": {"keep-versions": "0"}}, "keep-versions"),
    ({"rotation_settings": {"keep-versions": "three"}}, "keep-versions"),
    ({"rotation_settings": {"min-interval": "1 hour"}}, "min-interval"),
    ({"rotation_settings": {"min-interval": ""}}, "must not be empty"),
    ({"rotation_settings": {"root-secret": "pypi-root-token"}}, "root-secret"),
    ({"rotation_settings": {"discover": "projects/p"}}, "discover"),
    ({"rotation_settings": {"index-url": "ftp://example.com"}}, "index-url"),
    ({"rotation_period": "60s"}, "rotation_period"),
    ({"rotation_period": "1h"}, "rotation_period"),
    ({"first_rotation_delay": "5m"}, "first_rotation_delay"),
    ({"first_rotation_delay": "600"}, "first_rotation_delay"),
    ({"version_destroy_ttl": "3600s"}, "version_destroy_ttl"),
    ({"upstream_uri": "http://insecure.example.com/simple"}, "upstream_uri"),
    ({"upstream_username": "a:b"}, "upstream_username"),
    ({"repository_id": "Pypi_Remote"}, "repository_id"),
    ({"function_name": "Rotator"}, "function_name"),
    ({"topic_name": "google-topic"}, "topic_name"),
    ({"notification_channels": ["email@example.com"]}, "notification_channels"),
    ({"allowed_projects": ["123"]}, "allowed_projects"),
    ({"max_event_age": "1 day"}, "max_event_age"),
    ({"log_level": "TRACE"}, "log_level"),
    ({"additional_repositories": ["projects/p/repositories/r"]}, "additional_repositories"),
    ({"secret_kms_key_name": "my-key"}, "secret_kms_key_name"),
    ({"initial_secret_version": 0}, "initial_secret_version"),
    ({"max_instance_count": 0}, "max_instance_count"),
]


@pytest.mark.parametrize("values", VALID, ids=lambda values: ",".join(values) or "defaults")
def test_valid_values_are_accepted(variables_only: Path, values: dict[str, Any]) -> None:
    code, output = _console(variables_only, "var.project_id", {**BASE, **values})
    assert code == 0, output
    assert "Error:" not in output, output


@pytest.mark.parametrize(
    ("values", "message"),
    INVALID,
    ids=lambda case: json.dumps(case) if isinstance(case, dict) else "",
)
def test_invalid_values_are_rejected(
    variables_only: Path, values: dict[str, Any], message: str
) -> None:
    _, output = _console(variables_only, "var.project_id", {**BASE, **values})
    assert "Error: Invalid value for variable" in output, f"accepted {values}: {output}"
    assert message in " ".join(output.split()), output


def _locals_config(directory: Path) -> None:
    """variables.tf plus the provider-free locals, copied from the module as python-hcl2 reads them."""
    shutil.copy(TERRAFORM / "variables.tf", directory / "variables.tf")
    module = load_module(TERRAFORM)
    lines = ["locals {", f"  source_root = {json.dumps(str(REPO))}"]
    for name in PROVIDER_FREE_LOCALS:
        value = module.locals[name]
        try:
            lines.append(f"  {name} = {expression(value)}")
        except AssertionError:  # a template string
            lines.append(f"  {name} = {json.dumps(value)}")
    lines.append("}")
    (directory / "locals.tf").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _evaluate_locals(directory: Path, values: dict[str, Any]) -> dict[str, Any]:
    _locals_config(directory)
    names = ", ".join(f"{name} = local.{name}" for name in PROVIDER_FREE_LOCALS)
    code, output = _console(directory, f"jsonencode({{{names}}})", values)
    assert code == 0, output
    assert "Error:" not in output, output
    evaluated: dict[str, Any] = json.loads(json.loads(output.strip().splitlines()[-1]))
    return evaluated


def test_pypi_example_locals(tmp_path: Path) -> None:
    root_secret = "projects/rotator-test-1/secrets/pypi-root-token"
    values = {
        **BASE,
        "rotation_settings": {
            "root-secret": root_secret,
            "min-interval": "1h",
            "keep-versions": "3",
        },
    }
    evaluated = _evaluate_locals(tmp_path, values)
    repository = "projects/rotator-test-1/locations/europe-west1/repositories/pypi-remote"
    assert evaluated["annotations"] == {
        "token-rotator.source": "pypi-derived",
        "token-rotator.repositories": repository,
        "token-rotator.username": "__token__",
        "token-rotator.grant-access": "false",
        "token-rotator.root-secret": root_secret,
        "token-rotator.min-interval": "1h",
        "token-rotator.keep-versions": "3",
    }
    assert evaluated["read_secrets"] == [root_secret]
    assert evaluated["discover_locations"] == []
    assert evaluated["allowed_projects"] == ["rotator-test-1"]
    # The function accepts the annotations the module writes.
    config = load_config(evaluated["annotations"], Settings(), SOURCE_KEYS)
    assert config.source == "pypi-derived"
    assert config.repositories == (repository,)
    assert config.keep_versions == 3


def test_settings_locals(tmp_path: Path) -> None:
    values = {
        **BASE,
        "grant_access": True,
        "allowed_projects": [],
        "additional_repositories": ["projects/rotator-test-1/locations/us/repositories/pypi-us"],
        "rotation_settings": {
            "discover": "projects/rotator-test-1/locations/us, projects/rotator-test-1/locations/eu"
        },
    }
    evaluated = _evaluate_locals(tmp_path, values)
    assert evaluated["annotations"]["token-rotator.grant-access"] == "true"
    assert evaluated["annotations"]["token-rotator.repositories"] == (
        "projects/rotator-test-1/locations/europe-west1/repositories/pypi-remote,"
        "projects/rotator-test-1/locations/us/repositories/pypi-us"
    )
    assert evaluated["discover_locations"] == [
        "projects/rotator-test-1/locations/us",
        "projects/rotator-test-1/locations/eu",
    ]
    assert evaluated["allowed_projects"] == []
    assert evaluated["read_secrets"] == []


def test_archive_file_list(tmp_path: Path) -> None:
    evaluated = _evaluate_locals(tmp_path, BASE)
    assert evaluated["source_files"] == archive_files()


def test_service_agent_addresses(tmp_path: Path) -> None:
    """Terraform's own interpolation of terraform/service_agents.tf, for a given project number."""
    shutil.copy(TERRAFORM / "service_agents.tf", tmp_path / "service_agents.tf")
    number = "123456789012"
    (tmp_path / "project.tf").write_text(
        f'locals {{\n  project_number = "{number}"\n}}\n', encoding="utf-8"
    )
    members = ", ".join(f"{name} = local.{name}" for name in MEMBER_LOCALS)
    code, output = _console(
        tmp_path, f"jsonencode({{agents = local.service_agents, {members}}})", {}
    )
    assert code == 0, output
    assert "Error:" not in output, output
    evaluated = json.loads(json.loads(output.strip().splitlines()[-1]))
    expected = {
        api: address.replace("PROJECT_NUMBER", number)
        for api, (address, _) in DOCUMENTED_AGENTS.items()
    }
    assert evaluated.pop("agents") == expected
    assert evaluated == {
        name: f"serviceAccount:{expected[api]}" for name, api in MEMBER_LOCALS.items()
    }
