"""`status`: what it shows, its exit codes, and that it changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.cli.status_and_plan import REPO, lines_of
from tests.support import (
    AR_AGENT,
    FUNCTION_ACCOUNT,
    LOCATION,
    OTHER_PROJECT,
    PROJECT,
    repository_name,
)


def test_status_before_and_after_a_rotation(cloud, cli):
    secret = cloud.rotated_secret()
    before = cli("status", secret)
    assert before.code == 0, before.err
    table = lines_of(before.out)
    assert table["secret"] == secret
    assert table["source"] == "pypi-derived keep-versions 2 min-interval 1h"
    assert table["current"] == "-"
    assert table[REPO] == "listed version 1"
    assert table[AR_AGENT.removeprefix("serviceAccount:")] == "can read"
    assert table["last"] == "rotation none completed yet"
    assert table["unfinished"] == "none"
    assert table["next"].startswith("rotation ")
    assert table["next"].endswith("every 30d")

    assert cli("rotate", secret).code == 0
    after = cli("status", secret, "--json")
    assert after.code == 0, after.err
    [status] = json.loads(after.out)
    versions = {v["alias"]: v for v in status["versions"]}
    assert versions["current"]["number"] == 2
    assert versions["previous"]["number"] == 1
    assert versions["previous"]["token_expires_at"] is None  # terraform's token: nothing recorded
    expires = datetime.fromisoformat(versions["current"]["token_expires_at"])
    assert timedelta(days=59) < expires - datetime.now(UTC) <= timedelta(days=60)
    assert status["enabled_versions"] == [2, 1]
    assert status["repositories"] == [
        {
            "name": REPO,
            "points_at": f"{secret}/versions/2",
            "version": 2,
            "alias": "current",
            "found_by": "listed",
            "note": None,
        }
    ]
    assert status["agents"] == [{"member": AR_AGENT, "can_read": True}]
    assert status["rotation"]["phase"] == "done"
    assert status["rotation"]["completed_rotation"].startswith("cli-")
    assert status["rotation"]["unfinished"] is False
    assert status["rotation_period"] == 30 * 86400


def test_status_shows_missing_access_and_where_a_rotation_stopped(cloud, cli, run):
    secret = cloud.rotated_secret(grant=False)
    failed = run("rotate", secret)
    assert failed.code == 1
    assert cloud.versions(secret) == {1: "ENABLED"}  # checked before minting: nothing added

    shown = cli("status", secret)
    assert shown.code == 3, shown.err  # read, and needs attention
    table = lines_of(shown.out)
    assert table[AR_AGENT.removeprefix("serviceAccount:")].startswith("CANNOT READ")
    assert table["pending"].startswith("-")
    assert table["last"].startswith("rotation rotation cli-")
    assert "abandoned at step checks" in table["last"]
    assert table["unfinished"] == "none"
    [status] = json.loads(run("status", secret, "--json").out)
    assert status["rotation"]["phase"] == "failed"
    assert status["rotation"]["failed_step"] == "checks"
    assert status["rotation"]["retryable"] is False
    assert status["agents"] == [{"member": AR_AGENT, "can_read": False}]
    [failure, agent] = status["attention"]
    assert failure.startswith(f"the last rotation, {status['rotation']['rotation']}, failed: ")
    assert agent == f"service agent {AR_AGENT} cannot read the secret"


def test_status_of_every_managed_secret_of_a_project(cloud, run):
    first = cloud.rotated_secret("first-token")
    second = cloud.rotated_secret("second-token", repositories=repository_name("second"))
    cloud.secret("unmanaged", payload="x" * 20)

    shown = run("status", "--project", PROJECT, "--json")
    assert shown.code == 0, shown.err
    assert sorted(s["secret"] for s in json.loads(shown.out)) == sorted([first, second])


def test_status_reports_each_secret_it_cannot_show_and_shows_the_others(cloud, run):
    secret = cloud.rotated_secret()
    plain = cloud.secret("plain", payload="y" * 20)
    broken = cloud.rotated_secret(
        "broken-token", keep_versions="none", repositories=repository_name("broken")
    )

    shown = run("status", secret, plain, broken, f"projects/{PROJECT}/secrets/nonexistent")
    assert shown.code == 2
    assert lines_of(shown.out)["secret"] == secret
    assert f"error: secret {plain} has no token-rotator.source annotation" in shown.err
    assert "annotation token-rotator.keep-versions='none'" in shown.err
    assert "not found" in shown.err
    assert "remedy: check the name" in shown.err


def test_status_shows_how_each_repository_was_found_and_a_location_it_cannot_list(
    cloud, cli, tmp_path
):
    """A repository found by discovery is shown as such; a discover location the caller may
    not list is named as a problem (the repositories there are unknown), and the rest is shown.

    Run as the function's service account: the module lets it list its own project only."""
    key = cloud.emulator.credential_file(FUNCTION_ACCOUNT, tmp_path / "key.json")
    as_function = {"GOOGLE_APPLICATION_CREDENTIALS": str(key)}
    here = f"projects/{PROJECT}/locations/{LOCATION}"
    elsewhere = f"projects/{OTHER_PROJECT}/locations/{LOCATION}"
    secret = cloud.rotated_secret(discover=f"{here},{elsewhere}")
    found = repository_name("pypi-found")
    cloud.repository(found, f"{secret}/versions/1")

    result = cli("status", secret, env=as_function)
    assert result.code == 3, result.err  # a location it cannot list is a problem
    table = lines_of(result.out)
    assert table[REPO] == "listed version 1"
    assert table[found] == "discovered version 1"
    problems = [line for line in result.out.splitlines() if line.startswith("problem")]
    [problem] = [line for line in problems if "cannot be listed" in line]
    assert f"the repositories in {elsewhere} cannot be listed" in problem
    assert "artifactregistry.repositories.list" in problem
    # The module's project role lets the function read the secret's topic, as the audit needs.
    assert not [line for line in problems if "topic" in line], problems

    [status] = json.loads(cli("status", secret, "--json", env=as_function).out)
    assert {r["name"]: r["found_by"] for r in status["repositories"]} == {
        REPO: "listed",
        found: "discovered",
    }
