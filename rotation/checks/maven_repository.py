"""Check a credential against a Maven repository with basic auth, as Artifact Registry sends
it: a GET of the check URL (the repository's root, or an artifact's `maven-metadata.xml`) must
answer 200."""

from __future__ import annotations

import httpx

from rotation.checks.verdict import get, judge
from rotation.core.token import Token


def check(http: httpx.Client, url: str, username: str, token: Token) -> None:
    auth = (username, token.reveal())
    judge(get(http, url, "Maven repository", auth=auth), "Maven repository", username)
