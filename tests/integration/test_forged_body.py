"""End to end, why a rotation reads the secret (GetSecret) instead of taking it from the
SECRET_ROTATE body: the body is the publisher's word. A forged one that carries the secret's
current etag (anyone who may read the secret has it) and settings of its own configures
nothing: the rotation runs on the annotations as stored and writes them back unchanged."""

from __future__ import annotations

from datetime import timedelta

from rotation.core import notifications
from rotation.gcp.pubsub import Publisher
from rotation.gcp.secret_manager import SecretStore
from tests.cloud_names import TOPIC

KEEP = "token-rotator.keep-versions"


def test_a_forged_body_with_the_current_etag_configures_nothing(world, function_server):
    secret = world.rotated_secret()
    stored = world.annotations(secret)
    body = SecretStore(world.sm).notification_body(secret)
    assert body["etag"]
    forged = {**body, "annotations": {**body["annotations"], KEEP: "1"}}
    when = world.emulator.clock.now() + timedelta(seconds=1)
    message = Publisher().publish(TOPIC, notifications.secret_rotate(forged, when, force=True))
    world.settle()

    assert world.state(secret)["completed_rotation"] == message
    assert world.annotations(secret).get(KEEP) == stored.get(KEEP) != "1"
    # keep-versions as stored (2 by default) keeps version 1; the forged 1 would have retired it.
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
