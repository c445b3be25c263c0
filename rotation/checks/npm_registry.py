"""Check a credential against an npm registry as Artifact Registry sends it, with basic auth: a
GET of the check URL, a package document or the registry's `/-/whoami`, must answer 200. A
`/-/whoami` must also name a user: some registries (verdaccio) answer it 200 `{}` for a
credential they do not hold, as for an anonymous request."""

from __future__ import annotations

import httpx

from rotation.checks.verdict import get, judge
from rotation.core.annotation_values import PREFIX
from rotation.core.errors import TokenRejected
from rotation.core.token import Token

WHOAMI = "/-/whoami"


def check(http: httpx.Client, url: str, username: str, token: Token) -> None:
    auth = (username, token.reveal())
    answer = get(http, url, "npm registry", auth=auth, headers={"Accept": "application/json"})
    judge(answer, "npm registry", username)
    if url.rstrip("/").endswith(WHOAMI) and not _names_a_user(answer):
        raise TokenRejected(
            f"npm registry {url} answered {WHOAMI} without a user for user {username!r}: it "
            "does not know the new token",
            remedy=f"check that the registry accepts the source's tokens for user {username!r} "
            f"({PREFIX}username); or set {PREFIX}check-url to a package document",
        )


def _names_a_user(answer: httpx.Response) -> bool:
    try:
        body = answer.json()
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("username"))
