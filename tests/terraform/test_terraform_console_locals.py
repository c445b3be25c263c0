"""Terraform itself evaluates the module's provider-free locals and the service agents'
addresses; the function's own parser accepts the annotations the module computes.

Optional: skipped where no terraform binary is installed (providers are never needed: only
variables.tf and copies of the locals are loaded, so nothing is downloaded).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rotation.core.config import load as load_config
from rotation.core.settings import Settings
from rotation.sources import SOURCE_KEYS
from tests.terraform.archive import archive_files
from tests.terraform.console import BASE, _console, evaluate_locals, needs_terraform
from tests.terraform.hcl import ROTATOR
from tests.terraform.test_service_agents import DOCUMENTED_AGENTS, MEMBER_LOCALS

pytestmark = needs_terraform


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
    evaluated = evaluate_locals(tmp_path, values)
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
    evaluated = evaluate_locals(tmp_path, values)
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
    evaluated = evaluate_locals(tmp_path, BASE)
    assert evaluated["source_files"] == archive_files()


def test_service_agent_addresses(tmp_path: Path) -> None:
    """Terraform's own interpolation of terraform/modules/rotator/service_agents.tf, for a given
    project number."""
    shutil.copy(ROTATOR / "service_agents.tf", tmp_path / "service_agents.tf")
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
