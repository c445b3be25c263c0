"""Terraform itself evaluates the rotator module's provider-free monitoring locals (the finding
filters, the absence window), the audit interval's validation, and renders the dashboard
template as the tests' renderer does. Skipped where no terraform binary is installed (no
provider is downloaded: only variables_monitoring.tf, the template and copies of the locals).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.terraform.console import _console, needs_terraform
from tests.terraform.dashboard_template import render, template_values
from tests.terraform.hcl import expression, load_module
from tests.terraform.monitoring_contract import (
    FINDING_SEVERITY,
    MAX_ABSENCE_SECONDS,
    ROTATOR,
    TEMPLATE,
)

PROVIDER_FREE_LOCALS = (
    "audit_findings",
    "audit_finding_events",
    "audit_error_findings",
    "audit_warning_findings",
    "audit_absence_seconds",
)


def _console_config(directory: Path) -> None:
    shutil.copy(ROTATOR / "variables_monitoring.tf", directory / "variables_monitoring.tf")
    shutil.copy(TEMPLATE, directory / TEMPLATE.name)
    module = load_module(ROTATOR)
    lines = ["locals {"]
    for name in PROVIDER_FREE_LOCALS:
        value = module.locals[name]
        try:
            lines.append(f"  {name} = {expression(value)}")
        except AssertionError:  # an object
            lines.append(f"  {name} = {json.dumps(value)}")
    lines.append("}")
    (directory / "locals.tf").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _evaluate(directory: Path, text: str, values: dict[str, Any]) -> tuple[bool, Any]:
    code, output = _console(directory, f"jsonencode({text})", values)
    if code != 0 or "Error:" in output:
        return False, output
    return True, json.loads(json.loads(output.strip().splitlines()[-1]))


@needs_terraform
def test_terraform_renders_the_finding_filters(tmp_path: Path) -> None:
    _console_config(tmp_path)
    names = ", ".join(f"{name} = local.{name}" for name in PROVIDER_FREE_LOCALS)
    ok, evaluated = _evaluate(tmp_path, f"{{{names}}}", {})
    assert ok, evaluated
    assert isinstance(evaluated, dict)
    clauses = evaluated["audit_finding_events"].split(" OR ")
    assert sorted(clauses) == sorted(f'jsonPayload.event="{name}"' for name in FINDING_SEVERITY)

    def one_of(text: str) -> set[str]:
        return set(json.loads(f"[{text}]"))

    assert one_of(evaluated["audit_error_findings"]) == {"token_expiring", "rotation_failed_last"}
    assert one_of(evaluated["audit_warning_findings"]) == {
        name for name, severity in FINDING_SEVERITY.items() if severity == "WARNING"
    }
    assert evaluated["audit_absence_seconds"] == MAX_ABSENCE_SECONDS  # daily: capped


@needs_terraform
@pytest.mark.parametrize(("hours", "seconds"), [(1, 7200), (6, 43200), (12, 86400), (13, 88200)])
def test_terraform_waits_twice_the_interval_within_the_limit(
    tmp_path: Path, hours: int, seconds: int
) -> None:
    _console_config(tmp_path)
    ok, evaluated = _evaluate(
        tmp_path, "local.audit_absence_seconds", {"audit_interval_hours": hours}
    )
    assert ok, evaluated
    assert evaluated == seconds
    assert seconds <= MAX_ABSENCE_SECONDS and seconds % 60 == 0


@needs_terraform
@pytest.mark.parametrize("hours", [0, 25, 1.5])
def test_terraform_refuses_an_audit_interval_it_cannot_watch(tmp_path: Path, hours: float) -> None:
    _console_config(tmp_path)
    ok, output = _evaluate(tmp_path, "local.audit_absence_seconds", {"audit_interval_hours": hours})
    assert not ok
    assert "audit_interval_hours must be a whole number of hours from 1 to 24" in " ".join(
        str(output).split()
    )


@needs_terraform
def test_terraform_renders_the_dashboard_as_the_test_does(tmp_path: Path) -> None:
    _console_config(tmp_path)
    values = template_values("rotator-a")
    arguments = json.dumps(values)  # an HCL object in JSON syntax
    ok, rendered = _evaluate(tmp_path, f'templatefile("{TEMPLATE.name}", {arguments})', {})
    assert ok, rendered
    assert isinstance(rendered, str)
    by_terraform = json.loads(rendered)
    assert by_terraform == json.loads(render(TEMPLATE.read_text(encoding="utf-8"), values))
    assert by_terraform["displayName"] == "Token rotator: rotator-a"
