"""The rotation's bookkeeping of its steps: where it is (for its logs) and what the state says
when a delivery stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rotation.core.errors import (
    PermanentError,
    RepointRefusedForNow,
    TransientError,
    UpstreamValidationFailed,
)
from rotation.core.history import Ended, HistoryEntry, Trigger
from rotation.core.rotation import stopped
from rotation.core.state import Phase, RotationState
from rotation.core.step import step

NOW = datetime.now(UTC)
CLAIMED = RotationState(
    phase=Phase.CREATING, rotation="m1", trigger=Trigger.FORCED, started_at=NOW - timedelta(1)
)


class Work:
    def __init__(self) -> None:
        self.at = "load"
        self.seen: list[str] = []

    @step("outer")
    def outer(self, fail_inner: bool) -> None:
        self.seen.append(self.at)
        self.inner(fail_inner)
        self.seen.append(self.at)

    @step("inner")
    def inner(self, fail: bool) -> None:
        self.seen.append(self.at)
        if fail:
            raise PermanentError("inner failed")


def test_a_step_is_named_while_it_runs_and_its_caller_again_after() -> None:
    work = Work()
    work.outer(fail_inner=False)
    assert work.seen == ["outer", "inner", "outer"]
    assert work.at == "load"


def test_a_step_that_raises_stays_named_where_the_work_stopped() -> None:
    work = Work()
    with pytest.raises(PermanentError):
        work.outer(fail_inner=True)
    assert work.at == "inner"


def test_a_fresh_rotation_stopped_by_its_checks_fails_since_it_minted_nothing() -> None:
    record = stopped(PermanentError("no access"), "checks", False, CLAIMED, NOW)
    assert record["phase"] is Phase.FAILED
    assert (record["failed_step"], record["retryable"], record["stayed"]) == ("checks", False, {})
    history = record["history"]
    assert isinstance(history, tuple)
    [entry] = history
    assert isinstance(entry, HistoryEntry)
    assert (entry.rotation, entry.trigger, entry.outcome) == ("m1", Trigger.FORCED, Ended.FAILED)
    assert (entry.reason, entry.version, entry.repoints) == ("no access", None, 0)
    assert CLAIMED.started_at is not None
    assert entry.started_at == CLAIMED.started_at.replace(microsecond=0)


@pytest.mark.parametrize(
    ("error", "step_name", "resumed"),
    [
        (PermanentError("no access"), "checks", True),  # an earlier attempt may have minted
        (TransientError("deadline"), "checks", False),
        (PermanentError("refused"), "repoint", False),
    ],
)
def test_otherwise_a_stopped_rotation_stays_unfinished(
    error: PermanentError | TransientError, step_name: str, resumed: bool
) -> None:
    record = stopped(error, step_name, resumed, CLAIMED, NOW)
    assert "phase" not in record
    assert "history" not in record
    assert record["failed_step"] == step_name
    assert record["retryable"] is isinstance(error, TransientError)


def test_the_repositories_a_repoint_could_not_move_are_kept_whether_or_not_in_grace() -> None:
    refused = UpstreamValidationFailed(
        "refused",
        repository="projects/p/locations/l/repositories/r",
        version="v",
        username="u",
        agent_cannot_read=False,
    )
    for error in (refused, RepointRefusedForNow("refused for now", refused.stayed)):
        assert stopped(error, "repoint", False, CLAIMED, NOW)["stayed"] == {
            "projects/p/locations/l/repositories/r": "refused"
        }


def test_an_error_text_is_bounded_in_the_state() -> None:
    assert (
        len(str(stopped(PermanentError("x" * 2000), "test", False, CLAIMED, NOW)["error"])) == 500
    )
