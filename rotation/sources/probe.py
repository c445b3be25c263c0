"""Check a credential against a PEP 503 / PEP 691 index by asking for its root page."""

from __future__ import annotations

import httpx

from rotation.core.annotation_values import PREFIX
from rotation.core.errors import TokenRejected, TransientError
from rotation.core.token import Token

ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"


def probe_index(client: httpx.Client, index_url: str, username: str, token: Token) -> None:
    """200 means accepted; 401 or 403 means refused; anything else is not a verdict."""
    url = index_url.rstrip("/") + "/"
    try:
        response = client.get(url, auth=(username, token.reveal()), headers={"Accept": ACCEPT})
    except httpx.HTTPError as error:
        raise TransientError(f"index {url} could not be reached: {type(error).__name__}") from None
    if response.status_code == 200:
        return
    if response.status_code in (401, 403):
        raise TokenRejected(
            f"index {url} refused the new token for user {username!r} (HTTP {response.status_code})",
            remedy=f"check that {url} accepts the source's tokens for user {username!r} "
            f"({PREFIX}username, {PREFIX}index-url), then republish",
        )
    raise TransientError(f"index {url} answered HTTP {response.status_code}")
