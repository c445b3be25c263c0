"""`status` and `plan`: what they show, their exit codes, and that they change nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.support import (
    AR_AGENT,
    FUNCTION_ACCOUNT,
    LOCATION,
    OTHER_PROJECT,
    PROJECT,
    World,
    repository_name,
    root_token,
)

REPO = repository_name("pypi")
WRITES = (
    "SecretManagerService.UpdateSecret",
    "SecretManagerService.AddSecretVersion",
    "SecretManagerService.DisableSecretVersion",
    "SecretManagerService.DestroySecretVersion",
    "SecretManagerService.SetIamPolicy",
    "ArtifactRegistry.UpdateRepository",
)


def writes(world: World) -> int:
    return sum(world.emulator.control.counts[method] for method in WRITES)


def lines_of(text: str) -> dict[str, str]:
    """First word of each line -> the rest, squeezed: a stable view of the status table."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip():
            key, _, rest = line.strip().partition(" ")
            found.setdefault(key, " ".join(rest.split()))
    return found


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


def test_plan_walks_every_step_and_changes_nothing(cloud, cli):
    secret = cloud.rotated_secret()
    annotations, written = cloud.annotations(secret), writes(cloud)
    planned = cli("plan", secret)
    assert planned.code == 0, planned.err
    first, *lines = planned.out.splitlines()
    assert first == f"plan for {secret} (source pypi-derived): rotate; nothing changed"
    steps = [line for line in lines if line.split()[0].rstrip(".").isdigit()]
    assert [line.split()[1] for line in steps] == [
        "claim",
        "targets",
        "checks",
        "create",
        "test",
        "repoint",
        "retire",
        "finish",
    ]
    text = planned.out
    assert "start a new rotation (no rotation has completed yet)" in text
    assert "add it as version 2 (alias pending)" in text
    assert f"{REPO}: version 1 -> version 2" in text
    assert "nothing: keep-versions 2 keeps versions 2, 1" in text
    assert "current -> version 2, previous -> version 1" in text
    assert writes(cloud) == written
    assert cloud.annotations(secret) == annotations
    assert cloud.versions(secret) == {1: "ENABLED"}


def test_plan_after_a_rotation_skips_unless_forced(cloud, run):
    secret = cloud.rotated_secret()
    assert run("rotate", secret).code == 0
    written = writes(cloud)

    skip = run("plan", secret)
    assert skip.code == 0
    assert ": skip; nothing changed" in skip.out
    assert "within the minimum interval" in skip.out
    assert f"`plan {secret} --force` shows a forced rotation" in skip.out

    forced = json.loads(run("plan", secret, "--force", "--json").out)
    assert forced["verdict"] == "rotate"
    steps = {step["step"]: step["action"] for step in forced["steps"]}
    assert steps["claim"].startswith("start a new rotation (forced)")
    assert steps["retire"] == (
        "retire the token of version 1 (source pypi-derived), then disable it; "
        "keep-versions 2 keeps versions 3, 2"
    )
    assert steps["finish"].startswith("current -> version 3, previous -> version 2")
    assert writes(cloud) == written


def test_plan_stops_where_the_rotation_would_and_rotates_after_the_fix(cloud, run):
    secret = cloud.rotated_secret(grant=False)
    stop = json.loads(run("plan", secret, "--json").out)
    assert stop["verdict"] == "stop"
    assert stop["steps"][-1]["step"] == "checks"
    assert stop["steps"][-1]["action"].startswith("stop: 1 of 4 checks fail")
    [access] = [c for c in stop["checks"] if c["check"] == "access"]
    assert access["ok"] is False
    assert "gcloud secrets add-iam-policy-binding pypi-token" in access["remedy"]

    assert run("rotate", secret).code == 1
    cloud.grant(secret, AR_AGENT)
    again = json.loads(run("plan", secret, "--json").out)
    assert again["verdict"] == "rotate"
    steps = {step["step"]: step["action"] for step in again["steps"]}
    assert steps["create"].endswith("add it as version 2 (alias pending)")
    [access] = [c for c in again["checks"] if c["check"] == "access"]
    assert access == {
        "check": "access",
        "subject": secret,
        "ok": True,
        "detail": f"{AR_AGENT} can read the secret",
        "remedy": "",
    }


def test_plan_says_it_would_grant_access_when_allowed(cloud, run):
    secret = cloud.rotated_secret(grant=False, grant_access="true")
    written = writes(cloud)
    plan = json.loads(run("plan", secret, "--json").out)
    assert plan["verdict"] == "rotate"
    [access] = [c for c in plan["checks"] if c["check"] == "access"]
    assert access["ok"] is True
    assert (
        access["detail"] == f"grant roles/secretmanager.secretAccessor on the secret to {AR_AGENT}"
    )
    assert writes(cloud) == written


def second_secret_on_the_same_repository(cloud: World, **settings: str) -> tuple[str, str]:
    """Two secrets whose annotations both name repository `pypi`; it points at the first."""
    first = cloud.rotated_secret()
    root = cloud.secret("second-root", payload=root_token(), rotation=False)
    annotations = {
        "token-rotator.source": "pypi-derived",
        "token-rotator.root-secret": root,
        "token-rotator.repositories": REPO,
        **{f"token-rotator.{key.replace('_', '-')}": value for key, value in settings.items()},
    }
    second = cloud.secret("second-token", annotations, payload=root_token())
    cloud.grant(second, AR_AGENT)
    return first, second


def checks_of(planned: dict) -> dict[str, dict]:
    return {f"{c['check']} {c['subject']}": c for c in planned["checks"]}


def test_plan_and_status_show_a_repository_another_secret_uses(cloud, cli, run):
    first, second = second_secret_on_the_same_repository(cloud)
    written = writes(cloud)
    planned = json.loads(run("plan", second, "--json").out)
    assert planned["verdict"] == "stop"
    checks = checks_of(planned)
    conflict = checks[f"conflict {second}"]
    assert conflict["ok"] is False
    assert f"{REPO} points at a version of {first}" in conflict["detail"]
    assert f"token-rotator.take-over-from={first}" in conflict["remedy"]
    assert checks[f"repository {REPO}"]["ok"] is True
    assert checks[f"access {second}"]["ok"] is True
    assert planned["steps"][-1]["step"] == "checks"
    assert planned["steps"][-1]["action"].startswith("stop: 1 of 4 checks fail")

    text = cli("plan", second)
    assert text.code == 0, text.err
    assert f"FAILED conflict {second}: secret {second} would take repositories" in text.out
    assert f"ok     repository {REPO}: exists, remote" in text.out

    shown = cli("status", second)
    assert shown.code == 3, shown.err
    assert f"{REPO} points at a version of {first}" in lines_of(shown.out)["problem"]
    assert "token-rotator.take-over-from" in lines_of(shown.out)["problem"]
    healthy = cli("status", first)
    assert healthy.code == 0, healthy.err
    assert "problem" not in lines_of(healthy.out)
    assert writes(cloud) == written


def test_plan_allows_a_take_over_the_annotation_names(cloud, run):
    first, second = second_secret_on_the_same_repository(cloud, take_over_from="pypi-token")
    planned = json.loads(run("plan", second, "--json").out)
    assert planned["verdict"] == "rotate"
    assert checks_of(planned)[f"conflict {second}"]["ok"] is True
    assert f"{REPO}: {first}/versions/1 -> version 2" in json.dumps(planned["steps"])


def test_plan_reports_a_missing_repository_and_a_disabled_root_secret(cloud, run):
    missing = repository_name("no-such-repository")
    secret = cloud.rotated_secret()
    annotations = cloud.annotations(secret)
    annotations["token-rotator.repositories"] = f"{REPO},{missing}"
    cloud.sm.update_secret(
        secret={"name": secret, "annotations": annotations}, update_mask={"paths": ["annotations"]}
    )
    root = annotations["token-rotator.root-secret"]
    cloud.sm.disable_secret_version(name=f"{root}/versions/1")
    written = writes(cloud)

    planned = json.loads(run("plan", secret, "--json").out)
    assert planned["verdict"] == "stop"
    checks = checks_of(planned)
    assert checks[f"repository {REPO}"]["ok"] is True
    absent = checks[f"repository {missing}"]
    assert absent["ok"] is False
    assert "not found" in absent["detail"]
    assert absent["remedy"].startswith("check the name")
    source = checks[f"source {root}"]
    assert source["ok"] is False
    assert "DISABLED" in source["detail"]
    assert f"add the token to {root} as a new (enabled) version" in source["remedy"]
    assert planned["steps"][-1]["action"].startswith("stop: 2 of 5 checks fail")
    assert writes(cloud) == written

    cloud.sm.enable_secret_version(name=f"{root}/versions/1")
    fixed = checks_of(json.loads(run("plan", secret, "--json").out))
    assert fixed[f"source {root}"] == {
        "check": "source",
        "subject": root,
        "ok": True,
        "detail": "latest version enabled",
        "remedy": "",
    }
    assert fixed[f"repository {missing}"]["ok"] is False


def test_status_names_an_invalid_take_over_from(cloud, cli):
    _, second = second_secret_on_the_same_repository(cloud, take_over_from="a/b")
    shown = cli("status", second)
    assert shown.code == 3, shown.err
    assert "annotation token-rotator.take-over-from='a/b'" in lines_of(shown.out)["problem"]


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
    [problem] = [line for line in result.out.splitlines() if line.startswith("problem")]
    assert f"the repositories in {elsewhere} cannot be listed" in problem
    assert "artifactregistry.repositories.list" in problem

    [status] = json.loads(cli("status", secret, "--json", env=as_function).out)
    assert {r["name"]: r["found_by"] for r in status["repositories"]} == {
        REPO: "listed",
        found: "discovered",
    }
