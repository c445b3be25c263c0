"""`rotate`, `rollback` and `cleanup` against the emulator: what they change, what they refuse,
and their exit codes."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from emulator.secretmanager import ALIASES_ANY_STATE, ALIASES_ENABLED_ONLY
from rotation.core.state import Phase, RotationState
from tests.support import AR_AGENT, World, repository_name

REPO = repository_name("pypi")


def test_rotate_runs_the_function_steps_here(cloud, cli):
    secret = cloud.rotated_secret()
    rotated = cli("rotate", secret)
    assert rotated.code == 0, rotated.err
    assert rotated.out.startswith(f"{secret}: rotation cli-")
    assert rotated.out.rstrip().endswith("completed; current 2, previous 1")
    assert "[create] added version 2 with the new token" in rotated.err
    assert "[test] the new token passed the check of source pypi-derived" in rotated.err
    assert f"[repoint] repointed {REPO} to {secret}/versions/2" in rotated.err
    assert cloud.points_at(REPO) == f"{secret}/versions/2"
    assert cloud.aliases(secret) == {"current": 2, "previous": 1}

    again = cli("rotate", secret)
    assert again.code == 0, again.err
    assert again.out == f"{secret}: too soon; nothing changed\n"
    assert "within the minimum interval" in again.err
    assert f"remedy: to rotate anyway: ar-token-rotator rotate {secret} --force" in again.err
    assert "republish" not in again.err  # the remedy names the command that was run
    assert cloud.versions(secret) == {1: "ENABLED", 2: "ENABLED"}


def test_rotate_that_fails_names_the_cause_and_the_remedy(cloud, cli):
    secret = cloud.rotated_secret(grant=False)
    failed = cli("rotate", secret)
    assert failed.code == 1
    assert failed.out == ""
    assert f"error: Artifact Registry service agent(s) {AR_AGENT} cannot read secret" in failed.err
    assert "remedy: run: gcloud secrets add-iam-policy-binding pypi-token" in failed.err
    assert "on the emulator, where gcloud does not reach: add the grant" in failed.err
    assert cloud.points_at(REPO) == f"{secret}/versions/1"


def test_rotate_waits_for_a_lease_an_operator_command_holds(cloud, run, emulator):
    secret = cloud.rotated_secret()
    held = RotationState(
        phase=Phase.DONE,
        holder="rollback-elsewhere",
        lease_until=emulator.clock.now() + timedelta(minutes=5),
    )
    found = cloud.sm.get_secret(name=secret)
    found.annotations["token-rotator.state"] = held.dump()
    cloud.sm.update_secret(secret=found, update_mask={"paths": ["annotations"]})

    busy = run("rotate", secret)
    assert busy.code == 1
    assert "being worked on by another delivery or operator command (rollback-elsewhere" in busy.err
    assert "remedy: wait until it is done or its lease expires" in busy.err
    assert cloud.versions(secret) == {1: "ENABLED"}


def test_rollback_after_a_rotation_and_the_next_rotation_retires_the_bad_version(cloud, cli, run):
    secret = cloud.rotated_secret()
    assert run("rotate", secret).code == 0

    rolled = cli("rollback", secret)
    assert rolled.code == 0, rolled.err
    assert rolled.out == (
        f"{secret}: rolled back to version 1 (current; previous 2); repositories: {REPO}\n"
    )
    assert cloud.points_at(REPO) == f"{secret}/versions/1"
    assert cloud.aliases(secret) == {"current": 1, "previous": 2}
    assert cloud.state(secret)["phase"] == "done"
    assert "holder" not in cloud.state(secret)

    assert run("rotate", secret, "--force").code == 0
    assert cloud.points_at(REPO) == f"{secret}/versions/3"
    assert cloud.aliases(secret) == {"current": 3, "previous": 1}
    assert cloud.versions(secret) == {1: "ENABLED", 2: "DISABLED", 3: "ENABLED"}


def test_rollback_to_a_derived_token_that_lasts_until_the_next_rotation(cloud, run):
    secret = cloud.rotated_secret()
    assert run("rotate", secret).code == 0
    assert run("rotate", secret, "--force").code == 0

    rolled = run("rollback", secret)
    assert rolled.code == 0, rolled.err
    assert cloud.points_at(REPO) == f"{secret}/versions/2"
    assert cloud.aliases(secret) == {"current": 2, "previous": 3}


def test_rollback_refuses_a_token_that_expires_before_the_next_rotation(cloud, run):
    secret = cloud.rotated_secret(token_lifetime="30m")  # the next rotation is in 1h
    assert run("rotate", secret).code == 0
    assert run("rotate", secret, "--force").code == 0
    state = cloud.annotations(secret)["token-rotator.state"]

    refused = run("rollback", secret)
    assert refused.code == 1
    assert "the token of version 2 (`previous`) does not pass the check" in refused.err
    assert "which does not cover now and the next" in refused.err
    assert f"remedy: rotate instead: ar-token-rotator rotate {secret} --force" in refused.err
    assert cloud.points_at(REPO) == f"{secret}/versions/3"
    assert cloud.aliases(secret) == {"current": 3, "previous": 2}
    assert cloud.annotations(secret)["token-rotator.state"] == state


def test_rollback_needs_an_enabled_previous_version_and_no_unfinished_rotation(cloud, run):
    fresh = cloud.rotated_secret("fresh-token", repositories=repository_name("fresh"))
    refused = run("rollback", fresh)
    assert refused.code == 1
    assert f"secret {fresh} has no `previous` version to roll back to" in refused.err

    secret = cloud.rotated_secret()
    assert run("rotate", secret).code == 0
    cloud.sm.disable_secret_version(name=f"{secret}/versions/1")
    disabled = run("rollback", secret)
    assert disabled.code == 1
    assert "version 1 (`previous`) of" in disabled.err
    assert "is DISABLED, so no repository may use it" in disabled.err
    assert "gcloud secrets versions enable 1 --secret=pypi-token" in disabled.err
    assert cloud.points_at(REPO) == f"{secret}/versions/2"

    stuck = cloud.rotated_secret("stuck-token", repositories=repository_name("s"))
    cloud.emulator.control.fail(
        "ArtifactRegistry.UpdateRepository", grpc.StatusCode.PERMISSION_DENIED
    )
    assert run("rotate", stuck).code == 1
    unfinished = run("rollback", stuck)
    assert unfinished.code == 1
    assert "is unfinished (phase pending); it stopped at step repoint" in unfinished.err
    assert f"remedy: finish it first (ar-token-rotator republish {stuck}" in unfinished.err


def keep_three_then_two(cloud: World, run) -> str:
    """Three enabled versions under keep-versions 3, then the policy lowered to 2."""
    secret = cloud.rotated_secret(keep_versions="3")
    assert run("rotate", secret).code == 0
    assert run("rotate", secret, "--force").code == 0
    assert cloud.versions(secret) == {1: "ENABLED", 2: "ENABLED", 3: "ENABLED"}
    found = cloud.sm.get_secret(name=secret)
    found.annotations["token-rotator.keep-versions"] = "2"
    cloud.sm.update_secret(secret=found, update_mask={"paths": ["annotations"]})
    return secret


def test_cleanup_retires_beyond_the_keep_policy_now(cloud, cli, run, emulator):
    secret = keep_three_then_two(cloud, run)
    cleaned = cli("cleanup", secret)
    assert cleaned.code == 0, cleaned.err
    assert cleaned.out == f"{secret}: retired versions 1; enabled and kept: 3, 2\n"
    assert "[retire] retired version 1" in cleaned.err
    assert cloud.versions(secret) == {1: "DISABLED", 2: "ENABLED", 3: "ENABLED"}
    assert cloud.aliases(secret) == {"current": 3, "previous": 2}
    assert "holder" not in cloud.state(secret)

    updates = emulator.control.counts["SecretManagerService.UpdateSecret"]
    again = run("cleanup", secret)
    assert again.code == 0
    assert again.out == f"{secret}: retired versions none; enabled and kept: 3, 2\n"
    assert emulator.control.counts["SecretManagerService.UpdateSecret"] == updates


@pytest.mark.parametrize("aliases_of_retired", [ALIASES_ANY_STATE, ALIASES_ENABLED_ONLY])
def test_cleanup_retires_the_version_previous_names_under_either_alias_answer(
    cloud, run, emulator, aliases_of_retired
):
    secret = keep_three_then_two(cloud, run)
    found = cloud.sm.get_secret(name=secret)
    found.annotations["token-rotator.keep-versions"] = "1"
    cloud.sm.update_secret(secret=found, update_mask={"paths": ["annotations"]})
    emulator.secret_manager.aliases_of_retired = aliases_of_retired

    cleaned = run("cleanup", secret)

    assert cleaned.code == 0, cleaned.err
    assert cleaned.out == f"{secret}: retired versions 1, 2; enabled and kept: 3\n"
    assert cloud.versions(secret) == {1: "DISABLED", 2: "DISABLED", 3: "ENABLED"}
    assert cloud.aliases(secret) == {"current": 3}


def test_cleanup_keeps_a_version_a_repository_still_points_at(cloud, run):
    secret = keep_three_then_two(cloud, run)
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
        update_mask={
            "paths": [
                "remote_repository_config.upstream_credentials.username_password_credentials.password_secret_version"
            ]
        },
    )
    cleaned = run("cleanup", secret)
    assert cleaned.code == 0, cleaned.err
    assert cleaned.out == f"{secret}: retired versions none; enabled and kept: 3, 2\n"
    assert cloud.versions(secret) == {1: "ENABLED", 2: "ENABLED", 3: "ENABLED"}
    assert f"{REPO}  listed    version 1 (NOT current)" in run("status", secret).out
