"""`audit`: every managed secret of a project checked as the daily audit checks it; exit 3 on a
finding, 0 when there is none."""

from __future__ import annotations

import json
from datetime import timedelta

from rotation.function.clock import EMULATOR_HTTP
from tests.cli.status_and_plan import REPO, writes
from tests.support import PROJECT, ROTATION_PERIOD, repository_name

PASSWORD_PATH = (
    "remote_repository_config.upstream_credentials.username_password_credentials."
    "password_secret_version"
)


def audited(run, **env: str) -> tuple[int, dict[str, dict]]:
    """The exit code and, by secret, what `audit --json` found."""
    result = run("audit", "--project", PROJECT, "--json", **({"env": env} if env else {}))
    report = json.loads(result.out)
    assert report["projects"] == [PROJECT]
    return result.code, {s["secret"]: s for s in report["secrets"]}


def finding_names(secret: dict) -> list[str]:
    return [f["finding"] for f in secret["findings"]]


def test_a_clean_project_exits_0_and_changes_nothing(cloud, cli, run):
    rotated = cloud.rotated_secret()
    never = cloud.rotated_secret("never-rotated", repositories=repository_name("never"))
    cloud.secret("unmanaged", payload="x" * 20)
    assert cli("rotate", rotated).code == 0
    before = writes(cloud)

    code, found = audited(run)
    assert code == 0
    assert sorted(found) == sorted([rotated, never])
    assert found[rotated]["findings"] == found[never]["findings"] == []
    assert 59 < found[rotated]["token_expires_in_days"] <= 60
    assert found[never]["token_expires_in_days"] is None
    assert writes(cloud) == before

    text = cli("audit", "--project", PROJECT)
    assert text.code == 0, text.err
    assert f"{rotated} (pypi-derived, token expires in " in text.out
    assert "audited 2 managed secret(s) of " + PROJECT + ": 0 finding(s)" in text.out


def test_a_secret_not_rotated_for_longer_than_its_period_and_grace_is_overdue(cloud, cli):
    """Run on the emulator's clock (EMULATOR_HTTP), which the test moves past the grace."""
    on_emulator_clock = {EMULATOR_HTTP: cloud.emulator.http_url}
    secret = cloud.rotated_secret()
    grace = max(timedelta(days=1), ROTATION_PERIOD / 10)
    cloud.emulator.clock.advance((ROTATION_PERIOD + grace - timedelta(hours=1)).total_seconds())
    code, found = audited(cli, **on_emulator_clock)
    assert (code, found[secret]["findings"]) == (0, [])  # within the grace

    cloud.emulator.clock.advance(timedelta(hours=2).total_seconds())
    code, found = audited(cli, **on_emulator_clock)
    assert code == 3
    [overdue] = found[secret]["findings"]
    assert overdue["finding"] == "rotation_overdue"
    assert overdue["severity"] == "WARNING"
    assert f"ar-token-rotator republish {secret} --wait" in overdue["remedy"]

    text = cli("audit", "--project", PROJECT, env=on_emulator_clock)
    assert text.code == 3
    assert "WARNING rotation_overdue: the last completed rotation was at " in text.out
    assert "remedy: check the secret's schedule and topic" in text.out


def test_drift_a_repository_off_current_and_one_on_a_disabled_version(cloud, cli, run):
    secret = cloud.rotated_secret()
    assert cli("rotate", secret).code == 0
    cloud.ar.update_repository(
        repository={
            "name": REPO,
            "remote_repository_config": {
                "upstream_credentials": {
                    "username_password_credentials": {
                        "password_secret_version": f"{secret}/versions/1"
                    }
                }
            },
        },
        update_mask={"paths": [PASSWORD_PATH]},
    )
    other = cloud.rotated_secret("other-token", repositories=repository_name("other"))
    cloud.sm.disable_secret_version(name=f"{other}/versions/1")

    code, found = audited(run)
    assert code == 3
    [off_current] = found[secret]["findings"]
    assert off_current["finding"] == "drift_detected"
    assert off_current["detail"] == f"repository {REPO} is not on the current version"
    [disabled] = found[other]["findings"]
    assert disabled["finding"] == "drift_detected"
    assert disabled["detail"] == (
        f"repository {repository_name('other')} points at version 1, which is not ENABLED"
    )


def test_a_secret_without_schedule_or_topic(cloud, run):
    secret = cloud.rotated_secret()
    cloud.sm.update_secret(
        secret={"name": secret, "topics": [], "rotation": {}},
        update_mask={"paths": ["topics", "rotation"]},
    )
    code, found = audited(run)
    assert code == 3
    assert finding_names(found[secret]) == ["schedule_missing", "topic_missing"]
    shown = run("status", secret)
    assert shown.code == 3
    attention = [line for line in shown.out.splitlines() if line.startswith("attention")]
    assert len(attention) == 2
    assert "the secret has no rotation schedule" in attention[0]
    assert "the secret notifies no Pub/Sub topic" in attention[1]
