"""End to end, the secret a SECRET_ROTATE carries stands for the rotation's first read (no
GetSecret), but only as far as its etag: a late notification's old copy never decides anything;
the rotation reads the secret and decides on that."""

from __future__ import annotations

import json
from datetime import timedelta

from emulator import Call
from rotation.core import notifications
from rotation.core.state import RotationState
from rotation.gcp.clients import USER_AGENT
from rotation.gcp.pubsub import Publisher
from rotation.gcp.secret_manager import SecretStore
from tests.cloud_names import TOPIC
from tests.support import World

STATE = "token-rotator.state"


def watched(world: World) -> list[Call]:
    seen: list[Call] = []
    world.emulator.control.observers.append(seen.append)
    return seen


def secret_reads(seen: list[Call], secret: str) -> int:
    return sum(
        c.caller == USER_AGENT
        and c.method == "SecretManagerService.GetSecret"
        and c.request.name == secret
        for c in seen
    )


def publish_copy(world: World, body: dict[str, object]) -> str:
    """A forced SECRET_ROTATE published now that carries `body` as its copy of the secret."""
    when = world.emulator.clock.now() + timedelta(seconds=1)
    return Publisher().publish(TOPIC, notifications.secret_rotate(body, when, force=True))


def completed(world: World, secret: str) -> object:
    return world.state(secret).get("completed_rotation")


def test_a_scheduled_rotation_takes_the_secret_from_its_notification(world, function_server):
    secret = world.rotated_secret()
    seen = watched(world)
    world.fire_schedule()
    world.settle()

    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    assert world.state(secret)["phase"] == "done"
    assert secret_reads(seen, secret) == 0


def test_a_late_notification_with_an_old_copy_reads_the_secret_and_rotates(world, function_server):
    secret = world.rotated_secret()
    old = SecretStore(world.sm).notification_body(secret)
    world.fire_schedule()
    world.settle()
    first = completed(world, secret)
    assert first and world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}

    seen = watched(world)
    message = publish_copy(world, old)  # its copy: never rotated, an etag long gone
    world.settle()

    assert completed(world, secret) == message != first
    assert max(world.versions(secret)) == 3
    assert world.aliases(secret)["current"] == 3
    assert secret_reads(seen, secret) >= 1


def test_a_copy_that_shows_a_lease_since_released_does_not_hold_the_rotation_up(
    world, function_server
):
    secret = world.rotated_secret()
    now = world.emulator.clock.now()
    held = RotationState(holder="rollback-elsewhere", lease_until=now + timedelta(minutes=30))
    annotations = world.annotations(secret)
    world.sm.update_secret(
        secret={"name": secret, "annotations": {**annotations, STATE: held.dump()}},
        update_mask={"paths": ["annotations"]},
    )
    copy = SecretStore(world.sm).notification_body(secret)  # taken while the lease was held
    world.sm.update_secret(
        secret={"name": secret, "annotations": annotations}, update_mask={"paths": ["annotations"]}
    )
    assert json.loads(copy["annotations"][STATE])["holder"] == "rollback-elsewhere"

    message = publish_copy(world, copy)
    world.settle()

    assert completed(world, secret) == message
    assert world.versions(secret) == {1: "ENABLED", 2: "ENABLED"}
    failed = [d for d in world.emulator.pubsub.deliveries() if not d.ok]
    assert not failed, "the old copy's lease made the delivery fail and wait for a redelivery"
