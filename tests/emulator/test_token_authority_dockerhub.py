"""The token authority answers Docker Hub's login and personal-token API as Docker Hub documents
it (docs-draft/dockerhub.md for FIDELITY.md), over real HTTP: what it refuses, the shapes of its
answers, and who may manage tokens, both answers of the unconfirmed PAT question included.
Organization tokens: test_token_authority_dockerhub_orgs.py."""

from __future__ import annotations

from datetime import UTC, timedelta

import httpx
import pytest

from emulator.token_authority import TokenAuthority
from tests.emulator.dockerhub_support import Hub, live_for


@pytest.fixture
def hub(authority: TokenAuthority, http: httpx.Client) -> Hub:
    return Hub(authority, http)


def test_login_needs_a_password_or_a_live_token(hub):
    assert hub.login(hub.user, "not-a-password").status_code == 401
    assert hub.login(hub.org, hub.password).status_code == 401  # an organization has none
    assert hub.login("", hub.password).status_code == 401
    assert hub.call("GET", "/v2/access-tokens", jwt="eyJ-not-a-jwt").status_code == 401


def test_a_jwt_lives_ten_minutes(hub):
    assert hub.call("GET", "/v2/access-tokens").status_code == 200
    hub.authority.clock.advance(9 * 60)
    assert hub.call("GET", "/v2/access-tokens").status_code == 200
    hub.authority.clock.advance(61)
    assert hub.call("GET", "/v2/access-tokens").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"token_label": ""},
        {"token_label": "l" * 101},
        {"token_label": None},
        {"scopes": []},
        {"scopes": ["repo:everything"]},
        {"scopes": "repo:read"},
        {"scopes": None},
        {"expires_at": "tomorrow"},
    ],
)
def test_personal_token_requests_docker_hub_refuses(hub, body):
    answer = hub.pat(**body)
    assert answer.status_code == 400
    assert answer.json()["text"]
    assert hub.pat(token_label="l" * 100).status_code == 201


def test_expires_at_must_be_a_future_rfc3339_date_time(hub):
    now = hub.authority.clock.now()
    assert hub.pat(expires_at=(now + timedelta(days=1)).date().isoformat()).status_code == 400
    assert (
        hub.pat(expires_at=(now + timedelta(days=1)).replace(tzinfo=None).isoformat()).status_code
        == 400
    )
    assert hub.pat(expires_at=hub.later(minutes=-1)).status_code == 400
    zulu = (now + timedelta(days=1)).astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert hub.pat(expires_at=zulu).status_code == 201
    assert hub.pat(expires_at=None).status_code == 201  # never expires


def test_a_personal_token_is_live_for_its_user_until_deleted(hub):
    made = hub.pat(token_label="ci", expires_at=hub.later(days=30))
    assert made.status_code == 201
    body = made.json()
    assert body["token"][: len("dckr_pat_")] == "dckr_pat_"
    assert {"uuid", "token_label", "scopes", "expires_at", "created_at", "is_active"} <= set(body)
    assert (body["token_label"], body["scopes"], body["is_active"]) == ("ci", ["repo:read"], True)
    assert live_for(hub.authority, hub.user) == {body["token"]}
    shown = hub.call("GET", f"/v2/access-tokens/{body['uuid']}").json()
    assert shown["token"] == "***" and shown["uuid"] == body["uuid"]

    assert hub.call("DELETE", f"/v2/access-tokens/{body['uuid']}").status_code == 204
    assert live_for(hub.authority, hub.user) == set()
    assert hub.call("DELETE", f"/v2/access-tokens/{body['uuid']}").status_code == 404
    assert hub.call("GET", f"/v2/access-tokens/{body['uuid']}").status_code == 404


def test_another_users_token_is_not_found(hub, authority, http):
    other = Hub(authority, http)
    made = other.pat().json()
    assert hub.call("DELETE", f"/v2/access-tokens/{made['uuid']}").status_code == 404
    assert made["token"] in live_for(authority, other.user)


def test_the_personal_token_list_is_paged(hub):
    made = [hub.pat(token_label=f"t{n}").json()["uuid"] for n in range(3)]
    first = hub.call("GET", "/v2/access-tokens", params={"page_size": "2"}).json()
    assert (first["count"], first["active_count"], first["previous"]) == (3, 3, None)
    assert [t["uuid"] for t in first["results"]] == made[:2]
    assert all(t["token"] == "***" for t in first["results"])
    assert "page=2" in first["next"]
    second = httpx.get(first["next"], headers={"Authorization": f"Bearer {hub.jwt}"}).json()
    assert [t["uuid"] for t in second["results"]] == made[2:]
    assert second["next"] is None and "page=1" in second["previous"]
    assert hub.call("GET", "/v2/access-tokens", params={"page": "0"}).status_code == 400


def test_an_expired_token_logs_in_no_more_and_lists_inactive(hub):
    made = hub.pat(expires_at=hub.later(hours=1)).json()
    assert hub.login(hub.user, made["token"]).status_code == 200
    hub.authority.clock.advance(2 * 3600)
    assert hub.login(hub.user, made["token"]).status_code == 401
    jwt = hub.login(hub.user, hub.password).json()["access_token"]
    listed = hub.call("GET", "/v2/access-tokens", jwt=jwt).json()
    assert listed["results"][0]["is_active"] is False and listed["active_count"] == 0


@pytest.mark.parametrize("pat_manages_tokens", [False, True], ids=["refused", "allowed"])
def test_a_jwt_from_a_personal_token_manages_tokens_only_if_docker_allows_it(
    hub, pat_manages_tokens
):
    """Unconfirmed: users report 403 "token issued from personal access token is not allowed"."""
    hub.authority.dockerhub_pat_manages_tokens = pat_manages_tokens
    pat = hub.pat(scopes=["repo:admin"]).json()["token"]
    jwt = hub.login(hub.user, pat).json()["access_token"]
    for answer in (hub.pat(jwt=jwt), hub.oat(jwt=jwt)):
        if pat_manages_tokens:
            assert answer.status_code == 201
        else:
            assert answer.status_code == 403
            assert answer.json()["message"] == (
                "token issued from personal access token is not allowed"
            )


def test_reset_restores_the_reported_answer(authority):
    authority.dockerhub_pat_manages_tokens = True
    authority.reset()
    assert authority.dockerhub_pat_manages_tokens is False
