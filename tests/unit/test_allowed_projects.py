"""Settings.allows: ALLOWED_PROJECTS for a rotation event's project and an audit's."""

from __future__ import annotations

from rotation.core.settings import Settings

NUMBERS = {"mine": "111", "other-mine": "222"}


def looked_up(asked: list[str]):
    def number_of(project: str) -> str:
        asked.append(project)
        return NUMBERS[project]

    return number_of


def test_empty_allows_any_project_without_a_lookup() -> None:
    asked: list[str] = []
    assert Settings().allows("anyone", looked_up(asked))
    assert Settings().allows("999", looked_up(asked))
    assert asked == []


def test_an_allowed_id_or_its_number_is_allowed() -> None:
    settings = Settings(allowed_projects=frozenset(NUMBERS))
    asked: list[str] = []
    assert settings.allows("mine", looked_up(asked))
    assert asked == []
    assert settings.allows("222", looked_up(asked))
    assert set(asked) <= set(NUMBERS)


def test_a_foreign_id_is_refused_and_never_looked_up() -> None:
    settings = Settings(allowed_projects=frozenset(NUMBERS))
    asked: list[str] = []
    assert not settings.allows("someone-elses", looked_up(asked))
    assert not settings.allows("333", looked_up(asked))
    assert "someone-elses" not in asked and "333" not in asked
