"""The rotator module's log-based metrics (terraform/modules/rotator/monitoring.tf) against the
log events the function writes (monitoring_contract.py): every metric reads the function's own
Cloud Run log entries, selects the events it counts, and extracts only fields those events carry.
The same metrics on real log entries: tests/integration/test_metric_fields.py.
"""

from __future__ import annotations

import pytest

from tests.terraform.hcl import block, load_module
from tests.terraform.monitoring_contract import (
    FINDING_SEVERITY,
    LOG_EVENTS,
    METRICS,
    ROTATOR,
    events_in,
    metric_block,
)


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
        assert "local.monitoring_log_filter" in metric_block(name)["filter"], name


@pytest.mark.parametrize("name", sorted(METRICS))
def test_metric_selects_its_events(name: str) -> None:
    events, _, _ = METRICS[name]
    log_filter = metric_block(name)["filter"]
    if name == "audit_findings":
        # The findings' clause is built from local.audit_findings (rendered: the console test).
        assert "local.audit_finding_events" in log_filter
        locals_ = load_module(ROTATOR).locals
        assert locals_["audit_findings"] == FINDING_SEVERITY
        assert "keys(local.audit_findings)" in locals_["audit_finding_events"]
    else:
        assert events_in(log_filter) == events
    if name == "rotations_failed":
        assert "severity>=ERROR" in log_filter
    if name == "token_expires_in_days":
        # Both events leave the field out when the expiry is unknown: such entries are not zeros.
        assert "jsonPayload.token_expires_in_days:*" in log_filter
        assert "OR" in log_filter


@pytest.mark.parametrize("name", sorted(METRICS))
def test_metric_extracts_the_log_fields_its_events_carry(name: str) -> None:
    events, value_field, labels = METRICS[name]
    metric = metric_block(name)
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
    duration = block(metric_block("rotation_duration")["bucket_options"][0], "exponential_buckets")
    # Up to the function's longest timeout (540 s) and far beyond, from half a second.
    assert duration["scale"] <= 1
    assert duration["scale"] * duration["growth_factor"] ** duration["num_finite_buckets"] > 540
    repoints = block(metric_block("repoints")["bucket_options"][0], "linear_buckets")
    assert (repoints["offset"], repoints["width"]) == (0, 1)
    expiry = block(metric_block("token_expires_in_days")["bucket_options"][0], "explicit_buckets")
    bounds = expiry["bounds"]
    assert bounds == sorted(bounds) and bounds[0] == 0 and {1, 7, 30} <= set(bounds)
