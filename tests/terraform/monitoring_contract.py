"""Issue #16's contract for the rotator module's monitoring (terraform/modules/rotator/
monitoring.tf): the log events the function writes (jsonPayload), the metrics read from them,
the alert policies; and the module's blocks as python-hcl2 reads them.
"""

from __future__ import annotations

import re
from typing import Any

from tests.terraform.hcl import TERRAFORM, block, load_module

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


def metric_block(name: str) -> dict[str, Any]:
    return load_module(ROTATOR).resource(f"google_logging_metric.{name}")


def events_in(log_filter: str) -> set[str]:
    """The events a Logging filter's `jsonPayload.event="..."` clauses name."""
    return set(re.findall(r'jsonPayload\.event=\\"([a-z_]+)\\"', log_filter))


def alert_block(name: str) -> dict[str, Any]:
    return load_module(ROTATOR).resource(f"google_monitoring_alert_policy.{name}")


def condition_block(name: str, kind: str) -> dict[str, Any]:
    return block(block(alert_block(name), "conditions"), kind)
