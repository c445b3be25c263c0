"""The rotator module's dashboard: its JSON parses as a Dashboard the Monitoring API reads, every
metric it shows is one of the module's google_logging_metric (and each is shown), its
aggregations suit each metric's value type; the monitoring files pass the provider-schema check.
Terraform renders the template too: test_monitoring_console.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.terraform.dashboard_template import (
    METRIC_TYPE,
    MOSAIC_COLUMNS,
    data_sets,
    render,
    rendered_dashboard,
    template_values,
    tiles,
    unknown_fields,
)
from tests.terraform.hcl import load_module
from tests.terraform.monitoring_contract import METRICS, MONITORING_FILES, ROTATOR
from tests.terraform.provider_schema import wanted_types
from tests.terraform.schema_check import check_directory, load_schema


def test_dashboard_resource_renders_the_template_with_the_metrics() -> None:
    dashboard = load_module(ROTATOR).resource("google_monitoring_dashboard.rotator")
    assert dashboard["project"] == "${var.project_id}"
    call = dashboard["dashboard_json"]
    assert call.startswith('${templatefile("${path.module}/dashboard.json.tftpl", ')
    for argument in ("function_name = var.function_name", "project_id = var.project_id"):
        assert argument in re.sub(r"\s+", " ", call), argument
    assert re.search(r"metric_types\s*=\s*local\.metric_types", call)


def test_dashboard_json_is_a_dashboard() -> None:
    dashboard = rendered_dashboard()
    assert dashboard["displayName"] == "Token rotator: token-rotator"
    assert not unknown_fields(dashboard, "Dashboard", "dashboard")
    assert dashboard["mosaicLayout"]["columns"] == MOSAIC_COLUMNS
    occupied: set[tuple[int, int]] = set()
    for tile in tiles():
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
    metric_types = template_values()["metric_types"]
    shown = set()
    for data_set in data_sets():
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
    for data_set in data_sets():
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
    texts = [tile["widget"]["text"]["content"] for tile in tiles() if "text" in tile["widget"]]
    assert any("ar-token-rotator audit --project rotator-test-1" in text for text in texts)
    assert any("ar-token-rotator status --project rotator-test-1" in text for text in texts)


def test_template_renderer_refuses_what_the_module_does_not_pass() -> None:
    with pytest.raises(AssertionError, match="does not pass"):
        render('{"a": "${unknown}"}', template_values())
    assert render('"$${metric.label.secret}"', template_values()) == '"${metric.label.secret}"'


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
