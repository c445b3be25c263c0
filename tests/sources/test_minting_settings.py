"""The minting sources' settings: each bad one is a ConfigError, and every missing key of a
minting source is reported at once, each with a remedy."""

from __future__ import annotations

import httpx
import pytest

from rotation.core import config
from rotation.core.errors import ConfigError, InvalidAnnotations
from rotation.core.settings import Settings
from rotation.sources import SOURCE_KEYS, SOURCES


@pytest.mark.parametrize(
    ("source", "settings", "message"),
    [
        ("gitlab", {"minting-secret": "m"}, "gitlab-url is required"),
        (
            "gitlab",
            {"gitlab-url": "https://gitlab.example.com", "minting-secret": "m"},
            "exactly one of",
        ),
        (
            "gitlab",
            {
                "gitlab-url": "https://gitlab.example.com",
                "gitlab-group": "g",
                "minting-secret": "m",
                "token-scopes": "api,write_registry",
            },
            "not read scopes",
        ),
        ("gitlab", {"gitlab-url": "gitlab.example.com", "minting-secret": "m"}, "not an http"),
        (
            "artifactory",
            {"artifactory-url": "https://jf.example.com"},
            "minting-secret is required",
        ),
        (
            "artifactory",
            {"artifactory-url": "https://jf.example.com", "minting-secret": "m"},
            "refuses __token__",
        ),
        (
            "http",
            {"webhook-url": "https://mint.example.com", "webhook-auth": "basic"},
            "not one of",
        ),
        (
            "http",
            {
                "webhook-url": "https://mint.example.com",
                "webhook-revoke-url": "https://mint.example.com/t",
            },
            "no {id}",
        ),
    ],
)
def test_bad_settings_are_config_errors(source, settings, message):
    loaded = config.load(
        {
            "token-rotator.source": source,
            "token-rotator.repositories": "projects/p/locations/l/repositories/r",
            **{f"token-rotator.{k}": v for k, v in settings.items()},
        },
        Settings(plain_http=True),
        SOURCE_KEYS,
    )
    with pytest.raises(ConfigError, match=message):
        SOURCES[source](httpx.Client()).validate(loaded)


@pytest.mark.parametrize(
    ("source", "settings", "keys"),
    [
        ("gitlab", {}, ["gitlab-url", "minting-secret", "gitlab-project"]),
        ("artifactory", {}, ["artifactory-url", "minting-secret", "username"]),
        ("http", {"webhook-auth": "basic"}, ["webhook-url", "webhook-auth"]),
    ],
)
def test_a_minting_source_reports_its_url_its_inputs_and_its_own_keys_at_once(
    source, settings, keys
):
    """The shared checks (the minting URL, the input secrets) and the source's own, in one error."""
    loaded = config.load(
        {
            "token-rotator.source": source,
            "token-rotator.repositories": "projects/p/locations/l/repositories/r",
            **{f"token-rotator.{k}": v for k, v in settings.items()},
        },
        Settings(plain_http=True),
        SOURCE_KEYS,
    )
    with pytest.raises(InvalidAnnotations) as raised:
        SOURCES[source](httpx.Client()).validate(loaded)
    assert [problem.key for problem in raised.value.problems] == [
        f"token-rotator.{k}" for k in keys
    ]
    assert all(problem.remedy for problem in raised.value.problems)


@pytest.mark.parametrize("owner", ["platform%2Fwheels", "/platform/wheels", "platform/wheels/"])
def test_gitlab_project_must_be_a_plain_id_or_path(owner):
    loaded = config.load(
        {
            "token-rotator.source": "gitlab",
            "token-rotator.repositories": "projects/p/locations/l/repositories/r",
            "token-rotator.gitlab-url": "https://gitlab.example.com",
            "token-rotator.minting-secret": "m",
            "token-rotator.gitlab-project": owner,
        },
        Settings(),
        SOURCE_KEYS,
    )
    with pytest.raises(ConfigError, match="not a plain id or full path"):
        SOURCES["gitlab"](httpx.Client()).validate(loaded)
