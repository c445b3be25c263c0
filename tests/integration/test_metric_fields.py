"""The rotator module's log-based metrics (terraform/modules/rotator/monitoring.tf) read what the
function really logs: real rotations (the emulator pushes the event to the function under the
Functions Framework) log entries that each metric's filter selects, and carry every field its
label and value extractors read, with the types they need. The metrics against the contract's
field lists, and the audit events: tests/terraform/test_monitoring_metrics.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.terraform.hcl import TERRAFORM, block, load_module

ROTATOR = TERRAFORM / "modules" / "rotator"
FIELD = re.compile(r"^EXTRACT\(jsonPayload\.([a-z_]+)\)$")


def _metrics_reading(event: str) -> dict[str, dict[str, Any]]:
    metrics = load_module(ROTATOR).of_type("google_logging_metric")
    return {
        name: metric
        for name, metric in metrics.items()
        if event in re.findall(r'jsonPayload\.event=\\"([a-z_]+)\\"', metric["filter"])
    }


def _selected(metric: dict[str, Any], entry: dict[str, Any]) -> bool:
    """Whether the jsonPayload and severity clauses of the metric's filter hold for `entry` (its
    resource clauses hold for every entry of the function's service)."""
    log_filter = metric["filter"]
    present = re.findall(r"jsonPayload\.([a-z_]+):\*", log_filter)
    if "severity>=ERROR" in log_filter and entry["severity"] not in ("ERROR", "CRITICAL"):
        return False
    return all(field in entry for field in present)


def _check_extractors(name: str, metric: dict[str, Any], entry: dict[str, Any]) -> None:
    for label, extractor in metric.get("label_extractors", {}).items():
        match = FIELD.match(extractor)
        assert match, f"{name}: {extractor}"
        value = entry.get(match.group(1))
        assert isinstance(value, str) and value, f"{name}: label {label} reads {value!r}"
    if "value_extractor" in metric:
        match = FIELD.match(metric["value_extractor"])
        assert match, f"{name}: {metric['value_extractor']}"
        value = entry.get(match.group(1))
        assert isinstance(value, int | float) and not isinstance(value, bool), (
            f"{name}: the distribution reads {match.group(1)} = {value!r}"
        )
        assert value >= 0, f"{name}: {value}"
        assert block(metric, "metric_descriptor")["value_type"] == "DISTRIBUTION"


def _entries(function_server, mark: int, secret: str, event: str) -> list[dict[str, Any]]:
    return [
        entry
        for entry in function_server.entries(mark)
        if entry.get("event") == event and entry.get("secret") == secret
    ]


def test_a_completed_rotation_feeds_every_rotation_metric(world, function_server) -> None:
    metrics = _metrics_reading("rotation_completed")
    assert set(metrics) >= {
        "rotations_completed",
        "rotation_duration",
        "repoints",
        "token_expires_in_days",
    }
    secret = world.rotated_secret()
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    [completed] = _entries(function_server, mark, secret, "rotation_completed")
    for name, metric in metrics.items():
        # pypi-derived tokens have a known expiry: even token_expires_in_days counts this one.
        assert _selected(metric, completed), f"{name} does not count {completed}"
        _check_extractors(name, metric, completed)
    assert completed["repoints"] == 1


def test_a_failed_rotation_feeds_the_failure_metric(world, function_server) -> None:
    metrics = _metrics_reading("rotation_failed")
    assert set(metrics) == {"rotations_failed"}
    secret = world.rotated_secret(grant=False)  # its checks stop it: the agent cannot read it
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    [failed] = _entries(function_server, mark, secret, "rotation_failed")
    assert _selected(metrics["rotations_failed"], failed)
    _check_extractors("rotations_failed", metrics["rotations_failed"], failed)


@pytest.mark.parametrize(
    ("entry", "selected"),
    [
        ({"severity": "ERROR", "event": "rotation_failed"}, True),
        ({"severity": "WARNING", "event": "rotation_failed"}, False),
    ],
)
def test_the_severity_clause_is_read(entry: dict[str, Any], selected: bool) -> None:
    metric = _metrics_reading("rotation_failed")["rotations_failed"]
    assert _selected(metric, entry) is selected


def test_an_unknown_expiry_is_not_counted() -> None:
    metric = _metrics_reading("rotation_completed")["token_expires_in_days"]
    assert not _selected(metric, {"severity": "INFO", "event": "rotation_completed"})
