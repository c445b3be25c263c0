"""skopeo through a Docker remote repository before, during and after a rotation by the real
function of tokens the `http` source mints (the token authority's webhook), live on the token
server of a distribution registry with token auth, as personal access tokens are on Docker Hub."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from emulator import Call
from emulator.docker_auth import DockerTokenServer
from emulator.token_authority import TokenAuthority
from rotation.cli.commands import main
from tests.formats import webhook_secrets
from tests.formats.docker_support import (
    Upstream,
    docker_repository,
    image_reference,
    inspected_digest,
    skopeo_inspect,
)
from tests.rotation_watch import (
    assert_no_outage,
    observing,
    rotation_revoking_the_new_token,
    watched_forced_rotation,
)
from tests.support import World, repository_name

USERNAME = "svc-docker"  # set explicitly: a private registry has no usual username
REPOSITORY = repository_name("docker-private")


@pytest.fixture
def world(emulator, docker_function) -> World:
    return World(emulator, docker_function.url)


def webhook_secret(world: World, authority: TokenAuthority, upstream: Upstream) -> str:
    url = upstream.registry.url
    return webhook_secrets.webhook_secret(
        world,
        authority,
        secret_id="docker-token",
        repository=REPOSITORY,
        username=USERNAME,
        create_repository=lambda version: docker_repository(
            world, REPOSITORY, version, USERNAME, url
        ),
    )


def accepted(token_server: DockerTokenServer, token: str) -> bool:
    """Whether the token server hands out a registry token for this credential."""
    answer = httpx.get(token_server.realm, auth=(USERNAME, token), timeout=10)
    return answer.status_code == 200


def test_skopeo_works_before_during_and_after_a_rotation(
    world, docker_authority, token_registry, docker_token_server
):
    """The second rotation (the first one's token was minted by the webhook, so it can be
    revoked): skopeo runs before every call the function makes."""
    secret = webhook_secret(world, docker_authority, token_registry)
    reference = image_reference(world.emulator, "docker-private")
    digest = token_registry.image.manifest_digest
    assert inspected_digest(reference) == digest
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    old = world.token(f"{secret}/versions/2")
    assert inspected_digest(reference) == digest

    moments = watched_forced_rotation(
        world,
        secret,
        lambda _method, _step: skopeo_inspect(reference).returncode == 0,
        lambda: accepted(docker_token_server, old),
    )

    assert_no_outage(moments)
    assert world.points_at(REPOSITORY) == f"{secret}/versions/3"
    assert inspected_digest(reference) == digest
    assert not accepted(docker_token_server, old)
    assert world.versions(secret) == {1: "DISABLED", 2: "DISABLED", 3: "ENABLED"}


def test_the_function_checks_a_new_token_with_the_registry_token_flow(
    world, docker_authority, token_registry, docker_token_server
):
    """check-url is the registry: its /v2/ challenges with Bearer, the realm (another host,
    listed in ALLOWED_UPSTREAM_HOSTS) is asked with the new token, which it accepts."""
    secret = webhook_secret(world, docker_authority, token_registry)
    world.annotate(secret, check_url=token_registry.registry.url)
    logins: dict[str, int] = {}

    def count_logins(call: Call) -> None:
        logins.setdefault(call.method.rsplit(".", 1)[1], docker_token_server.logins)

    with observing(world, count_logins):
        world.publish_rotate(secret)
        world.settle()

    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    # Between storing the token and repointing, only the function's check logs in.
    assert logins["UpdateRepository"] > logins["AddSecretVersion"]


def test_a_new_token_the_realm_refuses_is_abandoned_and_nothing_moves(
    world, docker_authority, token_registry, docker_token_server
):
    """The minted token is revoked upstream before the check (observed at AddSecretVersion, right
    after the mint): the registry's realm refuses it, so the version is disabled and the
    repository stays on version 1."""
    secret = webhook_secret(world, docker_authority, token_registry)
    world.annotate(secret, check_url=token_registry.registry.url)
    first = world.token(f"{secret}/versions/1")

    def revoke_new() -> None:
        for token in docker_authority.live("webhook"):
            if token.value != first:
                docker_token_server.revoke(USERNAME, token.value)

    methods = rotation_revoking_the_new_token(world, secret, revoke_new)

    assert "AddSecretVersion" in methods
    assert "UpdateRepository" not in methods, "the function's own check refused it first"
    assert world.points_at(REPOSITORY) == f"{secret}/versions/1"
    assert world.versions(secret) == {1: "ENABLED", 2: "DISABLED"}
    assert "pending" not in world.aliases(secret)


def test_plan_shows_the_docker_check_and_changes_nothing(
    world, docker_authority, token_registry, docker_token_server, *, capsys, monkeypatch
):
    """The command line, in this process, allowed the hosts the function is."""
    hosts = [urlsplit(docker_authority.url).netloc, urlsplit(docker_token_server.realm).netloc]
    monkeypatch.setenv("ALLOWED_UPSTREAM_HOSTS", ",".join(hosts))
    secret = webhook_secret(world, docker_authority, token_registry)
    world.annotate(secret, check_url=token_registry.registry.url)
    annotations = world.annotations(secret)

    code = main(["plan", secret])

    out = capsys.readouterr().out
    assert code == 0, out
    assert f"and against {token_registry.registry.url} (DOCKER)" in out
    assert f"{REPOSITORY}: version 1 -> version 2" in out
    assert world.annotations(secret) == annotations
