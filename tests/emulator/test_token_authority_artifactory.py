"""The token authority refuses what Artifactory refuses (emulator/FIDELITY.md, "Upstream token
APIs"), over real HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from emulator.token_authority import TokenAuthority
from tests.emulator.token_authority_support import Collection


@pytest.fixture
def artifactory(authority: TokenAuthority, http: httpx.Client) -> Collection:
    headers = {"Authorization": f"Bearer {authority.minting_token('artifactory')}"}
    return Collection(http, f"{authority.url}/access/api/v1/tokens", headers)


def mint(client: Collection, **body: Any) -> httpx.Response:
    return client.post(data={"username": "svc", **body})


@pytest.mark.parametrize(
    "body",
    [
        {"expires_in": "-1"},
        {"expires_in": "soon"},
        {"expires_in": "1.5"},
        {"scope": "everything"},
        {"scope": "applied-permissions/everyone"},
        {"scope": "applied-permissions/groups:" + "g" * 500},
        {"description": "d" * 1025},
        {"username": "u" * 256},
        {"username": ""},
        {"refreshable": "maybe"},
    ],
)
def test_requests_artifactory_refuses(artifactory, body):
    answer = mint(artifactory, **body)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "scope",
    [
        "applied-permissions/user",
        "applied-permissions/admin",
        "applied-permissions/groups:readers,ci",
        "applied-permissions/groups:readers system:metadata:r",
    ],
)
def test_documented_scopes_are_accepted(artifactory, scope):
    answer = mint(artifactory, scope=scope, description="d" * 1024)
    assert answer.status_code == 200
    assert answer.json()["scope"] == scope


def test_expires_in_default_zero_and_cap(authority, artifactory):
    assert mint(artifactory).json()["expires_in"] == 365 * 24 * 3600
    assert "expires_in" not in mint(artifactory, expires_in="0").json()  # never expires
    authority.artifactory_max_expiry = 3600
    assert mint(artifactory, expires_in="3600").status_code == 200
    assert mint(artifactory, expires_in="3601").status_code == 403
    assert mint(artifactory, expires_in="0").status_code == 403


def test_the_token_list_has_the_documented_shape(authority, artifactory):
    described = f"d-{uuid.uuid4().hex}"
    made = mint(artifactory, description=described, expires_in="600").json()
    mint(artifactory, description=f"{described}-other", expires_in="0")
    listed = artifactory.get(params={"description": described}).json()["tokens"]
    assert [t["token_id"] for t in listed] == [made["token_id"]]
    entry = listed[0]
    assert set(entry) == {
        "token_id",
        "subject",
        "expiry",
        "issued_at",
        "issuer",
        "description",
        "refreshable",
    }
    assert isinstance(entry["issued_at"], int)
    assert entry["expiry"] - entry["issued_at"] == 600
    both = artifactory.get(params={"description": f"{described}*"}).json()["tokens"]
    assert len(both) == 2
    assert "expiry" not in next(t for t in both if t["token_id"] != made["token_id"])


def test_revoke_answers_200_then_204_for_an_unknown_id(artifactory):
    made = mint(artifactory).json()
    assert artifactory.delete(f"/{made['token_id']}").status_code == 200
    assert artifactory.delete(f"/{made['token_id']}").status_code == 204
    assert artifactory.delete("/no-such-token").status_code == 204
