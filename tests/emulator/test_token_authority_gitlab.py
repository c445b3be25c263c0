"""The token authority refuses what GitLab refuses (emulator/FIDELITY.md, "Upstream token APIs"),
over real HTTP. "Today" is the authority's clock, set from the real clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from urllib.parse import quote

import httpx
import pytest

from emulator.token_authority import TokenAuthority
from tests.emulator.token_authority_support import Collection, create, today


@pytest.fixture
def project(authority: TokenAuthority) -> str:
    """A fresh GitLab project's full path."""
    path = f"team-{uuid.uuid4().hex[:8]}/wheels"
    authority.gitlab_project(path)
    return path


@pytest.fixture
def gitlab(authority: TokenAuthority, project: str, http: httpx.Client) -> Collection:
    url = f"{authority.url}/api/v4/projects/{quote(project, safe='')}/access_tokens"
    return Collection(http, url, {"PRIVATE-TOKEN": authority.minting_token("gitlab")})


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
