"""What the token authority tests share: a token collection and the authority's today."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import httpx

from emulator.token_authority import TokenAuthority


class Collection:
    """A token collection's URL with the minting token's headers: `suffix` is "" or "/ID"."""

    def __init__(self, client: httpx.Client, url: str, headers: dict[str, str]) -> None:
        self.client, self.url, self.headers = client, url, headers

    def post(self, suffix: str = "", **kwargs: Any) -> httpx.Response:
        return self.client.post(self.url + suffix, headers=self.headers, **kwargs)

    def get(self, suffix: str = "", **kwargs: Any) -> httpx.Response:
        return self.client.get(self.url + suffix, headers=self.headers, **kwargs)

    def delete(self, suffix: str = "") -> httpx.Response:
        return self.client.delete(self.url + suffix, headers=self.headers)


def today(authority: TokenAuthority):
    return authority.clock.now().astimezone(UTC).date()


def create(client: Collection, **body: Any) -> httpx.Response:
    return client.post(json={"name": "t", "scopes": ["read_api"], **body})
