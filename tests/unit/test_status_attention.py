"""What `status` calls needing attention (exit code 3), as a pure function of the status."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from rotation.cli.status_attention import attention as attention_at
from rotation.core.settings import Settings
from rotation.core.status_model import (
    AgentStatus,
    RepositoryStatus,
    RotationStatus,
    SecretStatus,
    VersionStatus,
)

AGENT = "serviceAccount:service-1@gcp-sa-artifactregistry.iam.gserviceaccount.com"
SECRET = "projects/p/secrets/s"
REPO = "projects/p/locations/l/repositories/r"
TOPIC = "projects/p/topics/t"
NOW = datetime.now(UTC)

DONE = RotationStatus(
    phase="done",
    rotation="m1",
    forced=False,
    started_at=None,
    completed_at=None,
    completed_rotation="m1",
    error=None,
    failed_step=None,
    retryable=False,
    holder=None,
    lease_until=None,
    unfinished=False,
)


def status(
    rotation: RotationStatus = DONE,
    alias: str | None = "current",
    can_read: bool = True,
    problems: tuple[str, ...] = (),
    rotated: bool = True,
) -> SecretStatus:
    versions = [VersionStatus("current", 2, "ENABLED", None, None)] if rotated else []
    return SecretStatus(
        secret=SECRET,
        source="pypi-derived",
        keep_versions=2,
        min_interval=timedelta(hours=1),
        grant_access=False,
        versions=versions,
        enabled_versions=[2, 1],
        next_rotation_time=NOW + timedelta(days=20),
        rotation_period=timedelta(days=30),
        repositories=[RepositoryStatus(REPO, f"{SECRET}/versions/2", 2, alias, "listed", None)],
        agents=[AgentStatus(AGENT, can_read)],
        rotation=rotation,
        rollback="to version 1 (previous)",
        problems=list(problems),
        topics=[TOPIC],
        newest_version_at=NOW - timedelta(days=10),
    )


def attention(secret_status: SecretStatus) -> list[str]:
    return attention_at(secret_status, Settings(), NOW)


def test_a_healthy_secret_and_one_never_rotated_need_nothing():
    assert attention(status()) == []
    assert attention(status(rotation=replace(DONE, phase="idle"), alias=None, rotated=False)) == []


def test_an_unfinished_rotation_says_where_it_stopped_and_nothing_about_its_repositories():
    stopped = replace(DONE, phase="pending", rotation="m2", failed_step="repoint", unfinished=True)
    assert attention(status(rotation=stopped, alias=None)) == [
        "rotation m2 is unfinished (phase pending, stopped at step repoint)"
    ]


def test_a_failed_rotation_an_unreadable_secret_a_stale_repository_and_problems_all_count():
    failed = replace(DONE, phase="failed", rotation="m3", error="the source refused")
    found = attention(
        status(rotation=failed, alias="previous", can_read=False, problems=("no discover",))
    )
    assert found == [
        "the last rotation, m3, failed: the source refused",
        f"service agent {AGENT} cannot read the secret",
        f"repository {REPO} is not on the current version",
        "no discover",
    ]
