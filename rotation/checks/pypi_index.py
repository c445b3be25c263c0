"""Check a credential against a PEP 503 / PEP 691 index by asking for its root page."""

from __future__ import annotations

import httpx

from rotation.checks.verdict import get, judge
from rotation.core.token import Token

ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"


def check(http: httpx.Client, index_url: str, username: str, token: Token) -> None:
    url = index_url.rstrip("/") + "/"
    auth = (username, token.reveal())
    judge(get(http, url, "index", auth=auth, headers={"Accept": ACCEPT}), "index", username)
