"""Which target repositories belong to another secret (rotation/core/conflicts.py): pure decisions."""

from __future__ import annotations

import pytest

from rotation.core.config import RotationConfig
from rotation.core.conflicts import Conflict, allowed_takeovers, conflicts
from rotation.core.errors import ConfigError
from rotation.core.model import RemoteRepository

SECRET = "projects/demo/secrets/token"
NUMBERS = {"demo": "111", "111": "111", "other": "222", "222": "222"}


def number(project: str) -> str:
    return NUMBERS[project]


def repository(points_at: str) -> RemoteRepository:
    return RemoteRepository("projects/demo/locations/l/repositories/r", "__token__", points_at)


@pytest.mark.parametrize(
    "points_at",
    [
        "",  # no credential yet
        f"{SECRET}/versions/3",
        "projects/111/secrets/token/versions/latest",  # the project by its number
    ],
)
def test_this_secret_or_none_is_no_conflict(points_at: str) -> None:
    assert conflicts([repository(points_at)], SECRET, [], number) == []


@pytest.mark.parametrize(
    "points_at",
    ["projects/demo/secrets/other-token/versions/1", "projects/222/secrets/token/versions/1"],
)
def test_another_secret_is_a_conflict_unless_allowed(points_at: str) -> None:
    target = repository(points_at)
    other = points_at.rsplit("/versions/", 1)[0]
    assert conflicts([target], SECRET, [], number) == [Conflict(target.name, other)]
    by_other_form = other.replace("/demo/", "/111/").replace("/222/", "/other/")
    assert conflicts([target], SECRET, [by_other_form], number) == []


def test_take_over_from_takes_ids_and_full_names() -> None:
    config = RotationConfig(
        source="x", source_settings={"take-over-from": "old-token, projects/other/secrets/s"}
    )
    assert allowed_takeovers(config, SECRET) == [
        "projects/demo/secrets/old-token",
        "projects/other/secrets/s",
    ]
    bad = RotationConfig(source="x", source_settings={"take-over-from": "projects/x"})
    with pytest.raises(ConfigError, match="take-over-from"):
        allowed_takeovers(bad, SECRET)
