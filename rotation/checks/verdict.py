"""What every format's check shares: one request with a deadline, and the verdict on its answer."""

from __future__ import annotations

import httpx

from rotation.core.annotation_values import PREFIX
from rotation.core.errors import TokenRejected, TransientError


def get(http: httpx.Client, url: str, what: str, **options: object) -> httpx.Response:
    """GET `url` (the shared client has a deadline); an unreachable upstream is transient."""
    try:
        return http.get(url, **options)  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        raise TransientError(f"{what} {url} could not be reached: {type(error).__name__}") from None


def judge(response: httpx.Response, what: str, username: str) -> None:
    """200 means accepted; 401 or 403 means refused; anything else is not a verdict."""
    url = str(response.request.url)
    if response.status_code == 200:
        return
    if response.status_code in (401, 403):
        raise TokenRejected(
            f"{what} {url} refused the new token for user {username!r} "
            f"(HTTP {response.status_code})",
            remedy=f"check that {url} accepts the source's tokens for user {username!r} "
            f"({PREFIX}username, {PREFIX}check-url), then republish",
        )
    raise TransientError(f"{what} {url} answered HTTP {response.status_code}")
