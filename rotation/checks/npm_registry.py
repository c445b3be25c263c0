"""Check a credential against an npm registry as Artifact Registry sends it, with basic auth: a
GET of the check URL (a package document, or the registry's `/-/whoami`) must answer 200."""

from __future__ import annotations

import httpx

from rotation.checks.verdict import get, judge
from rotation.core.token import Token


def check(http: httpx.Client, url: str, username: str, token: Token) -> None:
    auth = (username, token.reveal())
    answer = get(http, url, "npm registry", auth=auth, headers={"Accept": "application/json"})
    judge(answer, "npm registry", username)
