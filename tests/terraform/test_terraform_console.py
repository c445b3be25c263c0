"""Terraform itself evaluates the module's variable validations (the provider-free locals:
test_terraform_console_locals.py).

Optional: skipped where no terraform binary is installed (providers are never needed: only
variables.tf is loaded, so nothing is downloaded).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.terraform.console import BASE, _console, needs_terraform
from tests.terraform.hcl import TERRAFORM

pytestmark = needs_terraform


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
    {"repository_format": "DOCKER", "token_source": "dockerhub", "upstream_username": None},
    {"repository_format": "MAVEN", "upstream_uri": "https://repo.example.com/maven2"},
    {"rotation_settings": {"check-url": "https://registry-1.docker.io"}},
    {
        "rotation_settings": {
            "check-url": "https://pypi.org/simple",
            "index-url": "https://pypi.org/simple",
        }
    },
    {
        "rotation_settings": {
            "dockerhub-namespace": "acme",
            "dockerhub-token-kind": "organization",
            "dockerhub-repositories": "acme/app,acme/base",
            "admin-secret": "projects/rotator-test-1/secrets/dockerhub-admin",
            "dockerhub-url": "https://hub.docker.com",
        }
    },
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
    ({"upstream_username": ""}, "upstream_username"),
    ({"repository_format": "APT"}, "repository_format must be one of PYTHON, DOCKER, NPM, MAVEN"),
    ({"repository_format": "docker"}, "repository_format"),
    ({"rotation_settings": {"check-url": "registry-1.docker.io"}}, "check-url"),
    ({"rotation_settings": {"dockerhub-url": "hub.docker.com"}}, "dockerhub-url"),
    (
        {
            "rotation_settings": {
                "check-url": "https://a.example/simple",
                "index-url": "https://b.example/simple",
            }
        },
        "keep check-url only",
    ),
    ({"rotation_settings": {"dockerhub-token-kind": "team"}}, "dockerhub-token-kind"),
    ({"rotation_settings": {"admin-secret": "dockerhub-admin"}}, "admin-secret"),
    ({"rotation_settings": {"dockerhub-password": "x"}}, "rotation_settings keys"),
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
