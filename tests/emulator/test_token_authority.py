"""The token authority refuses what GitLab and Artifactory refuse (emulator/FIDELITY.md, "Upstream
token APIs"), over real HTTP. "Today" is the authority's clock, set from the real clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from emulator.token_authority import TokenAuthority


@pytest.fixture
def project(authority: TokenAuthority) -> str:
    """A fresh GitLab project's full path."""
    path = f"team-{uuid.uuid4().hex[:8]}/wheels"
    authority.gitlab_project(path)
    return path


class Collection:
    """A token collection's URL with the minting token's headers: `suffix` is "" or "/ID"."""

    def __init__(self, client: httpx.Client, url: str, headers: dict[str, str]) -> None:
        self.client, self.url, self.headers = client, url, headers

    def post(self, suffix: str = "", **kwargs: Any) -> httpx.Response:
        return self.client.post(self.url + suffix, headers=self.headers, **kwargs)

    def get(self, suffix: str = "", **kwargs: Any) -> httpx.Response:
        return self.client.get(self.url + suffix, headers=self.headers, **kwargs)

    def delete(self, suffix: str = "") -> httpx.Response:
        return self.client.delete(self.url + suffix, headers=self.headers)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture
def gitlab(authority: TokenAuthority, project: str, http: httpx.Client) -> Collection:
    url = f"{authority.url}/api/v4/projects/{quote(project, safe='')}/access_tokens"
    return Collection(http, url, {"PRIVATE-TOKEN": authority.minting_token("gitlab")})


@pytest.fixture
def artifactory(authority: TokenAuthority, http: httpx.Client) -> Collection:
    headers = {"Authorization": f"Bearer {authority.minting_token('artifactory')}"}
    return Collection(http, f"{authority.url}/access/api/v1/tokens", headers)


def today(authority: TokenAuthority):
    return authority.clock.now().astimezone(UTC).date()


def create(client: Collection, **body: Any) -> httpx.Response:
    return client.post(json={"name": "t", "scopes": ["read_api"], **body})


# --- GitLab ------------------------------------------------------------------------------


def test_expires_at_up_to_today_plus_365_days(authority, gitlab):
    last = today(authority) + timedelta(days=365)
    assert create(gitlab, expires_at=last.isoformat()).status_code == 201
    refused = create(gitlab, expires_at=(last + timedelta(days=1)).isoformat())
    assert refused.status_code == 400
    assert refused.json() == {
        "message": f"400 Bad request - Expires at must be before {last.isoformat()}"
    }


def test_today_is_the_utc_date_of_the_authoritys_clock(authority, gitlab):
    midnight = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), clock_time(), UTC)
    authority.clock.set(midnight - timedelta(seconds=30))
    day_after_a_year = (midnight + timedelta(days=365)).date().isoformat()
    assert create(gitlab, expires_at=day_after_a_year).status_code == 400
    authority.clock.set(midnight + timedelta(seconds=30))
    assert create(gitlab, expires_at=day_after_a_year).status_code == 201


def test_expires_at_today_or_earlier_is_refused(authority, gitlab):
    for day in (today(authority), today(authority) - timedelta(days=1)):
        assert create(gitlab, expires_at=day.isoformat()).status_code == 400
    assert create(gitlab, expires_at=(today(authority) + timedelta(days=1)).isoformat()).is_success


NEXT_MONTH = (datetime.now(UTC) + timedelta(days=30)).date()


@pytest.mark.parametrize(
    "value",
    [
        "tomorrow",
        f"{NEXT_MONTH:%Y}-13-01",
        f"{NEXT_MONTH:%Y%m%d}",
        int(f"{NEXT_MONTH:%Y%m%d}"),
        f"{NEXT_MONTH.isoformat()}T00:00",
    ],
)
def test_expires_at_must_be_a_yyyy_mm_dd_date(gitlab, value):
    answer = create(gitlab, expires_at=value)
    assert answer.status_code == 400
    assert answer.json() == {"error": "expires_at is invalid"}


def test_expires_at_absent_is_the_maximum(authority, gitlab):
    answer = create(gitlab)
    assert answer.json()["expires_at"] == (today(authority) + timedelta(days=365)).isoformat()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"scopes": ["read_api"]}, "name is missing"),
        ({"name": "t"}, "scopes is missing"),
        ({"name": "t", "scopes": ["read_user"]}, "scopes does not have a valid value"),
        ({"name": "t", "scopes": ["nonsense"]}, "scopes does not have a valid value"),
        ({"name": "t", "scopes": "read_api"}, "scopes is invalid"),
        ({"name": "t", "scopes": ["read_api"], "access_level": 60}, "access_level does not have"),
        ({"name": "t", "scopes": ["read_api"], "access_level": "owner"}, "access_level is invalid"),
    ],
)
def test_parameters_gitlab_refuses(gitlab, body, error):
    answer = gitlab.post(json=body)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(error)


def test_blank_name_or_no_scopes_are_refused(gitlab):
    assert gitlab.post(json={"name": " ", "scopes": ["read_api"]}).status_code == 400
    assert gitlab.post(json={"name": "t", "scopes": []}).status_code == 400


def test_access_level_defaults_to_maintainer(gitlab):
    assert create(gitlab).json()["access_level"] == 40
    assert create(gitlab, access_level=20).json()["access_level"] == 20


def test_lists_are_paged_as_gitlab_pages_them(gitlab):
    made = [create(gitlab, name=f"t{n}").json()["id"] for n in range(23)]

    first = gitlab.get()
    assert [t["id"] for t in first.json()] == made[:20]
    assert first.headers["X-Per-Page"] == "20"
    assert first.headers["X-Total"] == "23"
    assert first.headers["X-Total-Pages"] == "2"
    assert first.headers["X-Next-Page"] == "2"
    assert first.headers["X-Prev-Page"] == ""
    second = httpx.get(first.links["next"]["url"], headers=gitlab.headers)
    assert [t["id"] for t in second.json()] == made[20:]
    assert second.headers["X-Next-Page"] == ""
    assert "next" not in second.links
    assert [t["id"] for t in gitlab.get(params={"per_page": 500}).json()] == made


def test_listing_filters_by_state(authority, gitlab):
    kept, gone = create(gitlab).json(), create(gitlab).json()
    gitlab.delete(f"/{gone['id']}")
    assert [t["id"] for t in gitlab.get(params={"state": "active"}).json()] == [kept["id"]]
    assert [t["id"] for t in gitlab.get(params={"state": "inactive"}).json()] == [gone["id"]]


def test_a_token_past_its_expiry_date_is_inactive(authority, gitlab):
    made = create(gitlab, expires_at=(today(authority) + timedelta(days=2)).isoformat()).json()
    authority.clock.advance(timedelta(days=2).total_seconds())
    assert gitlab.get(params={"state": "active"}).json() == []
    assert gitlab.get(params={"state": "inactive"}).json()[0]["id"] == made["id"]


def test_a_project_by_numeric_id_or_encoded_path_not_a_raw_path(authority, gitlab, project):
    number = authority.gitlab_project(project)
    made = create(gitlab).json()
    by_id = httpx.get(
        f"{authority.url}/api/v4/projects/{number}/access_tokens", headers=gitlab.headers
    )
    assert [t["id"] for t in by_id.json()] == [made["id"]]
    raw = httpx.get(
        f"{authority.url}/api/v4/projects/{project}/access_tokens", headers=gitlab.headers
    )
    assert raw.status_code == 404
    unknown = httpx.get(
        f"{authority.url}/api/v4/projects/nobody%2Fnothing/access_tokens", headers=gitlab.headers
    )
    assert unknown.status_code == 404
    assert unknown.json() == {"message": "404 Project Not Found"}


def test_a_group_holds_its_own_tokens_by_numeric_id_or_encoded_path(authority, project, http):
    group = f"team-{uuid.uuid4().hex[:8]}/platform"
    number = authority.gitlab_group(group)
    assert authority.gitlab_group(group) == number  # made known once: the same id again
    project_number = authority.gitlab_project(project)
    assert project_number != number
    headers = {"PRIVATE-TOKEN": authority.minting_token("gitlab")}
    by_path = f"{authority.url}/api/v4/groups/{quote(group, safe='')}/access_tokens"
    by_id = f"{authority.url}/api/v4/groups/{number}/access_tokens"

    made = http.post(by_path, headers=headers, json={"name": "g", "scopes": ["read_api"]})

    assert made.status_code == 201
    token = made.json()
    assert [t["id"] for t in http.get(by_id, headers=headers).json()] == [token["id"]]
    assert [t.owner for t in authority.live("gitlab") if t.value == token["token"]] == [
        f"groups/{number}"
    ]
    index = f"{authority.url}/api/v4/groups/{number}/-/packages/pypi/simple/"
    assert http.get(index, auth=("anyone", token["token"])).status_code == 200
    project_tokens = f"{authority.url}/api/v4/projects/{project_number}/access_tokens"
    assert http.get(project_tokens, headers=headers).json() == []
    # A project's id names no group, and a group's token is not revoked through a project.
    not_a_group = http.get(
        f"{authority.url}/api/v4/groups/{project_number}/access_tokens", headers=headers
    )
    assert not_a_group.status_code == 404
    assert not_a_group.json() == {"message": "404 Group Not Found"}
    assert http.delete(f"{project_tokens}/{token['id']}", headers=headers).status_code == 404
    assert http.delete(f"{by_id}/{token['id']}", headers=headers).status_code == 204
    assert http.get(index, auth=("anyone", token["token"])).status_code == 403  # revoked: wrong
    gone = http.delete(f"{by_id}/{token['id']}", headers=headers)
    assert gone.json() == {"message": "404 group Access Token Not Found"}


def test_revoking_an_unknown_token_is_404(gitlab):
    answer = gitlab.delete("/999999")
    assert answer.status_code == 404
    assert answer.json() == {"message": "404 project Access Token Not Found"}


# --- Artifactory -------------------------------------------------------------------------


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
