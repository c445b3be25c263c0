"""Check a credential against a Docker registry (Docker Hub or any other) by the registry v2
authentication flow, as Artifact Registry logs in upstream with a username and password:

- `GET /v2/` without credentials answers 401 with a challenge;
- a `Bearer realm=...,service=...` challenge (Docker Hub, most registries): the realm (a token
  service) is asked with basic auth, and answers 200 with a token for an accepted credential,
  401 or 403 for a refused one; `GET /v2/` with that bearer token must then answer 200;
- a `Basic` challenge (a registry with htpasswd auth): `GET /v2/` with basic auth must answer 200.

A registry that answers `/v2/` without any credential checks none, so every token passes.
"""

from __future__ import annotations

import re

import httpx

from rotation.checks.verdict import get, judge
from rotation.core.errors import TransientError
from rotation.core.token import Token

_PARAMETER = re.compile(r'(\w+)="([^"]*)"')


def check(http: httpx.Client, url: str, username: str, token: Token) -> None:
    root = url.rstrip("/") + "/v2/"
    challenge = get(http, root, "registry")
    if challenge.status_code == 200:
        return
    scheme, _, parameters = challenge.headers.get("www-authenticate", "").partition(" ")
    auth = (username, token.reveal())
    if challenge.status_code != 401 or scheme.lower() not in ("bearer", "basic"):
        raise TransientError(
            f"registry {root} answered HTTP {challenge.status_code} without the challenge of a "
            "registry (401 with WWW-Authenticate: Bearer or Basic)"
        )
    if scheme.lower() == "basic":
        judge(get(http, root, "registry", auth=auth), "registry", username)
        return
    bearer = _token_from_realm(http, dict(_PARAMETER.findall(parameters)), root, auth)
    answer = get(http, root, "registry", headers={"Authorization": f"Bearer {bearer}"})
    judge(answer, "registry", username)


def _token_from_realm(
    http: httpx.Client, challenge: dict[str, str], root: str, auth: tuple[str, str]
) -> str:
    """The registry's token service's answer to the credential: a bearer token for /v2/."""
    realm = challenge.get("realm")
    if not realm:
        raise TransientError(f"registry {root} sent a Bearer challenge without a realm")
    query = {key: value for key, value in challenge.items() if key in ("service", "scope")}
    answer = get(http, realm, "the registry's token service", auth=auth, params=query)
    judge(answer, "the registry's token service", auth[0])
    try:
        body = answer.json()
        bearer = body.get("token") or body.get("access_token")
    except (ValueError, AttributeError):
        bearer = None
    if not isinstance(bearer, str) or not bearer:
        raise TransientError(f"the token service {realm} answered 200 without a token")
    return bearer
