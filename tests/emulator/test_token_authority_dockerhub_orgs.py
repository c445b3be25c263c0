"""The token authority answers Docker Hub's organization access-token API as Docker Hub
documents it, over real HTTP: who may manage the tokens, what it refuses, its answers' shapes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from emulator.token_authority import TokenAuthority
from tests.emulator.dockerhub_support import Hub, live_for


@pytest.fixture
def hub(authority: TokenAuthority, http: httpx.Client) -> Hub:
    return Hub(authority, http)


def test_an_organization_token_logs_in_as_the_organization_but_manages_nothing(hub):
    oat = hub.oat().json()["token"]
    assert oat[: len("dckr_oat_")] == "dckr_oat_"
    assert hub.login(hub.user, oat).status_code == 401
    jwt = hub.login(hub.org, oat).json()["access_token"]
    answer = hub.call("GET", f"/v2/orgs/{hub.org}/access-tokens", jwt=jwt)
    assert answer.status_code == 403
    assert "organization access token" in answer.json()["message"]


def test_organization_tokens_need_a_known_organization_and_an_owner(hub, authority, http):
    assert hub.oat(org=f"missing-{hub.org}").status_code == 404
    outsider = Hub(authority, http)
    assert outsider.oat(org=hub.org).status_code == 403
    assert outsider.call("GET", f"/v2/orgs/{hub.org}/access-tokens").status_code == 403
    not_minting = authority.minting_token("dockerhub", may_mint=False)
    jwt = hub.login(hub.user, not_minting).json()["access_token"]
    assert hub.oat(jwt=jwt).status_code == 403
    assert hub.pat(jwt=jwt).status_code == 403


def resource(path: str, *scopes: str, kind: str = "TYPE_REPO") -> dict[str, Any]:
    return {"type": kind, "path": path, "scopes": list(scopes) or ["scope-image-pull"]}


@pytest.mark.parametrize(
    "body",
    [
        {"label": ""},
        {"label": None},
        {"resources": []},
        {"resources": None},
        {"resources": [resource("ORG/app", kind="TYPE_IMAGE")]},
        {"resources": [resource("ORG/app", "repo:read")]},
        {"resources": [resource("ORG/app", "scope-repository-list")]},
        {"resources": [resource("*/*/public", "scope-image-push")]},
        {"resources": [resource("someone-else/app")]},
        {"resources": [resource("ORG")]},
        {"resources": [resource("ORG/app", "scope-image-pull", kind="TYPE_ORG")]},
        {"resources": [{"type": "TYPE_REPO", "path": "ORG/app"}]},
        {"resources": [resource(f"ORG/r{n}") for n in range(51)]},
        {"expires_at": "next week"},
        {"description": 7},
    ],
)
def test_organization_token_requests_docker_hub_refuses(hub, body):
    if isinstance(body.get("resources"), list):
        for entry in body["resources"]:
            entry["path"] = entry["path"].replace("ORG", hub.org)
    answer = hub.oat(**body)
    assert answer.status_code == 400
    assert answer.json()["text"]


def test_an_organization_token_is_live_for_the_organization_until_deleted(hub):
    wanted = [
        resource(f"{hub.org}/app", "scope-image-pull"),
        resource(f"{hub.org}/*", "scope-tag-read"),
        resource("*/*/public"),
    ]
    made = hub.oat(label="pull", description="ci", resources=wanted, expires_at=hub.later(days=9))
    assert made.status_code == 201
    body = made.json()
    assert body["resources"] == wanted and body["label"] == "pull"
    assert body["created_by"] == hub.user and body["is_active"] is True
    assert live_for(hub.authority, hub.org) == {body["token"]}
    base = f"/v2/orgs/{hub.org}/access-tokens"
    shown = hub.call("GET", f"{base}/{body['id']}").json()
    assert shown["resources"] == wanted and "token" not in shown
    listed = hub.call("GET", base).json()
    assert listed["total"] == 1 and [t["id"] for t in listed["results"]] == [body["id"]]

    assert hub.call("DELETE", f"{base}/{body['id']}").status_code == 204
    assert live_for(hub.authority, hub.org) == set()
    assert hub.call("DELETE", f"{base}/{body['id']}").status_code == 404
    assert hub.call("GET", f"{base}/{body['id']}").status_code == 404
