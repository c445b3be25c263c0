"""The dockerhub source's annotations: each wrong one is reported with a remedy, all at once;
`dockerhub-url` defaults to Docker Hub and, when set, is held to the egress policy."""

from __future__ import annotations

import httpx
import pytest

from rotation.core import config
from rotation.core.egress import UpstreamRefused, policy_for
from rotation.core.errors import InvalidAnnotations
from rotation.core.settings import Settings
from rotation.sources import SOURCE_KEYS, SOURCES

ORG = {
    "dockerhub-token-kind": "organization",
    "dockerhub-namespace": "acme",
    "admin-secret": "m",
    "admin-username": "alice",
}


def loaded(**settings: str) -> config.RotationConfig:
    return config.load(
        {
            "token-rotator.source": "dockerhub",
            "token-rotator.repositories": "projects/p/locations/l/repositories/r",
            **{f"token-rotator.{k}": v for k, v in settings.items()},
        },
        Settings(),
        SOURCE_KEYS,
    )


def problems(**settings: str) -> list[str]:
    """The keys of the problems validate reports (none: it passed)."""
    try:
        SOURCES["dockerhub"](httpx.Client()).validate(loaded(**settings))
    except InvalidAnnotations as error:
        assert all(problem.remedy for problem in error.problems)
        return [problem.key.removeprefix("token-rotator.") for problem in error.problems]
    return []


def test_namespace_and_admin_secret_are_required_and_the_url_defaults_to_docker_hub():
    assert problems() == ["admin-secret", "dockerhub-namespace"]
    assert problems(**{"dockerhub-namespace": "ci-puller", "admin-secret": "m"}) == []
    assert problems(**ORG) == []


@pytest.mark.parametrize(
    ("settings", "keys"),
    [
        ({"dockerhub-token-kind": "team"}, ["dockerhub-token-kind"]),
        ({"dockerhub-namespace": "Acme Corp"}, ["dockerhub-namespace"]),
        ({"admin-username": "-alice"}, ["admin-username"]),
        ({"dockerhub-url": "hub.docker.com"}, ["dockerhub-url"]),
        (  # organization tokens only
            {"dockerhub-token-kind": "personal", "dockerhub-repositories": "*/*/public"},
            ["dockerhub-repositories"],
        ),
        ({"admin-username": "acme"}, ["admin-username"]),  # the organization cannot log in
        ({"dockerhub-repositories": "other/app"}, ["dockerhub-repositories"]),
        ({"dockerhub-repositories": "acme/app/extra"}, ["dockerhub-repositories"]),
        ({"dockerhub-repositories": ","}, ["dockerhub-repositories"]),
        (
            {"dockerhub-repositories": ",".join(f"acme/r{n}" for n in range(51))},
            ["dockerhub-repositories"],
        ),
    ],
)
def test_wrong_settings(settings, keys):
    assert problems(**{**ORG, **settings}) == keys


def test_organization_repositories_may_be_named_or_globbed():
    paths = "acme/app, acme/*, */*/public"
    assert problems(**{**ORG, "dockerhub-repositories": paths}) == []


def test_an_organization_token_needs_an_owner_to_log_in():
    without = {k: v for k, v in ORG.items() if k != "admin-username"}
    assert problems(**without) == ["admin-username"]


def test_dockerhub_url_is_held_to_the_egress_policy():
    listed = frozenset({"hub.docker.com:443"})
    policy_for({"dockerhub-url": "https://hub.docker.com"}, listed, [], plain_http=False)
    with pytest.raises(UpstreamRefused, match="not one this function may contact"):
        policy_for({"dockerhub-url": "https://hub.example.com"}, listed, [], plain_http=False)
