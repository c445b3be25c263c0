"""The Secret Manager emulator through the real client over gRPC: the rotation schedule, how it
is validated and how it is announced as the clock passes it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from google.api_core import exceptions

from tests.emulator.secretmanager_support import (
    BY_ID,
    NAME,
    TOPIC,
    create,
    event_types,
    events,
    rotation,
    update,
)


def test_rotation_is_validated(emulator, sm):
    topics = [{"name": TOPIC}]

    with pytest.raises(exceptions.InvalidArgument, match="5 minutes"):
        create(sm, topics=topics, rotation=rotation(emulator, lead=timedelta(minutes=4)))
    with pytest.raises(exceptions.InvalidArgument, match="rotation_period"):
        create(sm, topics=topics, rotation={**rotation(emulator), "rotation_period": "1800s"})
    with pytest.raises(exceptions.InvalidArgument, match="rotation_period"):
        create(sm, topics=topics, rotation=rotation(emulator, period_hours=24 * 365 * 101))
    with pytest.raises(exceptions.InvalidArgument, match="next_rotation_time"):
        create(sm, topics=topics, rotation={"rotation_period": timedelta(hours=1)})
    with pytest.raises(exceptions.InvalidArgument, match="topic"):
        create(sm, rotation=rotation(emulator))

    created = create(sm, topics=topics, rotation=rotation(emulator))
    assert created.rotation.rotation_period == timedelta(hours=1)
    with pytest.raises(exceptions.InvalidArgument, match="topic"):
        update(sm, ["topics"], topics=[])
    with pytest.raises(exceptions.InvalidArgument, match="5 minutes"):
        update(sm, ["rotation"], rotation=rotation(emulator, lead=timedelta(minutes=1)))
    moved = update(sm, ["rotation.rotation_period"], rotation={"rotation_period": "7200s"})
    assert moved.rotation.rotation_period == timedelta(hours=2)
    assert moved.rotation.next_rotation_time == created.rotation.next_rotation_time
    cleared = update(sm, ["rotation", "topics"])
    assert "rotation" not in cleared
    assert list(cleared.topics) == []


def test_rotation_is_announced_when_the_clock_passes_it(emulator, sm):
    created = create(sm, topics=[{"name": TOPIC}], rotation=rotation(emulator))
    due = created.rotation.next_rotation_time

    emulator.clock.advance(9 * 60)
    assert "SECRET_ROTATE" not in event_types(emulator)
    emulator.clock.advance(2 * 60)

    [rotate] = [e for e in events(emulator) if e.event_type == "SECRET_ROTATE"]
    secret = sm.get_secret(name=BY_ID)
    assert secret.rotation.next_rotation_time == due + timedelta(hours=1)
    assert secret.etag != created.etag
    assert rotate.attributes["secretId"] == NAME
    assert rotate.body is not None
    assert rotate.body["rotation"]["rotationPeriod"] == "3600s"
    assert datetime.fromisoformat(rotate.body["rotation"]["nextRotationTime"]) == (
        due + timedelta(hours=1)
    )
    assert rotate.body["etag"] == secret.etag


def test_a_jump_over_several_periods_announces_once(emulator, sm):
    created = create(sm, topics=[{"name": TOPIC}], rotation=rotation(emulator))

    now = emulator.clock.advance(5 * 3600)

    assert event_types(emulator).count("SECRET_ROTATE") == 1
    following = sm.get_secret(name=BY_ID).rotation.next_rotation_time
    assert following == created.rotation.next_rotation_time + timedelta(hours=5)
    assert timedelta(0) < following - now <= timedelta(hours=1)


def test_run_scheduler_on_demand(emulator, sm):
    emulator.clock.advance(-3600)
    create(sm, topics=[{"name": TOPIC}], rotation=rotation(emulator))
    emulator.clock.reset()  # back to real time without telling the listeners
    assert "SECRET_ROTATE" not in event_types(emulator)

    emulator.secret_manager.run_scheduler()

    assert event_types(emulator).count("SECRET_ROTATE") == 1
