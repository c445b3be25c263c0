"""End to end: the emulator's scheduler or an operator publishes, the emulator pushes the event to
the real function under the Functions Framework over HTTP, and the function rotates."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx
import pypitoken

from tests.support import (
    AR_AGENT,
    LOCATION,
    OTHER_AR_AGENT,
    OTHER_NUMBER,
    OTHER_PROJECT,
    PROJECT,
    PROJECT_NUMBER,
    World,
    repository_name,
    root_token,
)

REPO = repository_name("pypi")


def messages_of(world: World, event_type: str) -> list:
    return [
        m
        for m in world.emulator.pubsub.messages("projects/demo-project/topics/secret-events")
        if m.attributes.get("eventType") == event_type
    ]


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


def test_other_events_and_own_notifications_are_acknowledged_and_ignored(world, function_server):
    mark = function_server.mark()
    secret = world.rotated_secret()
    world.fire_schedule()
    world.settle()

    deliveries = world.emulator.pubsub.deliveries()
    assert deliveries and all(d.ok for d in deliveries), [d for d in deliveries if not d.ok]
    seen = {
        m.attributes["eventType"]
        for m in world.emulator.pubsub.messages("projects/demo-project/topics/secret-events")
    }
    assert {"TOPIC_CONFIGURED", "SECRET_VERSION_ADD", "SECRET_UPDATE", "SECRET_ROTATE"} <= seen
    ignored = {
        e["event_type"] for e in function_server.entries(mark) if e.get("event") == "event_ignored"
    }
    assert {"SECRET_VERSION_ADD", "SECRET_UPDATE", "TOPIC_CONFIGURED"} <= ignored
    assert (
        len(messages_of(world, "SECRET_VERSION_ADD")) == 2
    )  # version 1 by the test, 2 by the function
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}


def post_event(function_server, world, secret, *, data=None, time=None, attributes=None):
    """POST a hand-made Pub/Sub CloudEvent to the function, as a forger or a broken publisher might."""
    attributes = attributes or {"eventType": "SECRET_ROTATE", "secretId": secret}
    data = (
        base64.b64encode(json.dumps({"name": secret}).encode()).decode() if data is None else data
    )
    message = {
        "attributes": attributes,
        "data": data,
        "messageId": "hand-made-1",
        "publishTime": world.emulator.clock.now().isoformat(),
    }
    headers = {
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
        "ce-source": "//pubsub.googleapis.com/projects/demo-project/topics/secret-events",
        "ce-id": "hand-made-1",
        "ce-time": time or world.emulator.clock.now().isoformat(),
        "content-type": "application/json",
    }
    return httpx.post(function_server.url, headers=headers, json={"message": message}, timeout=30)


def test_malformed_and_stale_events_are_acknowledged_without_change(world, function_server):
    secret = world.rotated_secret()
    before = (
        world.emulator.secret_manager.payloads(),
        world.annotations(secret),
        world.aliases(secret),
    )
    calls_before = sum(world.emulator.control.counts.values())
    mark = function_server.mark()

    bad = [
        post_event(function_server, world, secret, data="%%% not base64"),
        post_event(function_server, world, secret, data=base64.b64encode(b"{").decode()),
        post_event(function_server, world, secret, attributes={"eventType": "SECRET_ROTATE"}),
        post_event(
            function_server,
            world,
            secret,
            attributes={"eventType": "SECRET_ROTATE", "secretId": "projects/1/secrets/a/../../b"},
        ),
        post_event(
            function_server,
            world,
            secret,
            data=base64.b64encode(
                json.dumps({"name": "projects/1/secrets/other"}).encode()
            ).decode(),
        ),
    ]
    stale = post_event(
        function_server,
        world,
        secret,
        time=(world.emulator.clock.now() - timedelta(days=2)).isoformat(),
    )

    assert [r.status_code for r in bad] == [200] * 5
    assert stale.status_code == 200
    errors = [e for e in function_server.entries(mark) if e["severity"] == "ERROR"]
    assert len(errors) == 5
    assert all(e["event"] == "malformed_event" for e in errors)
    assert any("not base64-encoded JSON" in e["message"] for e in errors)
    assert any("secretId" in e["message"] for e in errors)
    assert any("names secret" in e["message"] for e in errors)
    assert any(
        e.get("event") == "stale_event" and e["severity"] == "WARNING"
        for e in function_server.entries(mark)
    )
    assert (
        sum(world.emulator.control.counts.values()) == calls_before
    )  # the function called nothing
    assert (
        world.emulator.secret_manager.payloads(),
        world.annotations(secret),
        world.aliases(secret),
    ) == before


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


def test_a_staged_source_needs_only_what_the_module_grants(world, function_server):
    """The module grants roles/secretmanager.secretAccessor on the staging secret: the source reads
    `versions/latest` and lists nothing there."""
    staging = world.secret("pypi-staging", payload=root_token(), rotation=False)
    secret = world.rotated_secret(source="pypi-staged", staging_secret=staging)
    world.fire_schedule()
    world.settle()

    assert world.points_at(REPO) == f"{secret}/versions/2"
    assert world.token(f"{secret}/versions/2") == world.token(f"{staging}/versions/1")


def test_a_disabled_newest_staged_token_fails_with_a_remedy(world, function_server):
    staging = world.secret("pypi-staging", payload=root_token(), rotation=False)
    world.sm.add_secret_version(parent=staging, payload={"data": root_token().encode()})
    world.sm.disable_secret_version(name=f"{staging}/versions/2")
    secret = world.rotated_secret(source="pypi-staged", staging_secret=staging)
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    failed = [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]
    assert f"the newest version of staging secret {staging} cannot be read" in failed[0]["message"]
    assert "DISABLED" in failed[0]["message"]
    assert failed[0]["remedy"].startswith("create a token in PyPI's web UI")
    assert world.versions(secret) == {1: "ENABLED"}
    assert world.points_at(REPO) == f"{secret}/versions/1"


def test_staged_token_equal_to_the_current_one_is_refused(world, function_server):
    staging = world.secret("pypi-staging", payload=root_token(), rotation=False)
    secret = world.rotated_secret(source="pypi-staged", staging_secret=staging)
    world.fire_schedule()
    world.settle()
    assert world.aliases(secret) == {"current": 2, "previous": 1}

    mark = function_server.mark()
    world.publish_rotate(secret, force=True)
    world.settle()
    failed = [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]
    assert "holds the token already in use" in failed[0]["message"]
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert len(world.versions(secret)) == 2


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
