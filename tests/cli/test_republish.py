"""`republish`: the message is Secret Manager's, it reaches the real function through the
emulator's Eventarc-style push, and `--wait` follows the rotation to its end or its stop."""

from __future__ import annotations

import json
import shlex
import socket
from datetime import timedelta

from rotation.cli import commands as cli_module
from rotation.cli import republish
from rotation.core import notifications
from rotation.function import wiring
from rotation.function.clock import EMULATOR_HTTP
from rotation.gcp.pubsub import Publisher
from rotation.gcp.secret_manager import SecretStore
from tests.support import AR_AGENT, TOPIC, World, repository_name

REPO = repository_name("pypi")
SECRET_MANAGER_ATTRIBUTES = {"eventType", "dataFormat", "secretId", "timestamp"}


def published(world: World, message_id: str):
    return next(m for m in world.emulator.pubsub.messages(TOPIC) if m.message_id == message_id)


def test_republish_reaches_the_function_and_wait_follows_it(world, cli, function_server):
    secret = world.rotated_secret()
    mark = function_server.mark()
    first = cli("republish", secret, "--wait", "--poll-seconds", "0.2")
    assert first.code == 0, first.err
    message_id = first.out.split(":")[0]
    assert first.out == f"{message_id}: rotation {message_id} completed\n"
    assert "the function will start a new rotation" in first.err
    assert f"waiting for the function to take message {message_id}" in first.err
    assert world.aliases(secret) == {"current": 2, "previous": 1}
    assert world.points_at(REPO) == f"{secret}/versions/2"
    message = published(world, message_id)
    assert set(message.attributes) == SECRET_MANAGER_ATTRIBUTES
    assert message.attributes["secretId"] == secret
    assert json.loads(message.data)["name"] == secret
    completed = [e for e in function_server.entries(mark) if e.get("event") == "rotation_completed"]
    assert [e["rotation"] for e in completed] == [message_id]

    world.settle()
    skipped = cli("republish", secret, "--wait")
    assert skipped.code == 0, skipped.err
    assert "the function will skip it: the last rotation completed at" in skipped.err
    assert f"to rotate anyway: ar-token-rotator republish {secret} --force" in skipped.err
    world.settle()
    assert world.aliases(secret) == {"current": 2, "previous": 1}

    forced = cli("republish", secret, "--force", "--json")
    assert forced.code == 0, forced.err
    result = json.loads(forced.out)
    assert result["forced"] is True
    assert result["completed"] is None
    assert published(world, result["message_id"]).attributes["force"] == "true"
    world.settle()
    assert world.aliases(secret) == {"current": 3, "previous": 2}


def test_wait_reports_a_failed_check_and_a_republish_starts_afresh(world, cli):
    secret = world.rotated_secret(grant=False)
    stopped = cli("republish", secret, "--wait", "--poll-seconds", "0.2")
    assert stopped.code == 1
    message_id = world.rotate_messages()[-1]
    assert f"error: the function abandoned rotation {message_id} at step checks" in stopped.err
    assert "remedy: fix the cause, then republish to start a new rotation" in stopped.err
    assert world.points_at(REPO) == f"{secret}/versions/1"
    assert world.versions(secret) == {1: "ENABLED"}  # checked before minting: nothing added

    world.grant(secret, AR_AGENT)
    again = cli("republish", secret, "--wait", "--poll-seconds", "0.2")
    assert again.code == 0, again.err
    assert "the function will start a new rotation" in again.err
    new_id = world.rotate_messages()[-1]
    assert again.out.endswith(f": rotation {new_id} completed\n")
    assert world.points_at(REPO) == f"{secret}/versions/2"


def test_wait_gives_up_after_its_timeout(world, run):
    secret = world.rotated_secret()
    world.emulator.pubsub.push_to_function(TOPIC, None)  # the function never hears of it
    waited = run("republish", secret, "--wait", "--timeout", "1s", "--poll-seconds", "0.2")
    assert waited.code == 1
    assert "error: the function did not complete rotation" in waited.err
    assert "within 1s" in waited.err
    assert "remedy: it may still be working, or never got the message" in waited.err


def test_wait_says_at_once_when_the_emulator_finds_no_function_listening(world, cli):
    secret = world.rotated_secret()
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{unused.getsockname()[1]}/"
    world.emulator.pubsub.push_to_function(TOPIC, closed)
    waited = cli(
        "republish",
        secret,
        "--wait",
        "--poll-seconds",
        "0.2",
        env={EMULATOR_HTTP: world.emulator.http_url},
    )
    assert waited.code == 1
    assert f"the emulator could not push message {world.rotate_messages()[-1]}" in waited.err
    assert f"{closed}: ConnectError" in waited.err
    assert "remedy: start the function where the emulator pushes (`make playground`" in waited.err
    assert "did not complete rotation" not in waited.err  # not the timeout, 15 minutes later


def test_wait_reports_a_message_no_function_took(world, run, monkeypatch):
    secret = world.rotated_secret()
    world.emulator.pubsub.push_to_function(TOPIC, None)  # as if no trigger listened
    monkeypatch.setattr(republish, "NO_DELIVERY", timedelta(seconds=1))
    waited = run("republish", secret, "--wait", "--poll-seconds", "0.2")
    assert waited.code == 1
    assert f"no function took message {world.rotate_messages()[-1]} within 1s" in waited.err
    assert f"a push subscription on {TOPIC} pushes SECRET_ROTATE to it" in waited.err
    assert f"gcloud pubsub topics list-subscriptions {TOPIC}" in waited.err
    assert f"ar-token-rotator rotate {secret}" in waited.err
    assert world.versions(secret) == {1: "ENABLED"}


def test_wait_ends_when_another_rotation_completed_after_the_message(cloud, run):
    """A scheduled rotation (here: `rotate`) that completes after the message was published makes
    the function skip the message; waiting for it would never end."""
    secret = cloud.rotated_secret()
    services, settings = wiring.services(), wiring.settings()
    published = republish.republish(secret, services, settings, Publisher())
    assert not published.skipped
    assert run("rotate", secret).code == 0  # no function listens: this completes first

    notes: list[str] = []
    state = republish.wait(services, published, timedelta(minutes=5), 0.1, notes.append)
    assert state.completed_rotation is not None
    assert state.completed_rotation.startswith("cli-")
    assert republish.overtaken(published, state)
    assert cloud.versions(secret) == {1: "ENABLED", 2: "ENABLED"}


def test_republish_needs_a_topic_the_secret_notifies(cloud, run):
    annotations = {
        "token-rotator.source": "pypi-derived",
        "token-rotator.root-secret": "root",
        "token-rotator.repositories": REPO,
    }
    silent = cloud.secret("silent-token", annotations, payload="z" * 20, rotation=False)
    refused = run("republish", silent)
    assert refused.code == 2
    assert f"secret {silent} has no Pub/Sub topic" in refused.err

    secret = cloud.rotated_secret()
    wrong = run("republish", secret, "--topic", "projects/demo-project/topics/elsewhere")
    assert wrong.code == 2
    assert f"remedy: use one of its topics: {TOPIC}" in wrong.err
    assert cloud.rotate_messages() == []


def test_without_the_pubsub_client_republish_prints_the_gcloud_command(cloud, run, monkeypatch):
    def missing(**_: object) -> None:
        raise ModuleNotFoundError("No module named 'google.pubsub_v1'")

    monkeypatch.setattr(cli_module, "Publisher", missing)
    secret = cloud.rotated_secret()
    refused = run("republish", secret, "--force")
    assert refused.code == 2
    assert "error: google-cloud-pubsub is not installed" in refused.err
    remedy = refused.err.split("remedy: ", 1)[1]
    command = shlex.split(remedy.split("publish the message with: ", 1)[1])
    assert command[:5] == ["gcloud", "pubsub", "topics", "publish", TOPIC]
    attributes = dict(
        pair.split("=", 1) for pair in command[5].removeprefix("--attribute=").split(",")
    )
    assert set(attributes) == SECRET_MANAGER_ATTRIBUTES | {"force"}
    assert attributes["secretId"] == secret
    assert json.loads(command[6].removeprefix("--message=")) == {"name": secret}
    assert cloud.rotate_messages() == []


def test_the_message_is_the_one_secret_manager_publishes(cloud, emulator):
    """The scheduler's own SECRET_ROTATE and the command line's, for the same secret, agree."""
    secret = cloud.rotated_secret()
    cloud.fire_schedule()
    [scheduled] = [
        m for m in emulator.pubsub.messages(TOPIC) if m.attributes["eventType"] == "SECRET_ROTATE"
    ]
    ours = notifications.secret_rotate(
        SecretStore().notification_body(secret), emulator.clock.now() + timedelta(seconds=1)
    )
    assert set(ours.attributes) == set(scheduled.attributes)
    assert {k: v for k, v in ours.attributes.items() if k != "timestamp"} == {
        k: v for k, v in scheduled.attributes.items() if k != "timestamp"
    }
    assert json.loads(ours.data) == json.loads(scheduled.data)
    assert len(ours.attributes["timestamp"]) == len(scheduled.attributes["timestamp"])
