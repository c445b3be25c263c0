"""The rotation history in the state annotation: bounded, compact, appended once per rotation,
and readable from states written before it existed. No emulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from rotation.core import decisions
from rotation.core.annotation_values import STATE_KEY
from rotation.core.errors import ConfigError
from rotation.core.events import SECRET_ROTATE, SecretEvent
from rotation.core.finish import duration_seconds, expires_in_days
from rotation.core.history import (
    ENTRY_BYTES,
    HISTORY_BYTES,
    MAX_ENTRIES,
    Ended,
    Trigger,
    encoded,
    new_entry,
    size,
)
from rotation.core.state import Phase, RotationState

NOW = datetime.now(UTC)
SECRET = "projects/p/secrets/s"
LONG_REPOSITORY = "projects/{}/locations/northamerica-northeast1/repositories/{}"


def long_names(count: int) -> tuple[str, ...]:
    return tuple(
        LONG_REPOSITORY.format(f"project-{n:02}-{'x' * 18}", f"repository-{n:03}-{'y' * 45}")
        for n in range(count)
    )


def claimed(rotation: str, trigger: Trigger | None = None, forced: bool = False) -> RotationState:
    return RotationState(
        phase=Phase.CREATING, rotation=rotation, trigger=trigger, forced=forced, started_at=NOW
    )


def test_a_state_written_before_the_history_loads_with_none():
    old = {
        "phase": "done",
        "rotation": "m1",
        "forced": True,
        "started_at": (NOW - timedelta(minutes=1)).isoformat(),
        "completed_at": NOW.isoformat(),
        "completed_rotation": "m1",
        "tokens": {"2": {"expires_at": NOW.isoformat()}},
    }
    state = RotationState.load({STATE_KEY: json.dumps(old)})
    assert state.history == ()
    assert state.trigger is None
    assert state.asked_by is Trigger.FORCED  # from `forced`, as the old state says
    assert RotationState.load({STATE_KEY: json.dumps({**old, "forced": False})}).asked_by is (
        Trigger.SCHEDULED
    )


def test_entries_round_trip_with_full_repository_names_and_whole_seconds():
    state = claimed("m1", Trigger.COMMAND).ended(
        Ended.COMPLETED, NOW + timedelta(seconds=3.5), version=4, repositories=long_names(2)
    )
    [entry] = state.history
    assert entry.rotation == "m1"
    assert entry.trigger is Trigger.COMMAND
    assert entry.version == 4
    assert entry.repoints == 2
    assert entry.finished_at == (NOW + timedelta(seconds=3.5)).replace(microsecond=0)
    dumped = state.dump()
    assert "projects/project-00" not in dumped  # kept as PROJECT/LOCATION/REPOSITORY
    assert RotationState.load({STATE_KEY: dumped}) == state
    assert RotationState.load({STATE_KEY: dumped}).history[0].repositories == long_names(2)


def test_the_same_rotation_is_never_appended_twice():
    first = claimed("m1").ended(Ended.FAILED, NOW, reason="checks failed")
    again = first.ended(Ended.COMPLETED, NOW + timedelta(minutes=1), version=2)
    assert again.history == first.history
    assert [e.outcome for e in again.history] == [Ended.FAILED]


def test_at_most_ten_entries_are_kept_the_oldest_dropped_first():
    state = RotationState()
    for n in range(MAX_ENTRIES + 3):
        state = state.evolve(rotation=f"m{n}", started_at=NOW).ended(
            Ended.COMPLETED, NOW + timedelta(seconds=n), version=n + 2
        )
    assert [e.rotation for e in state.history] == [f"m{n}" for n in range(3, MAX_ENTRIES + 3)]


def test_a_full_history_of_many_long_repository_names_stays_within_its_bound():
    state = RotationState()
    for n in range(MAX_ENTRIES):
        state = state.evolve(rotation=f"{n:020}", started_at=NOW, trigger=Trigger.FORCED).ended(
            Ended.ABANDONED, NOW, version=n, repositories=long_names(40), reason='"\u00e9' * 300
        )
    assert len(state.history) == MAX_ENTRIES
    for entry in state.history:
        assert size(entry) <= ENTRY_BYTES
        assert entry.repoints == 40  # the count stays when names are left out
        assert 0 < len(entry.repositories) < 40
    assert len(encoded(state.history).encode()) <= HISTORY_BYTES
    loaded = RotationState.load({STATE_KEY: state.dump()})
    assert loaded.history == state.history


def test_an_entry_cut_to_fit_keeps_a_reason_when_it_can():
    entry = new_entry("m1", Trigger.SCHEDULED, NOW, NOW, Ended.FAILED, reason="x" * 1000)
    assert entry.reason == "x" * 200


def test_a_new_claim_keeps_the_history_and_records_the_trigger():
    done = (
        claimed("m1")
        .ended(Ended.COMPLETED, NOW, version=2)
        .evolve(phase=Phase.DONE, completed_at=NOW - timedelta(days=2), completed_rotation="m1")
    )
    forced = SecretEvent(SECRET_ROTATE, "m2", NOW, SECRET, forced=True)
    claim = decisions.claim(done, forced, NOW, timedelta(hours=1))
    assert isinstance(claim, RotationState)
    assert claim.history == done.history
    assert claim.trigger is Trigger.FORCED
    by_command = decisions.claim(done, forced, NOW, timedelta(hours=1), Trigger.COMMAND)
    assert isinstance(by_command, RotationState)
    assert by_command.trigger is Trigger.COMMAND
    unforced = SecretEvent(SECRET_ROTATE, "m3", NOW, SECRET)
    scheduled = decisions.claim(done, unforced, NOW, timedelta(hours=1))
    assert isinstance(scheduled, RotationState)
    assert scheduled.trigger is Trigger.SCHEDULED


def test_an_unreadable_history_entry_is_a_configuration_error():
    text = claimed("m1").ended(Ended.COMPLETED, NOW).dump().replace('"out":"completed"', '"out":1')
    with pytest.raises(ConfigError, match="not a state this version can read"):
        RotationState.load({STATE_KEY: text})
    missing = json.dumps({"phase": "done", "history": [{"id": "m1"}]})
    with pytest.raises(ConfigError):
        RotationState.load({STATE_KEY: missing})


def test_rotation_completed_reports_duration_and_expiry_only_when_known():
    assert duration_seconds(NOW - timedelta(seconds=12.3456), NOW) == 12.346
    assert duration_seconds(None, NOW) is None
    assert expires_in_days(
        {"expires_at": (NOW + timedelta(days=59, hours=12)).isoformat()}, NOW
    ) == (59.5)
    assert expires_in_days({"token_id": "7"}, NOW) is None  # the source recorded no expiry
