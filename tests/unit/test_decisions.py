"""The rotation's decisions over plain data: no emulator, no gRPC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rotation.core import decisions
from rotation.core.decisions import Outcome, Skip
from rotation.core.errors import PermanentError
from rotation.core.events import SECRET_ROTATE, SecretEvent
from rotation.core.model import RemoteRepository, VersionInfo
from rotation.core.state import CURRENT, PENDING, PREVIOUS, Phase, RotationState

NOW = datetime.now(UTC)
SECRET = "projects/1/secrets/s"
HOUR = timedelta(hours=1)


def event(message_id: str = "m2", published: datetime = NOW, forced: bool = False) -> SecretEvent:
    return SecretEvent(SECRET_ROTATE, message_id, published, SECRET, forced)


def completed(at: datetime, rotation: str = "m1") -> RotationState:
    return RotationState(
        phase=Phase.DONE,
        rotation=rotation,
        completed_at=at,
        completed_rotation=rotation,
        tokens={"1": {"rotation": rotation}},
    )


def using(*versions: int) -> list[RemoteRepository]:
    return [
        RemoteRepository(f"projects/p/locations/l/repositories/r{v}", "u", f"{SECRET}/versions/{v}")
        for v in versions
    ]


def test_an_unfinished_rotation_is_resumed_forced_or_not():
    unfinished = RotationState(phase=Phase.PENDING, rotation="m1", started_at=NOW - HOUR)
    assert decisions.claim(unfinished, event(forced=True), NOW, HOUR) is unfinished
    assert decisions.claim(unfinished, event(), NOW, HOUR) is unfinished


def test_a_new_rotation_carries_the_record_of_the_last():
    last = completed(NOW - 2 * HOUR)
    claimed = decisions.claim(last, event(forced=True), NOW, HOUR)
    assert isinstance(claimed, RotationState)
    assert (claimed.phase, claimed.rotation, claimed.forced) == (Phase.CREATING, "m2", True)
    assert (claimed.requested_at, claimed.started_at) == (NOW, NOW)
    assert claimed.completed_rotation == "m1" and claimed.tokens == last.tokens


def test_a_redelivery_of_a_finished_rotation_is_already_done():
    skip = decisions.claim(completed(NOW - HOUR, "m2"), event("m2"), NOW, HOUR)
    assert skip == Skip(Outcome.ALREADY_DONE, "rotation m2 already ran (done); nothing to do")


def test_a_request_published_before_the_last_completion_is_skipped_even_forced():
    skip = decisions.claim(completed(NOW), event(published=NOW - HOUR, forced=True), NOW, HOUR)
    assert isinstance(skip, Skip) and skip.outcome is Outcome.SKIPPED
    assert "after this request was published" in skip.reason


def test_min_interval_holds_unless_forced():
    last = completed(NOW - HOUR / 2)
    skip = decisions.claim(last, event(), NOW, HOUR)
    assert skip == Skip(
        Outcome.TOO_SOON,
        f"the last rotation completed at {(NOW - HOUR / 2).isoformat()}, within the minimum "
        "interval (1h)",
    )
    assert isinstance(decisions.claim(last, event(forced=True), NOW, HOUR), RotationState)
    assert isinstance(decisions.claim(last, event(), NOW, HOUR / 4), RotationState)


def test_the_version_an_interrupted_attempt_added_is_adopted():
    listed = [VersionInfo(5, True), VersionInfo(4, False), VersionInfo(3, True)]
    assert decisions.adoptable(listed, baseline=3) == 5
    assert decisions.adoptable(listed, baseline=5) is None
    assert decisions.adoptable([VersionInfo(4, False), VersionInfo(3, True)], baseline=3) is None


@st.composite
def secrets(
    draw: st.DrawFn,
) -> tuple[list[VersionInfo], int | None, dict[str, int], int, list[int]]:
    numbers = draw(st.lists(st.integers(1, 12), min_size=1, max_size=8, unique=True))
    numbers.sort(reverse=True)
    versions = [VersionInfo(n, draw(st.booleans())) for n in numbers]
    enabled: list[int | None] = [v.number for v in versions if v.enabled] or [None]
    newest = draw(st.sampled_from(enabled))
    aliases = {
        alias: number
        for alias in (CURRENT, PREVIOUS)
        if (number := draw(st.sampled_from([*enabled, None]))) is not None
    }
    keep = draw(st.integers(1, 5))
    in_use = draw(st.lists(st.sampled_from(numbers), max_size=3))
    return versions, newest, aliases, keep, in_use


@given(secrets())
def test_retirement_keeps_the_policy_and_never_a_version_in_use(secret):
    versions, newest, aliases, keep, in_use = secret
    kept, retired = decisions.retirement(versions, newest, aliases, keep, using(*in_use))
    enabled = {v.number for v in versions if v.enabled}
    assert len(kept) <= keep
    assert not set(kept) & set(retired)
    assert set(retired) <= enabled - {newest}
    assert not set(retired) & set(in_use), "a version a repository points at is retired"
    if newest is not None:
        assert kept[0] == newest, "the new version is always kept"
    current = aliases.get(CURRENT)
    if keep >= 2 and current is not None and current != newest:
        assert current in kept, "keep-versions 2 or more keeps the old current for a rollback"
    assert enabled - {newest} - set(kept) - set(in_use) <= set(retired), "beyond the policy stays"


def test_keep_versions_1_retires_the_old_current_once_unused():
    versions = [VersionInfo(3, True), VersionInfo(2, True)]
    assert decisions.retirement(versions, 3, {CURRENT: 2}, 1, []) == ([3], [2])
    assert decisions.retirement(versions, 3, {CURRENT: 2}, 1, using(2)) == ([3], [])


@given(secrets())
def test_a_rotation_ends_with_current_on_the_new_version(secret):
    versions, newest, aliases, keep, in_use = secret
    if newest is None:
        return
    kept, _ = decisions.retirement(versions, newest, aliases, keep, using(*in_use))
    final = decisions.final_aliases({**aliases, PENDING: newest}, newest, kept)
    assert final[CURRENT] == newest and PENDING not in final
    if PREVIOUS in final:
        assert final[PREVIOUS] in kept and final[PREVIOUS] != newest
    old = aliases.get(CURRENT)
    if old is not None and old != newest and old in kept:
        assert final[PREVIOUS] == old, "the old current becomes previous"


def test_a_resumed_finish_keeps_previous_where_retire_put_current():
    # retire moved `current` to the new version already; the old one is still kept
    assert decisions.final_aliases({CURRENT: 4, PENDING: 4}, 4, [4, 3]) == {CURRENT: 4, PREVIOUS: 3}


def test_a_rollback_returns_to_an_enabled_previous_only():
    listed = [VersionInfo(3, True), VersionInfo(2, True)]
    assert decisions.rollback_target(SECRET, {CURRENT: 3, PREVIOUS: 2}, listed) == 2
    with pytest.raises(PermanentError, match="has no `previous` version") as none:
        decisions.rollback_target(SECRET, {CURRENT: 3}, listed)
    assert "keep-versions of 2 or more" in none.value.remedy
    disabled = [VersionInfo(3, True), VersionInfo(2, False, "DISABLED")]
    with pytest.raises(PermanentError, match="is DISABLED, so no repository") as off:
        decisions.rollback_target(SECRET, {CURRENT: 3, PREVIOUS: 2}, disabled)
    assert "gcloud secrets versions enable 2 --secret=s --project=1" in off.value.remedy
    with pytest.raises(PermanentError, match="is gone"):
        decisions.rollback_target(SECRET, {CURRENT: 3, PREVIOUS: 2}, listed[:1])


def test_the_rollback_outlook_states_the_keep_versions_rule():
    assert decisions.rollback_outlook(2, 4) == "to version 4 (previous)"
    assert decisions.rollback_outlook(1, None).startswith("impossible: keep-versions 1")
    assert decisions.rollback_outlook(2, None).startswith("none yet")


def test_only_a_request_within_the_minimum_interval_is_told_to_force():
    too_soon = decisions.claim(completed(NOW - HOUR / 2), event(), NOW, HOUR)
    assert isinstance(too_soon, Skip)
    assert decisions.rotate_anyway(too_soon, "rotate", "projects/p/secrets/s") == (
        "to rotate anyway: ar-token-rotator rotate projects/p/secrets/s --force"
    )
    done = decisions.claim(completed(NOW - HOUR, "m2"), event("m2"), NOW, HOUR)
    assert isinstance(done, Skip)
    assert decisions.rotate_anyway(done, "rotate", "projects/p/secrets/s") is None
