"""The real npm through an NPM remote repository before, during and after a rotation by the real
function of tokens the `http` source mints (the token authority's webhook), live on verdaccio.

npm runs before the rotation, before every Google call the function makes (15 calls; about a
second each, so the test takes about 15 s) and after it."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from emulator import Call
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


@dataclass
class Moment:
    """What npm and verdaccio saw just before one of the function's Google API calls."""

    method: str
    npm_ok: bool
    old_token_live: bool


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

    moments: list[Moment] = []

    def between_steps(call: Call) -> None:
        done = npm_install(registry, tmp_path / f"step-{len(moments)}")
        live = accepted(verdaccio, old)
        moments.append(Moment(call.method.rsplit(".", 1)[1], done.returncode == 0, live))

    world.emulator.control.observers.append(between_steps)
    try:
        world.publish_rotate(secret, force=True)
        world.settle()
    finally:
        world.emulator.control.observers.remove(between_steps)

    methods = [m.method for m in moments]
    assert {"AddSecretVersion", "UpdateRepository", "DisableSecretVersion"} <= set(methods)
    assert [m.method for m in moments if not m.npm_ok] == []
    moved = methods.index("UpdateRepository")
    assert all(m.old_token_live for m in moments[: moved + 1]), "revoked before the move"
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
    annotations = {**world.annotations(secret), "token-rotator.check-url": verdaccio.url + path}
    world.sm.update_secret(
        secret={"name": secret, "annotations": annotations}, update_mask={"paths": ["annotations"]}
    )
    first = world.token(f"{secret}/versions/1")
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    stored = {first, world.token(f"{secret}/versions/2")}
    methods: list[str] = []

    def revoke_the_new_token(call: Call) -> None:
        methods.append(call.method.rsplit(".", 1)[1])
        if call.method.endswith("AddSecretVersion"):
            for token in npm_authority.live("webhook"):
                if token.value not in stored:
                    verdaccio.revoke(USERNAME, token.value)

    world.emulator.control.observers.append(revoke_the_new_token)
    try:
        world.publish_rotate(secret, force=True)
        world.settle()
    finally:
        world.emulator.control.observers.remove(revoke_the_new_token)

    assert "AddSecretVersion" in methods
    assert "UpdateRepository" not in methods, "the function's own check refused it first"
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    assert world.versions(secret)[3] == "DISABLED"
