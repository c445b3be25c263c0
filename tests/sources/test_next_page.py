"""Which page of a GitLab list comes next: a small pure unit, on constructed responses."""

from __future__ import annotations

import httpx

from rotation.sources.upstream_api import next_page

COLLECTION = "https://gitlab.example.com/api/v4/projects/1/access_tokens"


def page(**headers: str) -> httpx.Response:
    return httpx.Response(200, headers=headers, request=httpx.Request("GET", COLLECTION))


def test_the_link_on_the_same_host_is_followed():
    link = f'<{COLLECTION}?page=2&per_page=100&state=active>; rel="next"'
    assert next_page(page(Link=link, **{"X-Next-Page": "2"}), COLLECTION, {}) == (
        COLLECTION,
        (("page", "2"), ("per_page", "100"), ("state", "active")),
    )


def test_a_link_to_another_host_is_not_followed_the_page_number_is():
    link = '<https://elsewhere.example.com/steal?page=2>; rel="next"'
    found = next_page(page(Link=link, **{"X-Next-Page": "2"}), COLLECTION, {"per_page": "100"})
    assert found == (COLLECTION, (("per_page", "100"), ("page", "2")))


def test_no_link_and_an_emptynext_page_is_the_last_page():
    assert next_page(page(**{"X-Next-Page": ""}), COLLECTION, {}) is None
    assert next_page(page(), COLLECTION, {}) is None
