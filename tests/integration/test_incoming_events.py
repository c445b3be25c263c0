"""End to end, what reaches the function besides rotation requests: the notifications of its
own writes and of other events are acknowledged and ignored; malformed, forged and stale events
are acknowledged and change nothing."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx

from tests.support import TOPIC, World


def messages_of(world: World, event_type: str) -> list:
    return [
        m
        for m in world.emulator.pubsub.messages("projects/demo-project/topics/secret-events")
        if m.attributes.get("eventType") == event_type
    ]


def test_only_secret_rotate_reaches_the_function(world, function_server):
    """The push subscription's filter acknowledges the notifications of the function's own writes
    (and TOPIC_CONFIGURED) without pushing them: one invocation for one rotation."""
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
    assert [d.message_id for d in deliveries] == world.rotate_messages()
    assert {d.subscription for d in deliveries} == {world.delivery.subscription}
    others = len(world.emulator.pubsub.messages(TOPIC)) - len(world.rotate_messages())
    assert world.emulator.pubsub.subscriptions.unmatched == {world.delivery.subscription: others}
    entries = function_server.entries(mark)
    assert not [e for e in entries if e.get("event") == "event_ignored"]
    [completed] = [e for e in entries if e.get("event") == "rotation_completed"]
    assert completed["rotation"] == world.rotate_messages()[0]
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}


def test_with_eventarc_style_delivery_own_notifications_are_acknowledged_and_ignored(
    emulator, function_server
):
    """Delivered without a filter (an Eventarc trigger, or a subscription without the filter),
    every notification reaches the function, which ignores all but SECRET_ROTATE."""
    world = World(emulator)
    emulator.pubsub.set_push_endpoint(TOPIC, function_server.url)
    mark = function_server.mark()
    secret = world.rotated_secret()
    world.fire_schedule()
    world.settle()

    deliveries = world.emulator.pubsub.deliveries()
    assert deliveries and all(d.ok for d in deliveries), [d for d in deliveries if not d.ok]
    assert len(deliveries) == len(emulator.pubsub.messages(TOPIC))
    ignored = {
        e["event_type"] for e in function_server.entries(mark) if e.get("event") == "event_ignored"
    }
    assert {"SECRET_VERSION_ADD", "SECRET_UPDATE", "TOPIC_CONFIGURED"} <= ignored
    assert (
        len(messages_of(world, "SECRET_VERSION_ADD")) == 2
    )  # version 1 by the test, 2 by the function
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}


def test_a_raw_push_is_decoded_by_the_functions_framework(world, function_server):
    """The body a push subscription POSTs, sent by hand: the Functions Framework makes it a
    CloudEvent whose id and time are the message's; the rotation keys on the message id."""
    secret = world.rotated_secret()
    world.settle()
    mark = function_server.mark()
    published = world.emulator.clock.now()
    body = {
        "message": {
            "attributes": {"eventType": "SECRET_ROTATE", "secretId": secret},
            "data": base64.b64encode(json.dumps({"name": secret}).encode()).decode(),
            "messageId": "raw-push-1",
            "message_id": "raw-push-1",
            "publishTime": published.isoformat().replace("+00:00", "Z"),
            "publish_time": published.isoformat().replace("+00:00", "Z"),
        },
        "subscription": world.delivery.subscription,
    }

    answer = httpx.post(function_server.url, json=body, timeout=60)

    assert answer.status_code == 200, answer.text
    entries = function_server.entries(mark)
    [completed] = [e for e in entries if e.get("event") == "rotation_completed"]
    assert completed["rotation"] == "raw-push-1"
    assert completed["secret"] == secret
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
