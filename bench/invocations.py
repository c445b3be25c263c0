"""Function invocations per rotation: pushes that reached the function, for a scheduled and a forced
rotation, delivered as the Terraform module does (the push subscription's SECRET_ROTATE filter)
and, for comparison, as every notification of the topic (an Eventarc trigger, before issue 16)."""

from __future__ import annotations

from dataclasses import dataclass

from bench.stack import Stack
from emulator.cloud_function import LocalFunction
from tests.support import TOPIC, World

ROTATIONS = 2  # one scheduled, one forced: what `make demo` does
TARGET = 1.0


@dataclass(frozen=True)
class Invocations:
    pushes: int  # POSTs to the function that it answered 2xx
    rotations: int  # rotation_completed lines in the function's log

    @property
    def per_rotation(self) -> float:
        return self.pushes / self.rotations if self.rotations else float("inf")


def count(world: World, function: LocalFunction) -> Invocations:
    """Two rotations of a fresh secret; the function's invocations while they ran."""
    secret = world.rotated_secret()
    world.settle()
    pushed_before = len(world.emulator.pubsub.deliveries())
    mark = function.mark()
    world.fire_schedule()
    world.settle()
    world.publish_rotate(secret, force=True)
    world.settle()
    pushes = world.emulator.pubsub.deliveries()[pushed_before:]
    completed = [e for e in function.entries(mark) if e.get("event") == "rotation_completed"]
    return Invocations(sum(d.ok for d in pushes), len(completed))


def measure(stack: Stack) -> dict[str, object]:
    function = stack.function()
    filtered = count(stack.world(function), function)
    stack.emulator.reset()
    unfiltered_world = World(stack.emulator)
    stack.emulator.pubsub.set_push_endpoint(TOPIC, function.url)
    unfiltered = count(unfiltered_world, function)
    print("Function invocations per rotation (one scheduled and one forced rotation)")
    print(
        f"  push subscription, filter SECRET_ROTATE: {filtered.pushes} invocations for "
        f"{filtered.rotations} rotations = {filtered.per_rotation:g} per rotation, target "
        f"{TARGET:g}: {'met' if filtered.per_rotation <= TARGET else 'NOT MET'}"
    )
    print(
        f"  every notification (Eventarc trigger, no filter): {unfiltered.pushes} invocations "
        f"for {unfiltered.rotations} rotations = {unfiltered.per_rotation:g} per rotation"
    )
    return {
        "invocations_per_rotation": round(filtered.per_rotation, 2),
        "invocations_per_rotation_unfiltered": round(unfiltered.per_rotation, 2),
    }
