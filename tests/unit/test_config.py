"""Annotations and environment: valid settings load, every bad one is named with its value."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rotation.core.annotation_values import secret_reference
from rotation.core.config import load
from rotation.core.durations import format_duration, parse_duration
from rotation.core.errors import ConfigError, InvalidAnnotations
from rotation.core.settings import Settings
from rotation.gcp.deadlines import call_policies

SOURCES = {"pypi-derived": frozenset({"root-secret"}), "pypi-staged": frozenset({"staging-secret"})}
REPO = "projects/demo-project/locations/us-central1/repositories/pypi"


def annotated(**values: str) -> dict[str, str]:
    base = {"source": "pypi-derived", "repositories": REPO}
    base.update({key.replace("_", "-"): value for key, value in values.items()})
    return {f"token-rotator.{key}": value for key, value in base.items()}


def test_defaults():
    config = load(annotated(), Settings(), SOURCES)
    assert config.repositories == (REPO,)
    assert config.username is None  # the source's or the format's (tests/unit/test_formats.py)
    assert config.check_url is None
    assert config.keep_versions == 2
    assert config.min_interval == timedelta(hours=1)
    assert not config.grant_access


def test_every_setting_is_read():
    config = load(
        annotated(
            repositories=f"{REPO}, {REPO}",
            discover="projects/p1/locations/europe-west1",
            username="deploy",
            grant_access="true",
            min_interval="30m",
            keep_versions="3",
            index_url="https://pypi.example.com/simple/",
            root_secret="pypi-root",
        ),
        Settings(),
        SOURCES,
    )
    assert config.repositories == (REPO,)
    assert config.discover == ("projects/p1/locations/europe-west1",)
    assert (config.username, config.grant_access, config.keep_versions) == ("deploy", True, 3)
    assert config.min_interval == timedelta(minutes=30)
    assert config.check_url == "https://pypi.example.com/simple"
    assert config.setting("root-secret") == "pypi-root"


def test_environment_supplies_defaults():
    settings = Settings.from_env(
        {
            "DEFAULT_MIN_INTERVAL": "2h",
            "DEFAULT_KEEP_VERSIONS": "4",
            "DEFAULT_GRANT_ACCESS": "true",
            "ALLOWED_PROJECTS": "a-project, 42",
            "MAX_EVENT_AGE": "12h",
        }
    )
    assert settings.allowed_projects == {"a-project", "42"}
    assert settings.max_event_age == timedelta(hours=12)
    config = load(annotated(), settings, SOURCES)
    assert (config.min_interval, config.keep_versions, config.grant_access) == (
        timedelta(hours=2),
        4,
        True,
    )


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"source": "ftp"}, "token-rotator.source='ftp'"),
        ({"repositories": "pypi"}, "'pypi', which is not of the form"),
        ({"repositories": "", "discover": ""}, "neither token-rotator.repositories nor"),
        ({"discover": "projects/p/zones/z"}, "'projects/p/zones/z'"),
        ({"grant_access": "yes"}, "token-rotator.grant-access='yes'"),
        ({"keep_versions": "0"}, "token-rotator.keep-versions='0'"),
        ({"keep_versions": "many"}, "token-rotator.keep-versions='many'"),
        ({"min_interval": "soon"}, "'soon' is not a duration"),
        ({"username": "two words"}, "username='two words'"),
        ({"index_url": "ftp://x"}, "index-url='ftp://x'"),
        ({"colour": "blue"}, "unknown annotation token-rotator.colour='blue'"),
    ],
)
def test_bad_annotations_are_named(bad, named):
    with pytest.raises(ConfigError) as raised:
        load(annotated(**bad), Settings(), SOURCES)
    assert named in str(raised.value)


def test_bad_environment_is_named():
    with pytest.raises(ConfigError, match="MAX_EVENT_AGE"):
        Settings.from_env({"MAX_EVENT_AGE": "forever"})


def test_required_source_setting():
    config = load(annotated(), Settings(), SOURCES)
    with pytest.raises(ConfigError, match=r"token-rotator\.root-secret is required"):
        config.setting("root-secret")


def test_secret_reference():
    rotated = "projects/123/secrets/pypi-token"
    assert secret_reference("root", rotated, "root-secret") == "projects/123/secrets/root"
    assert (
        secret_reference("projects/p/secrets/root", rotated, "root-secret")
        == "projects/p/secrets/root"
    )
    with pytest.raises(ConfigError, match="root-secret='projects/p/root'"):
        secret_reference("projects/p/root", rotated, "root-secret")


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("30m", 1800), ("12h", 43200), ("7d", 604800)]
)
def test_durations_round_trip(text, seconds):
    assert parse_duration(text).total_seconds() == seconds
    assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)


@pytest.mark.parametrize("text", ["", "5", "1w", "-1h", "1.5h"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_google_call_limits_shape_every_call_policy():
    settings = Settings.from_env({"GOOGLE_CALL_TIMEOUT": "2s", "GOOGLE_CALL_DEADLINE": "10s"})
    policies = call_policies(settings)
    for policy in (policies.read, policies.idempotent_write, policies.write):
        assert policy.attempt_timeout == timedelta(seconds=2)
        assert policy.options()["timeout"]._timeout == 2.0
    assert policies.read.retry is not None
    # the last attempt starts before 8 s, so the call ends by 10 s
    assert policies.read.retry.timeout == 8.0
    assert policies.write.retry is None and policies.write.options()["retry"] is None
    defaults = call_policies(Settings.from_env({})).read
    assert defaults.attempt_timeout == timedelta(seconds=15)
    assert defaults.retry is not None and defaults.retry.timeout == 30.0


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GOOGLE_CALL_TIMEOUT": "0s"}, "GOOGLE_CALL_TIMEOUT='0s'"),
        ({"GOOGLE_CALL_TIMEOUT": "1h"}, "GOOGLE_CALL_TIMEOUT='1h'"),
        ({"GOOGLE_CALL_TIMEOUT": "20s", "GOOGLE_CALL_DEADLINE": "10s"}, "GOOGLE_CALL_DEADLINE"),
        ({"GOOGLE_CALL_DEADLINE": "6m"}, "GOOGLE_CALL_DEADLINE='6m'"),
        ({"GOOGLE_CALL_DEADLINE": "soon"}, "GOOGLE_CALL_DEADLINE"),
    ],
)
def test_bad_google_call_limits_are_named(env, named):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_every_bad_annotation_is_reported_at_once():
    with pytest.raises(InvalidAnnotations) as raised:
        load(
            annotated(keep_versions="none", min_interval="soon", grant_access="yes", colour="x"),
            Settings(),
            SOURCES,
            "projects/p/secrets/s",
        )
    problems = {p.key: p for p in raised.value.problems}
    assert sorted(problems) == [
        "token-rotator.colour",
        "token-rotator.grant-access",
        "token-rotator.keep-versions",
        "token-rotator.min-interval",
    ]
    assert problems["token-rotator.keep-versions"].value == "none"
    assert problems["token-rotator.min-interval"].value == "soon"
    assert all(p.remedy for p in problems.values())
    assert str(raised.value).startswith("4 invalid token-rotator.* annotations on projects/p/")


def test_a_source_brings_its_own_keys_and_config_knows_no_source() -> None:
    """Adding a source never edits config.py: its keys come with it."""
    with_vault = {**SOURCES, "vault": frozenset({"vault-path"})}
    annotations = {**annotated(), "token-rotator.vault-path": "kv/pypi"}
    with pytest.raises(InvalidAnnotations) as refused:
        load(annotations, Settings(), SOURCES)
    assert [p.key for p in refused.value.problems] == ["token-rotator.vault-path"]
    assert "vault-path" not in refused.value.problems[0].remedy
    config = load(annotations, Settings(), with_vault)
    assert config.source_settings["vault-path"] == "kv/pypi"


def test_check_url_is_read_under_its_new_and_its_former_name():
    new = load(annotated(check_url="https://registry.example.com/"), Settings(), SOURCES)
    former = load(annotated(index_url="https://pypi.example.com/simple"), Settings(), SOURCES)
    same = load(
        annotated(check_url="https://x.example.com", index_url="https://x.example.com"),
        Settings(),
        SOURCES,
    )
    assert new.check_url == "https://registry.example.com"
    assert former.check_url == "https://pypi.example.com/simple"
    assert same.check_url == "https://x.example.com"


def test_check_url_and_index_url_may_not_disagree():
    with pytest.raises(InvalidAnnotations) as raised:
        load(
            annotated(check_url="https://a.example.com", index_url="https://b.example.com"),
            Settings(),
            SOURCES,
        )
    assert "token-rotator.index-url" in str(raised.value)
    assert "keep token-rotator.check-url only" in raised.value.remedy
