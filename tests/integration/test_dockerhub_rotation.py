"""Docker Hub tokens rotated by the function under the real Functions Framework, the repository a
Python one for now (the token is live on the private index for the Docker Hub name): organization
tokens end to end, and a minting credential Docker Hub does not let manage tokens. Personal
tokens run through every case of test_private_upstream.py (`DOCKERHUB` in tests/upstreams.py),
the crash after minting whose retried delivery deletes the orphan by label included."""

from __future__ import annotations

import uuid
from dataclasses import replace

from tests.support import PROJECT, repository_name
from tests.upstreams import DOCKERHUB, minted_secret, pip_download

REPOSITORY = repository_name("private-pypi")


def live_values(authority) -> set[str]:
    return {t.value for t in authority.live("dockerhub")}


def test_organization_tokens_rotate_and_pip_follows(world, authority, private_index, tmp_path):
    org = f"org{uuid.uuid4().hex[:10]}"
    authority.dockerhub_org(org, owners=("ci-admin",))
    case = replace(DOCKERHUB, username=org)
    secret = minted_secret(
        world,
        authority,
        private_index,
        case,
        keep_versions="1",
        dockerhub_token_kind="organization",
        admin_username="ci-admin",
    )
    url = world.emulator.index_url(PROJECT, "private-pypi")
    assert pip_download(url, tmp_path / "before").returncode == 0

    world.publish_rotate(secret)
    world.settle()

    assert world.points_at(REPOSITORY) == f"{secret}/versions/2"
    second = world.token(f"{secret}/versions/2")
    minted = next(t for t in authority.live("dockerhub") if t.value == second)
    assert (minted.owner, minted.username, minted.scopes) == (
        f"orgs/{org}",
        org,
        ["scope-image-pull"],
    )
    assert pip_download(url, tmp_path / "second").returncode == 0

    world.publish_rotate(secret, force=True)
    world.settle()

    assert world.points_at(REPOSITORY) == f"{secret}/versions/3"
    assert second not in live_values(authority), "retired by id once no repository used it"
    assert world.token(f"{secret}/versions/3") in live_values(authority)
    after = pip_download(url, tmp_path / "after")
    assert after.returncode == 0, after.stderr[-2000:]


def test_a_minting_credential_that_may_not_manage_tokens_stops_before_minting(
    world, authority, private_index, function_server
):
    """A personal access token as minting credential, as users report Docker Hub treats it (403):
    the rotation fails for good with a remedy, nothing is minted or repointed."""
    secret = minted_secret(world, authority, private_index, DOCKERHUB)
    admin = authority.issue("dockerhub", DOCKERHUB.username, "admin")
    world.sm.add_secret_version(
        parent=f"projects/{PROJECT}/secrets/dockerhub-minting-token",
        payload={"data": admin.value.encode()},
    )
    before = live_values(authority)
    mark = function_server.mark()

    world.publish_rotate(secret)
    world.settle()

    assert world.points_at(REPOSITORY) == f"{secret}/versions/1"
    assert live_values(authority) == before
    failures = [
        e for e in function_server.entries(since=mark) if e.get("event") == "rotation_failed"
    ]
    assert failures, "the rotation must fail"
    assert "HTTP 403" in failures[0]["message"]
    assert "password" in failures[0]["remedy"] and "http source" in failures[0]["remedy"]
