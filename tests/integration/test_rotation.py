"""End to end: the emulator's scheduler or an operator publishes, the emulator pushes the event to
the real function under the Functions Framework over HTTP, and the function rotates.

Here: rotations, redeliveries, skips, access to the secret and repositories in other projects.
Events that are not rotation requests: test_incoming_events.py; the staged source:
test_staged_source.py.
"""

from __future__ import annotations

from datetime import timedelta

import pypitoken

from tests.support import (
    AR_AGENT,
    LOCATION,
    OTHER_AR_AGENT,
    OTHER_NUMBER,
    OTHER_PROJECT,
    PROJECT,
    PROJECT_NUMBER,
    repository_name,
)

REPO = repository_name("pypi")


def test_scheduled_rotation_repoints_the_repository(world, function_server):
    secret = world.rotated_secret()
    world.fire_schedule()
    world.settle()

    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    state = world.state(secret)
    assert state["phase"] == "done"
    assert state["completed_rotation"] == world.rotate_messages()[0]
    derived = pypitoken.Token.load(world.token(f"{secret}/versions/2"))
    dates = [r for r in derived.restrictions if isinstance(r, pypitoken.DateRestriction)]
    lifetime = dates[0].not_after - dates[0].not_before
    assert timedelta(days=59) < timedelta(seconds=lifetime) <= timedelta(days=60, minutes=5)
    completed = [
        e
        for e in function_server.entries()
        if e.get("event") == "rotation_completed" and e.get("secret") == secret
    ]
    assert completed[-1]["severity"] == "INFO"
    assert completed[-1]["repositories"] == [REPO]


def test_redelivery_of_the_same_message_adds_no_version(world, function_server):
    secret = world.rotated_secret()
    world.fire_schedule()
    world.settle()
    mark = function_server.mark()
    world.emulator.pubsub.redeliver(world.rotate_messages()[0])
    world.settle()

    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    skipped = [e for e in function_server.entries(mark) if e.get("secret") == secret]
    assert [(e["step"], e["outcome"]) for e in skipped if "outcome" in e] == [
        ("claim", "already_done")
    ]


def test_forced_republish_rotates_again_and_retires_beyond_keep(world):
    secret = world.rotated_secret()
    world.fire_schedule()
    world.settle()
    world.publish_rotate(secret, force=True)
    world.settle()

    assert world.aliases(secret) == {"current": 3, "previous": 2}
    assert world.points_at(REPO) == f"{secret}/versions/3"
    assert world.versions(secret) == {1: "DISABLED", 2: "ENABLED", 3: "ENABLED"}


def test_unforced_request_soon_after_a_rotation_is_skipped(world, function_server):
    secret = world.rotated_secret()
    world.fire_schedule()
    world.settle()
    mark = function_server.mark()
    world.publish_rotate(secret)
    world.settle()

    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    skipped = [e for e in function_server.entries(mark) if e.get("secret") == secret]
    assert [(e["step"], e["outcome"]) for e in skipped if "outcome" in e] == [("claim", "too_soon")]
    assert [e["remedy"] for e in skipped if "outcome" in e] == [
        f"to rotate anyway: ar-token-rotator republish {secret} --force"
    ]


def test_missing_service_agent_access_touches_no_repository(world, function_server):
    secret = world.rotated_secret(grant=False)
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    assert world.points_at(REPO) == f"{secret}/versions/1"
    assert world.emulator.control.counts["ArtifactRegistry.UpdateRepository"] == 0
    failed = [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]
    assert len(failed) == 1
    assert failed[0]["severity"] == "ERROR"
    assert (
        f"gcloud secrets add-iam-policy-binding pypi-token --project={PROJECT_NUMBER} "
        f"--member={AR_AGENT} --role=roles/secretmanager.secretAccessor"
    ) in failed[0]["remedy"]
    # Checked before minting: nothing added, the rotation abandoned (tests/integration/test_preflight.py).
    assert world.state(secret)["phase"] == "failed"
    assert world.versions(secret) == {1: "ENABLED"}

    # The operator runs the printed command and republishes: a new rotation completes.
    world.grant(secret, AR_AGENT)
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}


def test_project_level_access_counts(world):
    secret = world.rotated_secret(grant=False)
    world.emulator.resource_manager.grant(PROJECT, "roles/secretmanager.secretAccessor", AR_AGENT)
    world.fire_schedule()
    world.settle()
    assert world.points_at(REPO) == f"{secret}/versions/2"


def test_grant_access_adds_the_binding_and_keeps_the_others(world):
    secret = world.rotated_secret(grant=False, grant_access="true")
    world.grant(secret, "user:auditor@example.com", role="roles/secretmanager.viewer")
    world.fire_schedule()
    world.settle()

    bindings = {
        (b.role, m)
        for b in world.sm.get_iam_policy(request={"resource": secret}).bindings
        for m in b.members
    }
    assert ("roles/secretmanager.viewer", "user:auditor@example.com") in bindings
    assert ("roles/secretmanager.secretAccessor", AR_AGENT) in bindings
    assert world.points_at(REPO) == f"{secret}/versions/2"


def test_a_repository_in_another_project_is_beyond_the_module_grants(world, function_server):
    """Finding: the module binds its roles in its own project only (a project's custom role
    cannot be bound elsewhere; its precondition refuses other projects' repositories), so the
    function cannot reach a repository in another project, and says what to grant."""
    other = repository_name("pypi-mirror", OTHER_PROJECT)
    secret = world.rotated_secret(repositories=f"{REPO},{other}")
    world.grant(secret, OTHER_AR_AGENT)
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    failed = [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]
    assert failed, "the function reached another project without any grant there"
    # The checks before minting read each repository first, so that is what is refused.
    assert failed[0]["remedy"] == (
        "grant the function's service account artifactregistry.repositories.get on "
        f"{other}: the terraform module's custom role <role_id_prefix>Repository "
        "(tokenRotatorRepository by default) or the predefined role roles/artifactregistry.reader "
        f"holds it; if it holds that already, check that {other} exists"
    )
    assert world.versions(secret) == {1: "ENABLED"}, "a token was minted before the check"
    assert world.points_at(other) == f"{secret}/versions/1"
    assert world.versions(secret) == {1: "ENABLED"}


def test_two_repositories_in_two_projects_by_explicit_list(world):
    other = repository_name("pypi-mirror", OTHER_PROJECT)
    secret = world.rotated_secret(repositories=f"{REPO},{other}")
    world.grant(secret, OTHER_AR_AGENT)
    world.grant_outside_the_module(OTHER_PROJECT, repositories=(other,))
    world.fire_schedule()
    world.settle()

    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.points_at(other) == f"{secret}/versions/2"


def test_two_repositories_in_two_projects_by_discovery(world):
    locations = (
        f"projects/{PROJECT}/locations/{LOCATION},projects/{OTHER_PROJECT}/locations/{LOCATION}"
    )
    secret = world.rotated_secret(repositories="", discover=locations)
    world.grant(secret, OTHER_AR_AGENT)
    world.grant_outside_the_module(OTHER_PROJECT, discovery=True)
    by_id = repository_name("pypi-by-id")
    by_number = repository_name("pypi-by-number", OTHER_PROJECT)
    unrelated = repository_name("unrelated", OTHER_PROJECT)
    world.repository(by_id, f"projects/{PROJECT}/secrets/pypi-token/versions/1")
    world.repository(by_number, f"projects/{PROJECT_NUMBER}/secrets/pypi-token/versions/1")
    other_secret = world.secret("another-token", payload="x" * 20, rotation=False)
    world.repository(unrelated, f"{other_secret}/versions/1", disable_upstream_validation=True)
    world.fire_schedule()
    world.settle()

    assert world.points_at(by_id) == f"{secret}/versions/2"
    assert world.points_at(by_number) == f"{secret}/versions/2"
    assert world.points_at(unrelated) == f"{other_secret}/versions/1"
    assert OTHER_NUMBER in OTHER_AR_AGENT


def test_destroy_ttl_makes_retirement_a_scheduled_destruction(world):
    secret = world.rotated_secret()
    world.sm.update_secret(
        secret={"name": secret, "version_destroy_ttl": {"seconds": 86400}},
        update_mask={"paths": ["version_destroy_ttl"]},
    )
    world.fire_schedule()
    world.settle()
    world.publish_rotate(secret, force=True)
    world.settle()

    assert world.versions(secret) == {1: "DISABLED", 2: "ENABLED", 3: "ENABLED"}
    version = world.sm.get_secret_version(name=f"{secret}/versions/1")
    assert version.scheduled_destroy_time
    assert world.emulator.control.counts["SecretManagerService.DestroySecretVersion"] == 1
