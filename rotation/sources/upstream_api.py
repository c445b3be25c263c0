"""Calls to an upstream's token API, with its answers sorted the way the rotation needs them:
401/403 -> PermanentError (the minting credential is wrong: retrying cannot help), 429, 5xx and
network failures -> TransientError (redeliver), other 4xx -> PermanentError with the API's reason.
A response body is quoted only for a 4xx other than 401/403; none of those carry a token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from rotation.core import logs
from rotation.core.errors import PermanentError, TransientError

_MAX_PAGES = 100  # of at most 100 items each: far more tokens than a project should hold


def call(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    doing: str,
    refused_remedy: str,
    accept: tuple[int, ...] = (),
    **kwargs: Any,
) -> httpx.Response:
    """`doing` names the operation for the error text, e.g. "creating a GitLab access token";
    statuses in `accept` are answers the caller handles (e.g. 404: already gone)."""
    try:
        response = http.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise TransientError(f"{doing}: {method} {url} timed out") from None
    except httpx.HTTPError as error:
        raise TransientError(f"{doing}: {method} {url} failed: {type(error).__name__}") from None
    status = response.status_code
    if status < 400 or status in accept:
        return response
    if status in (401, 403):
        raise PermanentError(f"{doing}: {method} {url} was refused (HTTP {status})", refused_remedy)
    if status == 429 or status >= 500:
        raise TransientError(f"{doing}: {method} {url} answered HTTP {status}")
    raise PermanentError(
        f"{doing}: {method} {url} answered HTTP {status}: {response.text[:300]}",
        remedy="check the source's annotations against the upstream's API",
    )


def json_field(response: httpx.Response, key: str, doing: str) -> Any:
    """A required field of a JSON answer; a malformed answer is the upstream's fault, so retry."""
    try:
        value = response.json()[key]
    except (ValueError, KeyError, TypeError):
        raise TransientError(f"{doing}: the answer has no {key!r} field") from None
    if value in (None, ""):
        raise TransientError(f"{doing}: the answer's {key!r} field is empty")
    return value


class TokenCollection:
    """A token API shaped like GitLab's and Artifactory's: POST to the collection creates a
    token, GET lists them, DELETE on `{collection}/{id}` revokes one (404: already gone)."""

    def __init__(
        self, http: httpx.Client, url: str, headers: dict[str, str], what: str, refused: str
    ) -> None:
        self._http = http
        self._url = url
        self._headers = headers
        self._what = what  # e.g. "GitLab access token"
        self._refused = refused

    def create(self, **body: Any) -> httpx.Response:
        return call(
            self._http,
            "POST",
            self._url,
            doing=f"creating a {self._what}",
            refused_remedy=self._refused,
            headers=self._headers,
            **body,
        )

    def listing(self, **params: str) -> Any:
        listed = call(
            self._http,
            "GET",
            self._url,
            doing=f"listing {self._what}s",
            refused_remedy=self._refused,
            params=params,
            headers=self._headers,
        )
        return listed.json()

    def listing_pages(self, **params: str) -> list[Any]:
        """Every item of a list GitLab pages: the `Link: rel="next"` URL is followed when it stays
        on the collection's host, else the page `X-Next-Page` names; neither: the last page."""
        items: list[Any] = []
        url, query, seen = self._url, dict(params), set()
        for _ in range(_MAX_PAGES):
            page = call(
                self._http,
                "GET",
                url,
                doing=f"listing {self._what}s",
                refused_remedy=self._refused,
                params=query,
                headers=self._headers,
            )
            body = page.json()
            if not isinstance(body, list):
                raise TransientError(f"listing {self._what}s: the answer is not a JSON list")
            items += body
            following = next_page(page, self._url, query)
            if following is None or following in seen:
                return items
            seen.add(following)
            url, query = following[0], dict(following[1])
        raise TransientError(f"listing {self._what}s: more than {_MAX_PAGES} pages")

    def revoke(self, token_id: str) -> None:
        call(
            self._http,
            "DELETE",
            f"{self._url}/{quote(token_id, safe='')}",
            doing=f"revoking {self._what} {token_id}",
            refused_remedy=self._refused,
            accept=(404,),
            headers=self._headers,
        )

    def revoke_unstored(self, token_ids: list[str]) -> None:
        """Revoke tokens an interrupted attempt minted but never stored."""
        for token_id in token_ids:
            logs.warning(
                f"revoking {self._what} {token_id}: an interrupted attempt minted it and never "
                "stored it",
                event="unstored_token_revoked",
                token_id=token_id,
            )
            self.revoke(token_id)


def next_page(
    page: httpx.Response, collection: str, query: dict[str, str]
) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """Where the next page is (URL without query, query), or None after the last page. A link to
    another host is not followed: the minting token would go with it."""
    link = page.links.get("next", {}).get("url")
    if link:
        target = urlsplit(link)
        if (target.scheme, target.netloc) == urlsplit(collection)[:2]:
            base = target._replace(query="", fragment="").geturl()
            return base, tuple(parse_qsl(target.query, keep_blank_values=True))
    number = page.headers.get("X-Next-Page", "").strip()
    if number.isdigit():
        return collection, tuple({**query, "page": number}.items())
    return None
