"""What the Docker Hub token API tests share: a logged-in user owning an organization."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from emulator.token_authority import TokenAuthority


class Hub:
    """One Docker Hub user (with an organization it owns) on the authority, logged in."""

    def __init__(self, authority: TokenAuthority, http: httpx.Client) -> None:
        self.authority, self.http = authority, http
        suffix = uuid.uuid4().hex[:10]
        self.user, self.org = f"u{suffix}", f"o{suffix}"
        authority.dockerhub_org(self.org, owners=(self.user,))
        self.password = authority.minting_token("dockerhub")
        self.jwt = self.login(self.user, self.password).json()["access_token"]

    def login(self, identifier: str, secret: str) -> httpx.Response:
        body = {"identifier": identifier, "secret": secret}
        return self.http.post(f"{self.authority.url}/v2/auth/token", json=body)

    def call(self, method: str, path: str, jwt: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {jwt or self.jwt}"}
        return self.http.request(method, self.authority.url + path, headers=headers, **kwargs)

    def pat(self, jwt: str | None = None, **body: Any) -> httpx.Response:
        wanted = {"token_label": "pull", "scopes": ["repo:read"], **body}
        return self.call("POST", "/v2/access-tokens", jwt, json=wanted)

    def oat(self, org: str | None = None, jwt: str | None = None, **body: Any) -> httpx.Response:
        resource = {"type": "TYPE_REPO", "path": "*/*/public", "scopes": ["scope-image-pull"]}
        wanted = {"label": "pull", "resources": [resource], **body}
        return self.call("POST", f"/v2/orgs/{org or self.org}/access-tokens", jwt, json=wanted)

    def later(self, **delta: float) -> str:
        return (self.authority.clock.now() + timedelta(**delta)).isoformat()


def live_for(authority: TokenAuthority, username: str) -> set[str]:
    return {t.value for t in authority.live("dockerhub") if t.username == username}
