"""What the repositories' format decides: the username sent upstream and the hosts implied."""

from __future__ import annotations

import pytest

from rotation.core import formats
from rotation.core.errors import ConfigError
from rotation.core.model import RemoteRepository

SECRET = "projects/p/secrets/s"


def repository(name: str, format_: str, upstream: str = "") -> RemoteRepository:
    return RemoteRepository(
        f"projects/p/locations/l/repositories/{name}", "", "", upstream, format_
    )


def test_repositories_of_one_format_serve_it_with_their_upstreams_once_each():
    served = formats.served_by(
        SECRET,
        [
            repository("a", "NPM", "https://npm.example.com"),
            repository("b", "NPM", "https://npm.example.com"),
            repository("c", "NPM", "https://other.example.com"),
        ],
    )
    assert served == formats.Served("NPM", ("https://npm.example.com", "https://other.example.com"))
    assert not served.docker_hub


def test_repositories_of_different_formats_are_a_configuration_error():
    with pytest.raises(ConfigError) as raised:
        formats.served_by(SECRET, [repository("a", "DOCKER"), repository("b", "PYTHON")])
    assert "repositories/a is DOCKER" in str(raised.value)
    assert "repositories/b is PYTHON" in str(raised.value)
    assert "its own secret" in raised.value.remedy


def test_docker_hub_implies_its_token_service_and_its_api():
    hub = formats.served_by(SECRET, [repository("a", "DOCKER", formats.DOCKER_HUB)])
    other = formats.served_by(SECRET, [repository("a", "DOCKER", "https://registry.example.com")])
    assert hub.docker_hub
    assert hub.implied_hosts() == (
        formats.DOCKER_HUB,
        formats.DOCKER_HUB_AUTH,
        formats.DOCKER_HUB_API,
    )
    assert other.implied_hosts() == ("https://registry.example.com",)


@pytest.mark.parametrize(
    ("configured", "source_default", "format_", "expected"),
    [
        (None, None, "PYTHON", "__token__"),
        ("deploy", None, "PYTHON", "deploy"),
        (None, "my-org", "DOCKER", "my-org"),
        ("robot", "my-org", "DOCKER", "robot"),
        ("ci", None, "MAVEN", "ci"),
    ],
)
def test_the_username_is_the_annotation_else_the_source_else_the_format(
    configured, source_default, format_, expected
):
    served = formats.Served(format_)
    assert formats.username(configured, source_default, served) == expected


@pytest.mark.parametrize("format_", ["DOCKER", "NPM", "MAVEN"])
def test_a_format_without_a_usual_username_needs_the_annotation(format_):
    with pytest.raises(ConfigError) as raised:
        formats.username(None, None, formats.Served(format_))
    assert raised.value.key == "token-rotator.username"
    assert f"{format_} upstreams have no usual username" in str(raised.value)
