"""The real npm through an NPM remote repository before, during and after a rotation by the real
function of tokens the `http` source mints (the token authority's webhook), live on verdaccio.

npm runs before the rotation, before every Google call the function makes (15 calls; about a
second each, so the test takes about 15 s) and after it."""

from __future__ import annotations

import httpx
import pytest

from emulator.npm_registry import VerdaccioServer
from emulator.token_authority import TokenAuthority
from tests.formats import webhook_secrets
from tests.formats.npm_support import (
    EXPECTED_CODE,
    PACKAGE,
    USERNAME,
    installed_code,
    npm_install,
    npm_repository,
    registry_of,
)
from tests.rotation_watch import (
    assert_no_outage,
    rotation_revoking_the_new_token,
    watched_forced_rotation,
)
from tests.support import World, repository_name

REPOSITORY = repository_name("npm-private")


@pytest.fixture
def world(emulator, npm_function) -> World:
    return World(emulator, npm_function.url)


def webhook_secret(world: World, authority: TokenAuthority, verdaccio: VerdaccioServer) -> str:
    return webhook_secrets.webhook_secret(
        world,
        authority,
        secret_id="npm-token",
        repository=REPOSITORY,
        username=USERNAME,
        create_repository=lambda version: npm_repository(world, REPOSITORY, version, verdaccio.url),
    )


def accepted(verdaccio: VerdaccioServer, token: str) -> bool:
    """Whether verdaccio serves the package document to this credential."""
    answer = httpx.get(f"{verdaccio.url}/{PACKAGE}", auth=(USERNAME, token), timeout=10)
    return answer.status_code == 200


def test_npm_works_before_during_and_after_a_rotation(world, npm_authority, verdaccio, tmp_path):
    """The second rotation (the first one's token was minted by the webhook, so it can be
    revoked): npm runs before every call the function makes, which pauses the rotation at
    every step."""
    secret = webhook_secret(world, npm_authority, verdaccio)
    registry = registry_of(world.emulator, "npm-private")
    before = npm_install(registry, tmp_path / "before")
    assert before.returncode == 0, before.stderr[-2000:]
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    old = world.token(f"{secret}/versions/2")
    assert accepted(verdaccio, old)

    def npm_ok(_method: str, step: int) -> bool:
        return npm_install(registry, tmp_path / f"step-{step}").returncode == 0

    moments = watched_forced_rotation(world, secret, npm_ok, lambda: accepted(verdaccio, old))

    assert_no_outage(moments)
    assert world.points_at(REPOSITORY) == f"{secret}/versions/3"
    after = npm_install(registry, tmp_path / "after")
    assert after.returncode == 0, after.stderr[-2000:]
    assert installed_code(tmp_path / "after") == EXPECTED_CODE
    assert not accepted(verdaccio, old), "the old token was not revoked"
    assert accepted(verdaccio, world.token(f"{secret}/versions/3"))
    assert world.versions(secret) == {1: "DISABLED", 2: "DISABLED", 3: "ENABLED"}


@pytest.mark.parametrize("path", [f"/{PACKAGE}", "/-/whoami"], ids=["document", "whoami"])
def test_the_function_checks_a_new_token_at_check_url(world, npm_authority, verdaccio, path):
    """`check-url` a package document or `/-/whoami`: a new token verdaccio holds passes; one
    revoked right after the mint (seen at AddSecretVersion) is refused by the function's own
    check, before any repository moves, and abandoned."""
    secret = webhook_secret(world, npm_authority, verdaccio)
    world.annotate(secret, check_url=verdaccio.url + path)
    first = world.token(f"{secret}/versions/1")
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    stored = {first, world.token(f"{secret}/versions/2")}

    def revoke_new() -> None:
        for token in npm_authority.live("webhook"):
            if token.value not in stored:
                verdaccio.revoke(USERNAME, token.value)

    methods = rotation_revoking_the_new_token(world, secret, revoke_new, force=True)

    assert "AddSecretVersion" in methods
    assert "UpdateRepository" not in methods, "the function's own check refused it first"
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    assert world.versions(secret)[3] == "DISABLED"
