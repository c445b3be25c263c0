"""The rotator module's log-based metrics, alert policies and dashboard
(terraform/modules/rotator/monitoring.tf, dashboard.json.tftpl) against the log events the
function writes (issue #16's contract, LOG_EVENTS below): every metric reads the function's own
Cloud Run log entries, selects the events it counts, and extracts only fields those events carry;
every alert names its remedy and the command line; the dashboard's JSON is a Dashboard the
Monitoring API reads, and every metric it shows is one of the module's google_logging_metric.

Terraform itself evaluates the provider-free locals and renders the dashboard template when a
terraform binary is installed (no provider is downloaded).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from rotation.cli.arguments import build_parser
from tests.terraform.console import _console, needs_terraform
from tests.terraform.hcl import TERRAFORM, block, expression, load_module, references
from tests.terraform.provider_schema import wanted_types
from tests.terraform.schema_check import check_directory, load_schema

ROTATOR = TERRAFORM / "modules" / "rotator"
MONITORING_FILES = ("monitoring.tf", "variables_monitoring.tf")
TEMPLATE = ROTATOR / "dashboard.json.tftpl"

# --- The contract: the function's log events (jsonPayload) -------------------------------------

FINDING_SEVERITY = {
    "rotation_overdue": "WARNING",
    "token_expiring": "ERROR",
    "drift_detected": "WARNING",
    "rotation_unfinished": "WARNING",
    "rotation_failed_last": "ERROR",
    "schedule_missing": "WARNING",
    "topic_missing": "WARNING",
}
# Each event's fields besides event, severity and message.
LOG_EVENTS: dict[str, set[str]] = {
    "rotation_completed": {
        "secret",
        "source",
        "duration_seconds",
        "repoints",
        "token_expires_in_days",
        "trigger",
    },
    "rotation_failed": {"secret", "source", "trigger"},
    "audit_checked": {"secret", "source", "findings", "token_expires_in_days"},
    "audit_completed": {"secrets", "findings", "projects"},
    **{finding: {"secret", "finding", "remedy", "detail"} for finding in FINDING_SEVERITY},
}
# metric -> (the events it counts, the field its distribution reads or None, its labels)
METRICS: dict[str, tuple[set[str], str | None, set[str]]] = {
    "rotations_completed": ({"rotation_completed"}, None, {"secret", "source"}),
    "rotations_failed": ({"rotation_failed"}, None, {"secret", "source"}),
    "rotation_duration": ({"rotation_completed"}, "duration_seconds", {"secret", "source"}),
    "repoints": ({"rotation_completed"}, "repoints", {"secret"}),
    "token_expires_in_days": (
        {"rotation_completed", "audit_checked"},
        "token_expires_in_days",
        {"secret", "source"},
    ),
    "audit_findings": (set(FINDING_SEVERITY), None, {"finding", "secret"}),
    "audit_completed": ({"audit_completed"}, None, set()),
}
ALERTS = {
    "rotation_failed": "ERROR",
    "audit_finding_error": "ERROR",
    "audit_finding_warning": "WARNING",
    "audits_stopped": "ERROR",
}
# What Cloud Monitoring allows a metric-absence condition at most (the API; the console: 24 h),
# https://cloud.google.com/monitoring/alerts/metric-absence
MAX_ABSENCE_SECONDS = 88200


def _metric(name: str) -> dict[str, Any]:
    return load_module(ROTATOR).resource(f"google_logging_metric.{name}")


def _events_in(log_filter: str) -> set[str]:
    return set(re.findall(r'jsonPayload\.event=\\"([a-z_]+)\\"', log_filter))


# --- Metrics -----------------------------------------------------------------------------------


def test_the_module_defines_exactly_the_contracts_metrics() -> None:
    metrics = load_module(ROTATOR).of_type("google_logging_metric")
    assert set(metrics) == set(METRICS)
    for name, metric in metrics.items():
        assert metric["name"] == f"${{var.function_name}}/{name}"
        assert metric["project"] == "${var.project_id}"
        assert metric["depends_on"] == ["${google_project_service.this}"]


def test_every_metric_reads_the_functions_own_log_entries() -> None:
    module = load_module(ROTATOR)
    common = module.locals["monitoring_log_filter"]
    assert 'resource.type=\\"cloud_run_revision\\"' in common
    assert (
        'resource.labels.service_name=\\"${google_cloudfunctions2_function.rotator.service_config[0].service}\\"'
        in common
    )
    for name in METRICS:
        assert "local.monitoring_log_filter" in _metric(name)["filter"], name


@pytest.mark.parametrize("name", sorted(METRICS))
def test_metric_selects_its_events(name: str) -> None:
    events, _, _ = METRICS[name]
    log_filter = _metric(name)["filter"]
    if name == "audit_findings":
        # The findings' clause is built from local.audit_findings (rendered: the console test).
        assert "local.audit_finding_events" in log_filter
        locals_ = load_module(ROTATOR).locals
        assert locals_["audit_findings"] == FINDING_SEVERITY
        assert "keys(local.audit_findings)" in locals_["audit_finding_events"]
    else:
        assert _events_in(log_filter) == events
    if name == "rotations_failed":
        assert "severity>=ERROR" in log_filter
    if name == "token_expires_in_days":
        # Both events leave the field out when the expiry is unknown: such entries are not zeros.
        assert "jsonPayload.token_expires_in_days:*" in log_filter
        assert "OR" in log_filter


@pytest.mark.parametrize("name", sorted(METRICS))
def test_metric_extracts_the_log_fields_its_events_carry(name: str) -> None:
    events, value_field, labels = METRICS[name]
    metric = _metric(name)
    descriptor = block(metric, "metric_descriptor")
    assert descriptor["metric_kind"] == "DELTA"

    extractors = metric.get("label_extractors", {})
    assert extractors == {label: f"EXTRACT(jsonPayload.{label})" for label in labels}
    declared = {entry["key"]: entry for entry in descriptor.get("labels", [])}
    assert set(declared) == labels
    for label, entry in declared.items():
        assert entry["value_type"] == "STRING" and entry["description"], label

    if value_field is None:
        assert descriptor["value_type"] == "INT64"
        assert "value_extractor" not in metric and "bucket_options" not in metric
    else:
        assert descriptor["value_type"] == "DISTRIBUTION"
        assert metric["value_extractor"] == f"EXTRACT(jsonPayload.{value_field})"
        assert len(metric["bucket_options"]) == 1

    # Every field read is one each selected event writes.
    read = {*labels, *([value_field] if value_field else [])}
    for event in events:
        assert read <= LOG_EVENTS[event], f"{name}: {event} has no {read - LOG_EVENTS[event]}"


def test_distribution_buckets_cover_their_values() -> None:
    duration = block(_metric("rotation_duration")["bucket_options"][0], "exponential_buckets")
    # Up to the function's longest timeout (540 s) and far beyond, from half a second.
    assert duration["scale"] <= 1
    assert duration["scale"] * duration["growth_factor"] ** duration["num_finite_buckets"] > 540
    repoints = block(_metric("repoints")["bucket_options"][0], "linear_buckets")
    assert (repoints["offset"], repoints["width"]) == (0, 1)
    expiry = block(_metric("token_expires_in_days")["bucket_options"][0], "explicit_buckets")
    bounds = expiry["bounds"]
    assert bounds == sorted(bounds) and bounds[0] == 0 and {1, 7, 30} <= set(bounds)


# --- Alert policies ----------------------------------------------------------------------------


def _alert(name: str) -> dict[str, Any]:
    return load_module(ROTATOR).resource(f"google_monitoring_alert_policy.{name}")


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
    alert = _alert(name)
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


def _condition(name: str, kind: str) -> dict[str, Any]:
    return block(block(_alert(name), "conditions"), kind)


def test_rotation_failed_alert_opens_one_incident_per_secret() -> None:
    condition = _condition("rotation_failed", "condition_threshold")
    assert references(condition["filter"]) == ["local.metric_types.rotations_failed"]
    assert 'AND resource.type="cloud_run_revision"' in condition["filter"]
    assert (condition["comparison"], condition["threshold_value"]) == ("COMPARISON_GT", 0)
    aggregation = block(condition, "aggregations")
    assert aggregation["per_series_aligner"] == "ALIGN_SUM"
    assert aggregation["group_by_fields"] == ["metric.label.secret"]
    # The notification names the secret (Cloud Monitoring's documentation variable).
    documentation = block(_alert("rotation_failed"), "documentation")
    assert "$${metric.label.secret}" in documentation["subject"]


@pytest.mark.parametrize(
    ("name", "findings_local", "severity"),
    [
        ("audit_finding_error", "audit_error_findings", "ERROR"),
        ("audit_finding_warning", "audit_warning_findings", "WARNING"),
    ],
)
def test_finding_alerts_watch_their_findings(name: str, findings_local: str, severity: str) -> None:
    condition = _condition(name, "condition_threshold")
    assert references(condition["filter"]) == [
        "local.metric_types.audit_findings",
        f"local.{findings_local}",
    ]
    assert f"metric.label.finding=one_of(${{local.{findings_local}}})" in condition["filter"]
    aggregation = block(condition, "aggregations")
    assert aggregation["group_by_fields"] == ["metric.label.finding", "metric.label.secret"]
    # The documentation says what to do about each finding the alert covers.
    content = block(_alert(name), "documentation")["content"]
    for finding, logged_at in FINDING_SEVERITY.items():
        if logged_at == severity:
            assert f"`{finding}`" in content, f"{name} does not explain {finding}"


def test_audits_stopped_alert_waits_twice_the_audit_interval() -> None:
    condition = _condition("audits_stopped", "condition_absent")
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


# --- The dashboard -----------------------------------------------------------------------------

# The Dashboard messages' fields (google/monitoring/dashboard/v1: dashboard.proto, layouts.proto,
# widget.proto, xychart.proto, text.proto, metrics.proto, common.proto), in their JSON names:
# message -> field -> the field's message (None: a scalar, an enum or a list of scalars).
DASHBOARD_FIELDS: dict[str, dict[str, str | None]] = {
    "Dashboard": {"displayName": None, "mosaicLayout": "MosaicLayout", "labels": None},
    "MosaicLayout": {"columns": None, "tiles": "Tile"},
    "Tile": {"xPos": None, "yPos": None, "width": None, "height": None, "widget": "Widget"},
    "Widget": {"title": None, "xyChart": "XyChart", "text": "Text"},
    "Text": {"content": None, "format": None},
    "XyChart": {
        "dataSets": "DataSet",
        "timeshiftDuration": None,
        "thresholds": None,
        "xAxis": "Axis",
        "yAxis": "Axis",
        "chartOptions": "ChartOptions",
    },
    "DataSet": {
        "timeSeriesQuery": "TimeSeriesQuery",
        "plotType": None,
        "legendTemplate": None,
        "minAlignmentPeriod": None,
        "targetAxis": None,
    },
    "Axis": {"label": None, "scale": None},
    "ChartOptions": {"mode": None},
    "TimeSeriesQuery": {"timeSeriesFilter": "TimeSeriesFilter", "unitOverride": None},
    "TimeSeriesFilter": {"filter": None, "aggregation": "Aggregation"},
    "Aggregation": {
        "alignmentPeriod": None,
        "perSeriesAligner": None,
        "crossSeriesReducer": None,
        "groupByFields": None,
    },
}
MOSAIC_COLUMNS = 12  # layouts.proto: "between 1 and 12, inclusive"
PLACEHOLDER = re.compile(r"(?<!\$)\$\{([a-z_]+(?:\.[a-z_]+)?)\}")
METRIC_TYPE = re.compile(r'metric\.type="([^"]+)"')


def _template_values(function_name: str = "token-rotator") -> dict[str, Any]:
    return {
        "function_name": function_name,
        "project_id": "rotator-test-1",
        "metric_types": {
            name: f"logging.googleapis.com/user/{function_name}/{name}" for name in METRICS
        },
    }


def _render(template: str, values: dict[str, Any]) -> str:
    """templatefile() for the subset the template may use: ${name} and ${name.key}, $${ for a
    literal ${, no directives."""
    assert "%{" not in template, "the dashboard template uses no directives"

    def value(match: re.Match[str]) -> str:
        name, _, key = match.group(1).partition(".")
        assert name in values, f"the template uses {name}, which the module does not pass"
        found = values[name][key] if key else values[name]
        assert isinstance(found, str), match.group(0)
        return found

    return PLACEHOLDER.sub(value, template).replace("$${", "${")


def _dashboard() -> dict[str, Any]:
    rendered = _render(TEMPLATE.read_text(encoding="utf-8"), _template_values())
    dashboard: dict[str, Any] = json.loads(rendered)
    return dashboard


def _unknown_fields(value: Any, message: str, path: str) -> list[str]:
    fields = DASHBOARD_FIELDS[message]
    assert isinstance(value, dict), f"{path}: {message} is not an object"
    problems = [f"{path}.{name}: not a field of {message}" for name in set(value) - set(fields)]
    for name, nested in value.items():
        child = fields.get(name)
        if child is None:
            continue
        for index, item in enumerate(nested if isinstance(nested, list) else [nested]):
            problems.extend(_unknown_fields(item, child, f"{path}.{name}[{index}]"))
    return problems


def _tiles() -> list[dict[str, Any]]:
    tiles: list[dict[str, Any]] = _dashboard()["mosaicLayout"]["tiles"]
    return tiles


def _data_sets() -> list[dict[str, Any]]:
    return [
        data_set
        for tile in _tiles()
        if "xyChart" in tile["widget"]
        for data_set in tile["widget"]["xyChart"]["dataSets"]
    ]


def test_dashboard_resource_renders_the_template_with_the_metrics() -> None:
    dashboard = load_module(ROTATOR).resource("google_monitoring_dashboard.rotator")
    assert dashboard["project"] == "${var.project_id}"
    call = dashboard["dashboard_json"]
    assert call.startswith('${templatefile("${path.module}/dashboard.json.tftpl", ')
    for argument in ("function_name = var.function_name", "project_id = var.project_id"):
        assert argument in re.sub(r"\s+", " ", call), argument
    assert re.search(r"metric_types\s*=\s*local\.metric_types", call)


def test_dashboard_json_is_a_dashboard() -> None:
    dashboard = _dashboard()
    assert dashboard["displayName"] == "Token rotator: token-rotator"
    assert not _unknown_fields(dashboard, "Dashboard", "dashboard")
    assert dashboard["mosaicLayout"]["columns"] == MOSAIC_COLUMNS
    occupied: set[tuple[int, int]] = set()
    for tile in _tiles():
        # The API leaves zero positions out; written so, the provider sees no change after apply.
        assert tile.get("xPos", 1) != 0 and tile.get("yPos", 1) != 0, tile["widget"]["title"]
        x, y = tile.get("xPos", 0), tile.get("yPos", 0)
        assert tile["width"] >= 1 and tile["height"] >= 1
        assert x + tile["width"] <= MOSAIC_COLUMNS, tile["widget"]["title"]
        cells = {(x + i, y + j) for i in range(tile["width"]) for j in range(tile["height"])}
        assert not cells & occupied, f"{tile['widget']['title']} overlaps another tile"
        occupied |= cells
        assert tile["widget"]["title"]


def test_dashboard_shows_every_metric_and_only_the_modules_metrics() -> None:
    metric_types = _template_values()["metric_types"]
    shown = set()
    for data_set in _data_sets():
        series = data_set["timeSeriesQuery"]["timeSeriesFilter"]
        found = METRIC_TYPE.findall(series["filter"])
        assert len(found) == 1, series["filter"]
        assert found[0] in metric_types.values(), f"{found[0]} is no google_logging_metric"
        assert 'resource.type="cloud_run_revision"' in series["filter"]
        shown.add(found[0])
    assert shown == set(metric_types.values())


def test_dashboard_aggregations_suit_each_metrics_value_type() -> None:
    by_type = {
        f"logging.googleapis.com/user/token-rotator/{name}": value_field
        for name, (_, value_field, _) in METRICS.items()
    }
    for data_set in _data_sets():
        series = data_set["timeSeriesQuery"]["timeSeriesFilter"]
        [metric_type] = METRIC_TYPE.findall(series["filter"])
        aggregation = series["aggregation"]
        labels = METRICS[metric_type.rsplit("/", 1)[1]][2]
        for field in aggregation["groupByFields"]:
            assert field == "resource.label.service_name" or (
                field.startswith("metric.label.") and field.split(".")[-1] in labels
            ), field
        aligner = aggregation["perSeriesAligner"]
        if by_type[metric_type] is None:  # a count (INT64)
            assert aligner == "ALIGN_SUM", metric_type
        else:  # a distribution: aligners that read one
            assert aligner in ("ALIGN_DELTA", "ALIGN_MEAN") or aligner.startswith(
                "ALIGN_PERCENTILE_"
            ), metric_type
        # The API's defaults written out (no change reported after apply).
        assert data_set["targetAxis"] == "Y1" and data_set["plotType"]
        assert data_set["minAlignmentPeriod"] == aggregation["alignmentPeriod"]


def test_dashboard_names_the_command_line() -> None:
    texts = [tile["widget"]["text"]["content"] for tile in _tiles() if "text" in tile["widget"]]
    assert any("ar-token-rotator audit --project rotator-test-1" in text for text in texts)
    assert any("ar-token-rotator status --project rotator-test-1" in text for text in texts)


def test_template_renderer_refuses_what_the_module_does_not_pass() -> None:
    with pytest.raises(AssertionError, match="does not pass"):
        _render('{"a": "${unknown}"}', _template_values())
    assert _render('"$${metric.label.secret}"', _template_values()) == '"${metric.label.secret}"'


# --- The commands they name --------------------------------------------------------------------

COMMAND = re.compile(r"`ar-token-rotator ([^`]+)`")
# The contract's `audit [--project P] [--json]`, which another branch of issue #16 adds.
NOT_YET_HERE = {"audit"}


def _documented_commands() -> list[str]:
    texts = [block(_alert(name), "documentation")["content"].replace("\n", " ") for name in ALERTS]
    texts += [tile["widget"]["text"]["content"] for tile in _tiles() if "text" in tile["widget"]]
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
        if words[0] not in known:
            assert words[0] in NOT_YET_HERE, command
            continue
        parser.parse_args(words)  # exits (fails the test) on an unknown option or argument


# --- Provider schema and checkov coverage ------------------------------------------------------


def test_monitoring_matches_the_provider_schema() -> None:
    findings = [
        finding
        for finding in check_directory(ROTATOR)
        if Path(finding.file).name in MONITORING_FILES
    ]
    assert not findings, "\n".join(map(str, findings))


def test_schema_file_holds_the_dashboard_and_the_modules_types() -> None:
    held = load_schema()["providers"]["hashicorp/google"]["resource"]
    dashboard = held["google_monitoring_dashboard"]
    assert dashboard["attributes"]["dashboard_json"].get("required")
    assert ("hashicorp/google", "resource", "google_monitoring_dashboard") in wanted_types()
    alert = held["google_monitoring_alert_policy"]
    assert "condition_absent" in alert["blocks"]["conditions"]["block"]["blocks"]
    assert "subject" in alert["blocks"]["documentation"]["block"]["attributes"]


# --- Terraform evaluates it --------------------------------------------------------------------

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
    values = _template_values("rotator-a")
    arguments = json.dumps(values)  # an HCL object in JSON syntax
    ok, rendered = _evaluate(tmp_path, f'templatefile("{TEMPLATE.name}", {arguments})', {})
    assert ok, rendered
    assert isinstance(rendered, str)
    by_terraform = json.loads(rendered)
    assert by_terraform == json.loads(_render(TEMPLATE.read_text(encoding="utf-8"), values))
    assert by_terraform["displayName"] == "Token rotator: rotator-a"
