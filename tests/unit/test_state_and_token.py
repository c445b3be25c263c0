"""The state annotation round-trips and the token type never prints its value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rotation.core.annotation_values import STATE_KEY
from rotation.core.errors import ConfigError
from rotation.core.state import Phase, RotationState
from rotation.core.token import Token

NOW = datetime.now(UTC)


def test_state_round_trips():
    state = RotationState(
        phase=Phase.PENDING,
        rotation="m-1",
        forced=True,
        started_at=NOW,
        holder="a",
        lease_until=NOW + timedelta(minutes=10),
        tokens={"3": {"id": "77", "fingerprint": "abc"}},
    )
    assert RotationState.load({STATE_KEY: state.dump()}) == state


def test_missing_state_is_idle():
    assert RotationState.load({}).phase is Phase.IDLE


def test_corrupt_state_is_a_configuration_error_with_a_remedy():
    with pytest.raises(ConfigError) as raised:
        RotationState.load({STATE_KEY: "{not json"})
    assert "remove the annotation token-rotator.state" in raised.value.remedy


def test_lease():
    state = RotationState(phase=Phase.CREATING, holder="a", lease_until=NOW + timedelta(seconds=1))
    assert state.lease_held_by_other("b", NOW)
    assert not state.lease_held_by_other("a", NOW)
    assert not state.lease_held_by_other("b", NOW + timedelta(seconds=2))


def test_token_never_prints_its_value():
    token = Token("pypi-very-secret-value")
    for text in (repr(token), str(token), f"{token}", f"{[token]}"):
        assert "very-secret" not in text
        assert token.fingerprint in text
    assert token.reveal() == "pypi-very-secret-value"
    with pytest.raises(ValueError, match="empty"):
        Token("  ")
