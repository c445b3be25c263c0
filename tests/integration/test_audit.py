"""End to end, the daily audit: Cloud Scheduler's TOKEN_ROTATOR_AUDIT message pushed to the
function (the real Functions Framework over HTTP) audits every managed secret of the projects it
names and logs one event per finding, `audit_checked` per secret and `audit_completed` per run; a
malformed audit message is logged and acknowledged."""

from __future__ import annotations

import json

from google.cloud.pubsub_v1 import PublisherClient

from rotation.core.events import AUDIT
from tests.support import FUNCTION_MEMBER, PROJECT, World, repository_name

AUDIT_TOPIC = f"projects/{PROJECT}/topics/token-rotator-audit"
# What the rotator module grants the function for the audit: list the project's secrets, read the
# topics they notify.
AUDIT_ROLE = f"projects/{PROJECT}/roles/tokenRotatorAudit"
AUDIT_PERMISSIONS = ("secretmanager.secrets.list", "pubsub.topics.get")


def audit_topic(world: World, url: str) -> PublisherClient:
    world.emulator.authorizer.define_role(AUDIT_ROLE, AUDIT_PERMISSIONS)
    world.emulator.resource_manager.grant(PROJECT, AUDIT_ROLE, FUNCTION_MEMBER)
    world.publisher.create_topic(name=AUDIT_TOPIC)
    # As the module's audit.tf: a push subscription letting only TOKEN_ROTATOR_AUDIT through.
    world.emulator.pubsub.push_to_function(AUDIT_TOPIC, url, event_type=AUDIT)
    return world.publisher


def publish_audit(world: World, data: bytes, event_type: str = AUDIT) -> None:
    world.publisher.publish(AUDIT_TOPIC, data, eventType=event_type).result()
    world.settle()


def by_event(entries: list[dict]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for entry in entries:
        if "event" in entry:
            found.setdefault(entry["event"], []).append(entry)
    return found


def test_the_audit_logs_each_finding_each_secret_and_the_run(world, function_server):
    audit_topic(world, function_server.url)
    clean = world.rotated_secret()
    drifted = world.rotated_secret("drifted-token", repositories=repository_name("drifted"))
    world.sm.disable_secret_version(name=f"{drifted}/versions/1")
    unscheduled = world.rotated_secret("unscheduled", repositories=repository_name("unscheduled"))
    world.sm.update_secret(
        secret={"name": unscheduled, "topics": [], "rotation": {}},
        update_mask={"paths": ["topics", "rotation"]},
    )
    world.settle()
    mark = function_server.mark()

    publish_audit(world, json.dumps({"projects": [PROJECT]}).encode())

    events = by_event(function_server.entries(mark))
    # Pub/Sub delivers at least once: each run of the audit logs the same events again.
    runs = len(events["audit_completed"])
    assert runs >= 1
    assert len(events["drift_detected"]) == runs
    drift = events["drift_detected"][0]
    assert drift["severity"] == "WARNING"
    assert drift["secret"] == drifted
    assert drift["finding"] == "drift_detected"
    assert drift["detail"] == (
        f"repository {repository_name('drifted')} points at version 1, which is not ENABLED"
    )
    assert drift["remedy"]
    assert len(events["schedule_missing"]) == len(events["topic_missing"]) == runs
    schedule, topic = events["schedule_missing"][0], events["topic_missing"][0]
    assert schedule["secret"] == topic["secret"] == unscheduled
    assert {schedule["severity"], topic["severity"]} == {"WARNING"}
    assert len(events["audit_checked"]) == 3 * runs
    checked = {e["secret"]: e for e in events["audit_checked"]}
    assert {s: e["findings"] for s, e in checked.items()} == {clean: 0, drifted: 1, unscheduled: 2}
    assert checked[clean]["severity"] == "INFO"
    assert checked[clean]["source"] == "pypi-derived"
    assert "token_expires_in_days" not in checked[clean]  # terraform's token: expiry unknown
    for completed in events["audit_completed"]:
        assert completed["severity"] == "INFO"
        assert (completed["secrets"], completed["findings"], completed["projects"]) == (
            3,
            3,
            [PROJECT],
        )
    audit_pushes = [d for d in world.emulator.pubsub.deliveries() if d.topic == AUDIT_TOPIC]
    assert audit_pushes and audit_pushes[-1].ok, audit_pushes
    assert len(audit_pushes) == runs, (audit_pushes, events.get("audit_failed"))


def test_a_malformed_audit_message_is_logged_and_acknowledged(world, function_server):
    audit_topic(world, function_server.url)
    world.rotated_secret()
    mark = function_server.mark()

    publish_audit(world, b"not json")
    publish_audit(world, json.dumps({"projects": ["Not A Project!"]}).encode())
    # The subscription's filter keeps anything but an audit message from the function.
    publish_audit(world, json.dumps({"projects": [PROJECT]}).encode(), event_type="SECRET_ROTATE")

    events = by_event(function_server.entries(mark))
    malformed = events["malformed_event"]
    assert [e["severity"] for e in malformed] == ["ERROR", "ERROR"]
    assert "audit message data is not base64-encoded JSON" in malformed[0]["message"]
    assert "which is not a project id or number" in malformed[1]["message"]
    assert "audit_completed" not in events
    audit_pushes = [d for d in world.emulator.pubsub.deliveries() if d.topic == AUDIT_TOPIC]
    assert len(audit_pushes) == 2
    assert all(
        d.ok and d.subscription == f"{AUDIT_TOPIC}-push".replace("/topics/", "/subscriptions/")
        for d in audit_pushes
    )


def test_an_audit_naming_no_project_audits_allowed_projects(emulator, start_function):
    function = start_function(ALLOWED_PROJECTS=PROJECT)
    world = World(emulator, function.url)
    audit_topic(world, function.url)
    secret = world.rotated_secret()
    world.settle()
    mark = function.mark()

    publish_audit(world, json.dumps({"projects": []}).encode())

    events = by_event(function.entries(mark))
    assert [e["secret"] for e in events["audit_checked"]] == [secret]
    [completed] = events["audit_completed"]
    assert (completed["projects"], completed["findings"]) == ([PROJECT], 0)


def test_a_project_outside_allowed_projects_is_not_audited(emulator, start_function):
    function = start_function(ALLOWED_PROJECTS=PROJECT)
    world = World(emulator, function.url)
    audit_topic(world, function.url)
    mark = function.mark()

    publish_audit(world, json.dumps({"projects": ["someone-elses"]}).encode())

    events = by_event(function.entries(mark))
    [refused] = events["project_not_allowed"]
    assert refused["project"] == "someone-elses"
    assert "audit_checked" not in events
    [skipped] = events["audit_skipped"]
    assert skipped["severity"] == "WARNING"
