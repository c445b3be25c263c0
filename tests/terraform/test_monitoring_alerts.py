"""The rotator module's alert policies (terraform/modules/rotator/monitoring.tf): each watches its
metric as the contract says, notifies the module's channels, and documents its remedy with
ar-token-rotator commands that the command line's own parser accepts.
"""

from __future__ import annotations

import re
import shlex
from collections import defaultdict

import pytest

from rotation.cli.arguments import build_parser
from tests.terraform.dashboard_template import tiles
from tests.terraform.hcl import block, load_module, references
from tests.terraform.monitoring_contract import (
    ALERTS,
    FINDING_SEVERITY,
    METRICS,
    ROTATOR,
    alert_block,
    condition_block,
)


def test_the_module_defines_the_alerts() -> None:
    # Others may sit beside them (the dead-letter alert is the delivery's).
    assert set(ALERTS) <= set(load_module(ROTATOR).of_type("google_monitoring_alert_policy"))


def test_the_alerts_are_named_for_the_modules_outputs() -> None:
    assert load_module(ROTATOR).locals["monitoring_alert_policies"] == {
        name: f"${{google_monitoring_alert_policy.{name}.name}}" for name in ALERTS
    }
    assert load_module(ROTATOR).locals["monitoring_dashboard"] == (
        "${google_monitoring_dashboard.rotator.id}"
    )


def test_metric_types_name_every_metric() -> None:
    metric_types = load_module(ROTATOR).locals["metric_types"]
    assert metric_types == {
        name: f"logging.googleapis.com/user/${{google_logging_metric.{name}.name}}"
        for name in METRICS
    }


@pytest.mark.parametrize("name", sorted(ALERTS))
def test_alert_notifies_and_documents_its_remedy(name: str) -> None:
    alert = alert_block(name)
    assert alert["severity"] == ALERTS[name]
    assert alert["notification_channels"] == "${var.notification_channels}"
    assert alert["user_labels"] == "${local.labels}"
    assert alert["combiner"] == "OR"
    assert block(alert, "alert_strategy")["auto_close"] == "${var.alert_auto_close}"
    documentation = block(alert, "documentation")
    assert documentation["mime_type"] == "text/markdown"
    assert documentation["subject"]
    content = documentation["content"]
    assert "ar-token-rotator audit --project ${var.project_id}" in content
    assert "ar-token-rotator status" in content
    assert "${local.monitoring_logs_command}" in content


def test_rotation_failed_alert_opens_one_incident_per_secret() -> None:
    condition = condition_block("rotation_failed", "condition_threshold")
    assert references(condition["filter"]) == ["local.metric_types.rotations_failed"]
    assert 'AND resource.type="cloud_run_revision"' in condition["filter"]
    assert (condition["comparison"], condition["threshold_value"]) == ("COMPARISON_GT", 0)
    aggregation = block(condition, "aggregations")
    assert aggregation["per_series_aligner"] == "ALIGN_SUM"
    assert aggregation["group_by_fields"] == ["metric.label.secret"]
    # The notification names the secret (Cloud Monitoring's documentation variable).
    documentation = block(alert_block("rotation_failed"), "documentation")
    assert "$${metric.label.secret}" in documentation["subject"]


@pytest.mark.parametrize(
    ("name", "findings_local", "severity"),
    [
        ("audit_finding_error", "audit_error_findings", "ERROR"),
        ("audit_finding_warning", "audit_warning_findings", "WARNING"),
    ],
)
def test_finding_alerts_watch_their_findings(name: str, findings_local: str, severity: str) -> None:
    condition = condition_block(name, "condition_threshold")
    assert references(condition["filter"]) == [
        "local.metric_types.audit_findings",
        f"local.{findings_local}",
    ]
    assert f"metric.label.finding=one_of(${{local.{findings_local}}})" in condition["filter"]
    aggregation = block(condition, "aggregations")
    assert aggregation["group_by_fields"] == ["metric.label.finding", "metric.label.secret"]
    # The documentation says what to do about each finding the alert covers.
    content = block(alert_block(name), "documentation")["content"]
    for finding, logged_at in FINDING_SEVERITY.items():
        if logged_at == severity:
            assert f"`{finding}`" in content, f"{name} does not explain {finding}"


def test_audits_stopped_alert_waits_twice_the_audit_interval() -> None:
    condition = condition_block("audits_stopped", "condition_absent")
    assert references(condition["filter"]) == ["local.metric_types.audit_completed"]
    assert condition["duration"] == "${local.audit_absence_seconds}s"
    # One series per service: a new revision ends the old revision's series, which must not count
    # as an absence.
    aggregation = block(condition, "aggregations")
    assert aggregation["cross_series_reducer"] == "REDUCE_SUM"
    assert aggregation["group_by_fields"] == ["resource.label.service_name"]
    variable = load_module(ROTATOR).variables["audit_interval_hours"]
    assert variable["type"] == "number" and variable["default"] == 24
    assert variable["description"] and variable["validation"]


# --- The commands they name --------------------------------------------------------------------

COMMAND = re.compile(r"`ar-token-rotator ([^`]+)`")


def _documented_commands() -> list[str]:
    texts = [
        block(alert_block(name), "documentation")["content"].replace("\n", " ") for name in ALERTS
    ]
    texts += [tile["widget"]["text"]["content"] for tile in tiles() if "text" in tile["widget"]]
    commands = [command for text in texts for command in COMMAND.findall(text)]
    secret, project = "projects/rotator-test-1/secrets/pypi-token", "rotator-test-1"
    return [
        command.replace("$${metric.label.secret}", secret).replace("${var.project_id}", project)
        for command in commands
    ]


def test_the_commands_they_name_are_the_command_lines() -> None:
    parser = build_parser(defaultdict(lambda: lambda _arguments: 0))
    known = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    commands = _documented_commands()
    assert {command.split()[0] for command in commands} >= {"status", "audit", "republish"}
    for command in commands:
        words = shlex.split(command)
        assert words[0] in known, command
        parser.parse_args(words)  # exits (fails the test) on an unknown option or argument
