"""The dockerhub source against the token authority's Docker Hub API over HTTP: what it asks for,
organization tokens, the interrupted attempt's token found by label (on a later page too), and
both answers of the unconfirmed question (may a login with a personal access token manage
tokens?). What every minting source does, dockerhub included: test_minting_sources.py."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from rotation.core.errors import PermanentError
from rotation.core.formats import DOCKER, DOCKER_HUB, Served
from rotation.sources.dockerhub import token_label
from tests.sources.minting import Rig, gitlab_context, make_rig
from tests.upstreams import DOCKERHUB


@pytest.fixture
def dockerhub_rig(emulator, authority, private_index, http) -> Rig:
    return make_rig(DOCKERHUB, emulator, authority, private_index, http)


def issued(rig: Rig, value: str):
    return next(t for t in rig.authority.live("dockerhub") if t.value == value)


def organization_context(rig: Rig, **settings: str):
    """A context for organization tokens of a new organization (`{org}` in a setting stands for
    its name), owned by the user whose password the minting secret holds."""
    org = f"org{uuid.uuid4().hex[:10]}"
    rig.authority.dockerhub_org(org, owners=("ci-admin",))
    wanted = {
        "dockerhub-token-kind": "organization",
        "dockerhub-namespace": org,
        "admin-username": "ci-admin",
        **{key: value.format(org=org) for key, value in settings.items()},
    }
    return gitlab_context(rig, **wanted), org


def test_a_personal_token_is_read_only_labelled_and_expires(dockerhub_rig):
    context = dockerhub_rig.context()

    new = dockerhub_rig.source.obtain(context)

    token = issued(dockerhub_rig, new.token.reveal())
    assert (token.username, token.owner, token.scopes) == (
        "ci-puller",
        "users/ci-puller",
        ["repo:read"],
    )
    assert token.name == token_label(context.secret.name, dockerhub_rig.rotation_id)
    assert dockerhub_rig.rotation_id in token.name and len(token.name) <= 100
    assert new.expires_at is not None and token.expires_at == new.expires_at.isoformat()
    assert new.expires_at - context.now == 2 * context.secret.rotation_period
    assert new.retire_data == {"token_id": token.id}


def test_a_label_keeps_the_rotation_id_within_docker_hubs_limit():
    secret = "projects/p/secrets/" + "s" * 255
    assert token_label(secret, "rotation-1234")[:31] == "ar-token-rotator rotation-1234 "
    assert len(token_label(secret, "rotation-1234")) == 100
    long_ids = [token_label(secret, "r" * 90 + tail) for tail in "ab"]
    assert long_ids[0] != long_ids[1] and all(len(label) == 100 for label in long_ids)


def test_an_organization_token_pulls_public_repositories_by_default(dockerhub_rig):
    context, org = organization_context(dockerhub_rig)

    new = dockerhub_rig.source.obtain(context)

    token = issued(dockerhub_rig, new.token.reveal())
    assert (token.username, token.owner, token.scopes) == (org, f"orgs/{org}", ["scope-image-pull"])
    assert dockerhub_rig.source.default_username(context.config) == org
    dockerhub_rig.source.retire(dict(new.retire_data), context)
    assert new.token.reveal() not in dockerhub_rig.live()


def test_an_organization_token_for_named_repositories(dockerhub_rig, authority, http):
    context, org = organization_context(
        dockerhub_rig, **{"dockerhub-repositories": "{org}/app, {org}/base"}
    )
    new = dockerhub_rig.source.obtain(context)
    token = issued(dockerhub_rig, new.token.reveal())
    jwt = http.post(
        f"{authority.url}/v2/auth/token",
        json={"identifier": "ci-admin", "secret": authority.minting_token("dockerhub")},
    ).json()["access_token"]
    shown = http.get(
        f"{authority.url}/v2/orgs/{org}/access-tokens/{token.id}",
        headers={"Authorization": f"Bearer {jwt}"},
    ).json()
    assert [r["path"] for r in shown["resources"]] == [f"{org}/app", f"{org}/base"]
    assert {s for r in shown["resources"] for s in r["scopes"]} == {"scope-image-pull"}


def test_a_resumed_rotation_deletes_the_organization_token_it_did_not_see_minted(dockerhub_rig):
    context, org = organization_context(dockerhub_rig)
    label = token_label(context.secret.name, dockerhub_rig.rotation_id)
    stranded = dockerhub_rig.authority.issue("dockerhub", org, label, f"orgs/{org}")
    other = dockerhub_rig.authority.issue("dockerhub", org, "someone else's", f"orgs/{org}")

    new = dockerhub_rig.source.obtain(replace(context, resumed=True))

    live = dockerhub_rig.live()
    assert stranded.value not in live
    assert {new.token.reveal(), other.value} <= live


def test_a_resumed_rotation_finds_the_unstored_token_on_a_later_page(dockerhub_rig):
    """Docker Hub pages its lists (100 a page asked): the stranded token comes after 100 others."""
    user = f"u{dockerhub_rig.rotation_id}"
    decoys = [dockerhub_rig.authority.issue("dockerhub", user, f"decoy-{n}") for n in range(100)]
    context = gitlab_context(dockerhub_rig, **{"dockerhub-namespace": user})
    label = token_label(context.secret.name, dockerhub_rig.rotation_id)
    stranded = dockerhub_rig.authority.issue("dockerhub", user, label)

    new = dockerhub_rig.source.obtain(replace(context, resumed=True))

    live = dockerhub_rig.live()
    assert stranded.value not in live
    assert new.token.reveal() in live
    assert {d.value for d in decoys} <= live
    listed = [c for c in dockerhub_rig.authority.calls if c.method == "GET"]
    assert len(listed) == 2


def test_retire_by_id_and_an_id_already_gone(dockerhub_rig):
    first = dockerhub_rig.source.obtain(dockerhub_rig.context())
    second = dockerhub_rig.source.obtain(dockerhub_rig.context(rotation_id="another"))
    dockerhub_rig.source.retire(dict(first.retire_data), dockerhub_rig.context())
    assert first.token.reveal() not in dockerhub_rig.live()
    assert second.token.reveal() in dockerhub_rig.live()
    dockerhub_rig.source.retire(dict(first.retire_data), dockerhub_rig.context())  # 404: done
    deletes = [c for c in dockerhub_rig.authority.calls if c.method == "DELETE"]
    assert [c.status for c in deletes] == [204, 404]


@pytest.mark.parametrize("pat_manages_tokens", [False, True], ids=["refused", "allowed"])
def test_a_personal_access_token_as_minting_credential(dockerhub_rig, pat_manages_tokens):
    """Unconfirmed whether Docker Hub lets a PAT's login manage tokens: if it refuses (403, as
    users report), the rotation stops with a remedy naming what to store instead."""
    dockerhub_rig.authority.dockerhub_pat_manages_tokens = pat_manages_tokens
    admin = dockerhub_rig.authority.issue("dockerhub", "ci-puller", "admin")
    dockerhub_rig.replace_minting_token(admin.value)
    before = dockerhub_rig.live()
    if pat_manages_tokens:
        new = dockerhub_rig.source.obtain(dockerhub_rig.context())
        assert dockerhub_rig.live() == before | {new.token.reveal()}
        return
    with pytest.raises(PermanentError, match=r"refused \(HTTP 403\)") as raised:
        dockerhub_rig.source.obtain(dockerhub_rig.context())
    assert "password" in raised.value.remedy and "http source" in raised.value.remedy
    assert dockerhub_rig.live() == before


def test_an_owner_is_needed_for_organization_tokens(dockerhub_rig):
    context, _ = organization_context(dockerhub_rig, **{"admin-username": "not-an-owner"})
    before = dockerhub_rig.live()
    with pytest.raises(PermanentError, match=r"refused \(HTTP 403\)"):
        dockerhub_rig.source.obtain(context)
    assert dockerhub_rig.live() == before


def test_a_docker_repositorys_token_is_checked_at_its_registry_by_default(dockerhub_rig):
    context = dockerhub_rig.context()
    assert dockerhub_rig.source.check_url(context) == context.config.check_url  # Python: set
    docker = replace(
        context,
        config=replace(context.config, check_url=None),
        served=Served(DOCKER, (DOCKER_HUB,)),
    )
    assert dockerhub_rig.source.check_url(docker) == "https://registry-1.docker.io"
    assert dockerhub_rig.source.check_url(replace(docker, served=Served())) is None
    mirror = replace(docker, served=Served(DOCKER, ("https://hub-mirror.example.com",)))
    assert dockerhub_rig.source.check_url(mirror) == "https://hub-mirror.example.com"
    two = replace(docker, served=Served(DOCKER, (DOCKER_HUB, "https://hub-mirror.example.com")))
    assert dockerhub_rig.source.check_url(two) is None
