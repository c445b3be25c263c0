"""`plan`: what it shows, its exit codes, and that it changes nothing."""

from __future__ import annotations

import json

from tests.cli.status_and_plan import REPO, checks_of, writes
from tests.support import AR_AGENT, repository_name


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
