"""The rotator module's dashboard template (terraform/modules/rotator/dashboard.json.tftpl) rendered
as templatefile() would, and the Dashboard API's messages its JSON must be made of."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.terraform.monitoring_contract import METRICS, TEMPLATE

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


def template_values(function_name: str = "token-rotator") -> dict[str, Any]:
    return {
        "function_name": function_name,
        "project_id": "rotator-test-1",
        "metric_types": {
            name: f"logging.googleapis.com/user/{function_name}/{name}" for name in METRICS
        },
    }


def render(template: str, values: dict[str, Any]) -> str:
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


def rendered_dashboard() -> dict[str, Any]:
    rendered = render(TEMPLATE.read_text(encoding="utf-8"), template_values())
    dashboard: dict[str, Any] = json.loads(rendered)
    return dashboard


def unknown_fields(value: Any, message: str, path: str) -> list[str]:
    fields = DASHBOARD_FIELDS[message]
    assert isinstance(value, dict), f"{path}: {message} is not an object"
    problems = [f"{path}.{name}: not a field of {message}" for name in set(value) - set(fields)]
    for name, nested in value.items():
        child = fields.get(name)
        if child is None:
            continue
        for index, item in enumerate(nested if isinstance(nested, list) else [nested]):
            problems.extend(unknown_fields(item, child, f"{path}.{name}[{index}]"))
    return problems


def tiles() -> list[dict[str, Any]]:
    tiles: list[dict[str, Any]] = rendered_dashboard()["mosaicLayout"]["tiles"]
    return tiles


def data_sets() -> list[dict[str, Any]]:
    return [
        data_set
        for tile in tiles()
        if "xyChart" in tile["widget"]
        for data_set in tile["widget"]["xyChart"]["dataSets"]
    ]
