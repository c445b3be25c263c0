"""The audit's findings, as a pure function of a secret's status, the settings and the time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from rotation.core.audit_findings import (
    DRIFT_DETECTED,
    FINDINGS,
    ROTATION_FAILED_LAST,
    ROTATION_OVERDUE,
    ROTATION_UNFINISHED,
    SCHEDULE_MISSING,
    TOKEN_EXPIRING,
    TOPIC_MISSING,
    Finding,
    findings,
    grace,
    token_expires_in_days,
)
from rotation.core.settings import Settings
from rotation.core.status_model import RepositoryStatus, SecretStatus, VersionStatus
from tests.unit.test_status_attention import DONE, NOW, REPO, SECRET, TOPIC, status

PERIOD = timedelta(days=30)
SETTINGS = Settings()


def rotated(
    completed: timedelta = timedelta(days=10),
    expires_in: timedelta | None = timedelta(days=50),
    **changes: object,
) -> SecretStatus:
    """A healthy rotated secret: completed `completed` ago, its token expiring in `expires_in`."""
    base = status()
    expires = NOW + expires_in if expires_in is not None else None
    fields: dict[str, object] = {
        "rotation": replace(DONE, completed_at=NOW - completed),
        "versions": [VersionStatus("current", 2, "ENABLED", NOW - completed, expires)],
    }
    return replace(base, **{**fields, **changes})


def names(found: list[Finding]) -> list[str]:
    return [f.finding for f in found]


def test_a_healthy_secret_has_no_findings():
    assert findings(rotated(), SETTINGS, NOW) == []


@given(
    period_hours=st.integers(min_value=1, max_value=24 * 400),
    age_hours=st.integers(min_value=0, max_value=24 * 500),
)
def test_overdue_exactly_when_older_than_the_period_plus_a_grace_of_a_tenth_at_least_a_day(
    period_hours, age_hours
):
    period, age = timedelta(hours=period_hours), timedelta(hours=age_hours)
    found = findings(rotated(completed=age, expires_in=None, rotation_period=period), SETTINGS, NOW)
    assert (ROTATION_OVERDUE in names(found)) == (
        age > period + max(timedelta(days=1), period / 10)
    )


def test_grace_is_a_tenth_of_the_period_and_at_least_a_day():
    assert grace(timedelta(days=30)) == timedelta(days=3)
    assert grace(timedelta(hours=12)) == timedelta(days=1)


def test_a_secret_never_rotated_is_overdue_by_the_age_of_its_newest_version():
    never = status(rotation=replace(DONE, phase="idle"), alias=None, rotated=False)
    assert findings(never, SETTINGS, NOW) == []
    old = replace(never, newest_version_at=NOW - PERIOD - timedelta(days=4))
    [overdue] = findings(old, SETTINGS, NOW)
    assert overdue.finding == ROTATION_OVERDUE
    assert overdue.severity == "WARNING"
    assert "republish" in overdue.remedy


@given(days=st.floats(min_value=-30, max_value=30, allow_nan=False))
def test_token_expiring_within_the_threshold_is_an_error(days):
    found = findings(rotated(expires_in=timedelta(days=days)), SETTINGS, NOW)
    expiring = [f for f in found if f.finding == TOKEN_EXPIRING]
    assert bool(expiring) == (round(days, 2) <= 7)
    assert all(f.severity == "ERROR" and "--force" in f.remedy for f in expiring)
    expected = "ago" if round(days, 2) <= 0 else "expires in"
    assert all(expected in f.detail and "in -" not in f.detail for f in expiring)


def test_the_expiry_threshold_is_a_setting_and_an_unknown_expiry_is_no_finding():
    eight_days = rotated(expires_in=timedelta(days=8))
    assert findings(eight_days, SETTINGS, NOW) == []
    longer = Settings(token_expiry_warning=timedelta(days=10))
    assert names(findings(eight_days, longer, NOW)) == [TOKEN_EXPIRING]
    assert findings(rotated(expires_in=None), longer, NOW) == []
    assert token_expires_in_days(rotated(expires_in=timedelta(days=8)), NOW) == 8


def test_drift_a_repository_off_current_or_on_a_version_not_enabled_or_an_unreadable_secret():
    off_current = rotated(
        repositories=[RepositoryStatus(REPO, f"{SECRET}/versions/1", 1, "previous", "listed", None)]
    )
    [drift] = findings(off_current, SETTINGS, NOW)
    assert (drift.finding, drift.severity) == (DRIFT_DETECTED, "WARNING")
    assert drift.detail == f"repository {REPO} is not on the current version"

    disabled = replace(off_current, enabled_versions=[2])
    [drift] = findings(disabled, SETTINGS, NOW)
    assert drift.detail == f"repository {REPO} points at version 1, which is not ENABLED"

    unreadable = replace(rotated(), agents=[replace(rotated().agents[0], can_read=False)])
    [drift] = findings(unreadable, SETTINGS, NOW)
    assert drift.finding == DRIFT_DETECTED
    assert "gcloud secrets add-iam-policy-binding s --project=p" in drift.remedy


def test_an_unfinished_rotation_and_a_failed_one():
    unfinished = replace(DONE, phase="pending", rotation="m2", unfinished=True)
    [found] = findings(rotated(rotation=unfinished), SETTINGS, NOW)
    assert (found.finding, found.severity) == (ROTATION_UNFINISHED, "WARNING")
    failed = replace(DONE, phase="failed", rotation="m3", error="refused", completed_at=NOW)
    [found] = findings(rotated(rotation=failed), SETTINGS, NOW)
    assert (found.finding, found.severity) == (ROTATION_FAILED_LAST, "ERROR")
    assert found.detail == "the last rotation, m3, failed: refused"


def test_a_missing_schedule_no_topic_and_a_topic_that_does_not_exist():
    unscheduled = rotated(rotation_period=None, next_rotation_time=None)
    assert names(findings(unscheduled, SETTINGS, NOW)) == [SCHEDULE_MISSING]
    assert names(findings(rotated(topics=[]), SETTINGS, NOW)) == [TOPIC_MISSING]
    [gone] = findings(rotated(missing_topics=[TOPIC]), SETTINGS, NOW)
    assert gone.finding == TOPIC_MISSING
    assert TOPIC in gone.detail


def test_findings_come_in_the_documented_order_with_their_severities():
    everything = rotated(
        completed=timedelta(days=60),
        expires_in=timedelta(days=1),
        rotation=replace(
            DONE, phase="failed", rotation="m", error="e", completed_at=NOW - timedelta(days=60)
        ),
        enabled_versions=[],
        next_rotation_time=None,
        missing_topics=[TOPIC],
    )
    found = findings(everything, SETTINGS, NOW)
    order = [FINDINGS.index(f.finding) for f in found]
    assert order == sorted(order)
    assert set(names(found)) == set(FINDINGS) - {ROTATION_UNFINISHED}
    assert {f.finding: f.severity for f in found} == {
        ROTATION_FAILED_LAST: "ERROR",
        DRIFT_DETECTED: "WARNING",
        ROTATION_OVERDUE: "WARNING",
        TOKEN_EXPIRING: "ERROR",
        SCHEDULE_MISSING: "WARNING",
        TOPIC_MISSING: "WARNING",
    }
    assert all(f.remedy and f.secret == SECRET for f in found)
