"""The rotation history and the end-of-rotation log fields, on real runs: the emulator pushes the
event to the function under the Functions Framework, which rotates and records the rotation in
the secret's state annotation. The history's bounds: tests/unit/test_history.py."""

from __future__ import annotations

from datetime import timedelta

from rotation.core.annotation_values import STATE_KEY
from rotation.core.history import MAX_ENTRIES, Ended, Trigger
from rotation.core.state import Phase, RotationState
from tests.support import PROJECT, repository_name

REPO = repository_name("pypi")
ANNOTATIONS_LIMIT = 16 * 1024  # Secret.annotations: "must be less than 16KiB" (resources.proto)


def history(world, secret: str):
    return RotationState.load(world.annotations(secret)).history


def events(function_server, mark: int, secret: str, name: str) -> list[dict]:
    return [
        e
        for e in function_server.entries(mark)
        if e.get("event") == name and e.get("secret") == secret
    ]


def test_a_scheduled_then_a_forced_rotation_are_recorded_once_each(world, function_server):
    secret = world.rotated_secret()
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    [scheduled] = world.rotate_messages()
    [completed] = events(function_server, mark, secret, "rotation_completed")
    assert completed["source"] == "pypi-derived"
    assert completed["trigger"] == "scheduled"
    assert completed["repoints"] == 1
    assert 0 <= completed["duration_seconds"] < 60
    # pypi-derived tokens last the rotation period plus a grace: about 60 days here.
    assert 59 < completed["token_expires_in_days"] <= 60.1
    [entry] = history(world, secret)
    assert entry.rotation == scheduled
    assert entry.trigger is Trigger.SCHEDULED
    assert entry.outcome is Ended.COMPLETED
    assert entry.version == 2
    assert entry.repositories == (REPO,)
    assert entry.started_at is not None and entry.started_at <= entry.finished_at

    world.emulator.pubsub.redeliver(scheduled)  # at least once: the same message again
    world.settle()
    assert history(world, secret) == (entry,)

    forced_mark = function_server.mark()
    forced = world.publish_rotate(secret, force=True)
    world.settle()
    assert [e.rotation for e in history(world, secret)] == [scheduled, forced]
    assert history(world, secret)[-1].trigger is Trigger.FORCED
    assert history(world, secret)[-1].version == 3
    [again] = events(function_server, forced_mark, secret, "rotation_completed")
    assert again["trigger"] == "forced"


def test_a_rotation_its_checks_stop_is_recorded_failed_and_logged_with_its_source(
    world, function_server
):
    secret = world.rotated_secret(grant=False)
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    [failed] = events(function_server, mark, secret, "rotation_failed")
    assert failed["source"] == "pypi-derived"
    assert failed["trigger"] == "scheduled"
    [entry] = history(world, secret)
    assert entry.rotation == world.rotate_messages()[0]
    assert entry.outcome is Ended.FAILED
    assert entry.version is None
    assert entry.repoints == 0
    assert entry.reason is not None and "cannot read secret" in entry.reason
    assert entry.reason[:100] in failed["message"]


def test_a_full_history_of_long_repository_names_fits_the_annotations_and_rolls_on(
    world, function_server
):
    """Ten kept rotations that each moved forty long-named repositories, the newest tokens and a
    long error: Secret Manager (the emulator enforces its limit) takes the state, and the next
    rotation drops the oldest entry."""
    secret = world.rotated_secret()
    now = world.emulator.clock.now()
    state = RotationState(phase=Phase.DONE, tokens={"1": {"expires_at": now.isoformat()}})
    for n in range(MAX_ENTRIES):
        state = state.evolve(
            rotation=f"{n:017}", started_at=now - timedelta(days=90 - n), trigger=Trigger.FORCED
        ).ended(
            Ended.COMPLETED,
            now - timedelta(days=90 - n, seconds=-30),
            version=1,
            repositories=tuple(
                f"projects/{PROJECT}/locations/northamerica-northeast1/repositories/"
                f"team-{r:02}-{'python-packages-mirror-' * 2}{n}"
                for r in range(40)
            ),
        )
    state = state.evolve(
        completed_at=now - timedelta(days=80),
        completed_rotation=state.history[-1].rotation,
        error="x" * 500,
    )
    annotations = world.annotations(secret) | {STATE_KEY: state.dump()}
    size = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())
    assert size < ANNOTATIONS_LIMIT // 2, size  # room for the configuration and the tokens
    world.sm.update_secret(
        secret={"name": secret, "annotations": annotations},
        update_mask={"paths": ["annotations"]},
    )

    world.fire_schedule()
    world.settle()

    kept = history(world, secret)
    assert len(kept) == MAX_ENTRIES
    assert [e.rotation for e in kept[:-1]] == [e.rotation for e in state.history[1:]]
    assert kept[-1].rotation == world.rotate_messages()[0]
    assert kept[-1].outcome is Ended.COMPLETED
    assert kept[-1].repositories == (REPO,)
    assert all(e.repoints == 40 for e in kept[:-1])
