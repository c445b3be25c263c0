"""The rotated secret refuses, at plan time, a setting its rotator's roles do not allow (the
secret's preconditions, run on Terraform's built-in terraform_data so no provider is needed).

Optional: skipped where no terraform binary is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.terraform.console import BASE, locals_config, needs_terraform, plan, split_values
from tests.terraform.test_terraform_formats import secret_preconditions

pytestmark = needs_terraform


@pytest.mark.parametrize(
    ("rotator", "settings", "message"),
    [
        (
            {"grant_access": False},
            {"grant_access": True},
            "grant_access needs the rotator's grant_access = true",
        ),
        (
            {"discovery": False},
            {"rotation_settings": {"discover": "projects/rotator-test-1/locations/us"}},
            "token-rotator.discover needs the rotator's discovery = true",
        ),
        (
            {"discovery": True},
            {"rotation_settings": {"discover": "projects/elsewhere-1/locations/us"}},
            "token-rotator.discover may name only locations in rotator-test-1",
        ),
    ],
    ids=["grant-access", "discovery", "discover-elsewhere"],
)
def test_the_secret_needs_what_the_rotator_grants(
    tmp_path: Path, rotator: dict[str, bool], settings: dict[str, Any], message: str
) -> None:
    """The rotated secret refuses a setting its rotator's roles do not allow, by name."""
    values, _ = split_values(BASE)
    values["rotator"].update(rotator)
    values.update(settings)
    locals_config(tmp_path)
    checks = "\n".join(secret_preconditions())
    (tmp_path / "checks.tf").write_text(
        f'resource "terraform_data" "secret" {{\n  lifecycle {{\n{checks}\n  }}\n}}\n',
        encoding="utf-8",
    )
    code, output = plan(tmp_path, values)
    assert code != 0, output
    assert message in " ".join(output.replace("│", " ").split()), output
