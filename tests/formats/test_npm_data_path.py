"""The real npm through an NPM remote repository of a verdaccio upstream that refuses reads
without a live credential: the credential is read from Secret Manager as Artifact Registry's
service agent, and a disabled version, a missing grant or a revoked token makes npm fail."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from google.api_core import exceptions

from emulator.npm_registry import VerdaccioServer
from rotation.core.token import Token
from tests.formats.npm_support import (
    EXPECTED_CODE,
    PACKAGE,
    SCOPED_PACKAGE,
    USERNAME,
    VERSION,
    credential_secret,
    document,
    installed_code,
    npm_install,
    npm_repository,
    registry_of,
)
from tests.support import PROJECT, World, repository_name

REPOSITORY = repository_name("npm-private")


@pytest.fixture
def world(emulator) -> World:
    """No function runs here: these tests only read through the repository."""
    return World(emulator)


@pytest.fixture
def token(verdaccio: VerdaccioServer) -> Iterator[Token]:
    """A token live on verdaccio for USERNAME, revoked after the test (a Token, so a failing
    test's report shows only its fingerprint)."""
    value = Token(secrets.token_urlsafe(24))
    verdaccio.allow(USERNAME, value.reveal())
    yield value
    verdaccio.revoke(USERNAME, value.reveal())


def served_repository(world: World, verdaccio: VerdaccioServer, token: Token) -> str:
    """The repository with the token's secret version 1; its registry URL on the emulator."""
    secret = credential_secret(world, "npm-token", token.reveal())
    npm_repository(world, REPOSITORY, f"{secret}/versions/1", verdaccio.url)
    return registry_of(world.emulator, "npm-private")


def test_npm_installs_through_the_remote_repository(world, verdaccio, token, tmp_path):
    registry = served_repository(world, verdaccio, token)

    done = npm_install(registry, tmp_path)

    assert done.returncode == 0, done.stderr[-2000:]
    assert installed_code(tmp_path) == EXPECTED_CODE
    assert installed_code(tmp_path, SCOPED_PACKAGE) == EXPECTED_CODE
    assert httpx.get(f"{verdaccio.url}/{PACKAGE}", timeout=10).status_code == 401, "anonymous"


@pytest.mark.parametrize("name", ["@acme%2ftiny", "@acme/tiny"])
def test_package_documents_point_their_tarballs_at_the_repository(world, verdaccio, token, name):
    registry = served_repository(world, verdaccio, token)

    found = httpx.get(registry + name, timeout=10)

    assert found.status_code == 200, found.text
    tarball = found.json()["versions"][VERSION]["dist"]["tarball"]
    assert tarball == f"{registry}{SCOPED_PACKAGE}/-/tiny-{VERSION}.tgz"
    assert httpx.get(tarball, timeout=10).status_code == 200


def test_a_disabled_version_makes_npm_fail_with_the_reason(world, verdaccio, token, tmp_path):
    registry = served_repository(world, verdaccio, token)
    secret = f"projects/{PROJECT}/secrets/npm-token"
    world.sm.disable_secret_version(name=f"{secret}/versions/1")

    done = npm_install(registry, tmp_path)

    assert done.returncode != 0
    assert "403" in done.stderr
    refused = document(registry)
    assert refused.status_code == 403
    assert "could not read the upstream credential" in refused.text
    assert "DISABLED" in refused.text


def test_without_the_service_agent_grant_npm_fails_with_the_reason(
    world, verdaccio, token, tmp_path
):
    secret = credential_secret(world, "npm-token", token.reveal(), grant=False)
    # A repository made before the grant: Artifact Registry would refuse to validate it.
    npm_repository(
        world, REPOSITORY, f"{secret}/versions/1", verdaccio.url, disable_upstream_validation=True
    )
    registry = registry_of(world.emulator, "npm-private")

    done = npm_install(registry, tmp_path)

    assert done.returncode != 0
    refused = document(registry)
    assert refused.status_code == 403
    assert "secretmanager.versions.access" in refused.text


def test_a_revoked_token_is_refused_upstream(world, verdaccio, token, tmp_path):
    registry = served_repository(world, verdaccio, token)
    assert npm_install(registry, tmp_path / "before").returncode == 0
    verdaccio.revoke(USERNAME, token.reveal())

    done = npm_install(registry, tmp_path / "after")

    assert done.returncode != 0
    refused = document(registry, SCOPED_PACKAGE)
    assert refused.status_code == 403
    assert "upstream refused this repository's credentials (HTTP 401)" in refused.text


def test_artifact_registry_refuses_a_repository_whose_token_the_upstream_does_not_hold(
    world, verdaccio
):
    """The validation on create: verdaccio answers /-/whoami 200 `{}` for a credential it does
    not hold, which names no user."""
    secret = credential_secret(world, "npm-token", secrets.token_urlsafe(24))

    with pytest.raises(exceptions.InvalidArgument, match="Failed to validate remote upstream"):
        npm_repository(world, REPOSITORY, f"{secret}/versions/1", verdaccio.url)

    assert world.emulator.artifact_registry.find(PROJECT, "npm-private") is None
