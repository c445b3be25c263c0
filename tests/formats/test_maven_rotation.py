"""mvn through a Maven remote repository before, during and after a rotation by the real
function of tokens the `http` source mints (the token authority's webhook), live on a Maven
layout with basic auth.

mvn takes seconds to start, so at every Google call the function makes the artifact's files are
fetched through the emulator with plain HTTP GETs (what mvn reads: maven-metadata.xml, the pom,
the jar and its .sha1); the real mvn runs before and after the rotation, and before the three
calls around the switch."""

from __future__ import annotations

import httpx
import pytest

from emulator.maven_layout import MavenLayout
from emulator.token_authority import TokenAuthority
from tests.formats import webhook_secrets
from tests.formats.maven_support import (
    JAR,
    USERNAME,
    artifact_fetched,
    fetched_jar,
    maven_repository,
    mvn_get,
    repository_url,
)
from tests.rotation_watch import SWITCH, assert_no_outage, watched_forced_rotation
from tests.support import World, repository_name

REPOSITORY = repository_name("maven-private")


@pytest.fixture
def world(emulator, maven_function) -> World:
    return World(emulator, maven_function.url)


def webhook_secret(world: World, authority: TokenAuthority, layout: MavenLayout) -> str:
    """The new token is checked against the layout's root (`check-url`, the Maven check)."""
    return webhook_secrets.webhook_secret(
        world,
        authority,
        secret_id="maven-token",
        repository=REPOSITORY,
        username=USERNAME,
        create_repository=lambda version: maven_repository(world, REPOSITORY, version, layout.url),
        check_url=layout.url,
    )


def accepted(layout: MavenLayout, token: str) -> bool:
    """Whether the layout itself takes this credential."""
    return httpx.get(f"{layout.url}/{JAR}", auth=(USERNAME, token), timeout=10).status_code == 200


def test_mvn_works_before_during_and_after_a_rotation(
    world, maven_authority, maven_layout, tmp_path
):
    """The second rotation (the first one's token was minted by the webhook, so it can be
    revoked): the artifact's files are fetched through the repository before every call the
    function makes, and the real mvn (five seconds a run) runs before the calls that store the
    token, move the repository and retire the old version."""
    secret = webhook_secret(world, maven_authority, maven_layout)
    url = repository_url(world.emulator, "maven-private")
    before = mvn_get(url, tmp_path / "before")
    assert before.returncode == 0, before.stdout[-3000:]
    world.publish_rotate(secret)
    world.settle()
    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    old = world.token(f"{secret}/versions/2")

    seen = len(maven_layout.requests)
    mvn_runs: list[tuple[str, bool]] = []  # the real mvn, at the calls around the switch

    def client_ok(method: str, step: int) -> bool:
        if method in SWITCH:
            mvn_runs.append((method, mvn_get(url, tmp_path / f"during-{step}").returncode == 0))
        return artifact_fetched(url, maven_layout)

    moments = watched_forced_rotation(world, secret, client_ok, lambda: accepted(maven_layout, old))

    roots = [status for _, path, status in maven_layout.requests[seen:] if path == "/"]
    assert roots == [200, 200], "the function's check (check-url) and the update's validation"
    assert_no_outage(moments)
    assert {method for method, ok in mvn_runs if ok} == SWITCH
    assert [method for method, ok in mvn_runs if not ok] == []
    assert world.points_at(REPOSITORY) == f"{secret}/versions/3"
    after = mvn_get(url, tmp_path / "after")
    assert after.returncode == 0, after.stdout[-3000:]
    assert fetched_jar(tmp_path / "after").read_bytes() == (maven_layout.root / JAR).read_bytes()
    assert not accepted(maven_layout, old)
    assert accepted(maven_layout, world.token(f"{secret}/versions/3"))
    assert world.versions(secret) == {1: "DISABLED", 2: "DISABLED", 3: "ENABLED"}
