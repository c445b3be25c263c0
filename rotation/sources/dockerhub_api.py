"""Docker Hub's token API as the dockerhub source uses it: log in with the admin credential
(`POST /v2/auth/token` -> a JWT valid about 10 minutes), then create, list and delete the personal
(`/v2/access-tokens`) or organization (`/v2/orgs/ORG/access-tokens`) access tokens with it.
Docker Hub API reference: https://docs.docker.com/reference/api/hub/latest/
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from rotation.core.annotation_values import PREFIX
from rotation.core.errors import TransientError
from rotation.core.source import SourceContext
from rotation.sources.upstream_api import TokenCollection, call, json_field

DEFAULT_URL = "https://hub.docker.com"
_MAX_PAGES = 100  # of 100 tokens each
_LOGIN_REFUSED = (
    f"Docker Hub refused the login: {PREFIX}admin-secret must hold the password (or a personal "
    f"access token) of the Docker Hub user {PREFIX}admin-username names (default: "
    f"{PREFIX}dockerhub-namespace); for organization tokens that user must be an owner"
)
_MANAGE_REFUSED = (
    f"Docker Hub refused to manage access tokens with the credential in {PREFIX}admin-secret. "
    "A login with a personal access token may not manage tokens (users report a 403 "
    f"'token issued from personal access token is not allowed'): store the account's password in "
    f"{PREFIX}admin-secret instead; organization tokens need a password of an owner of the "
    "organization. Where no password can be used (SSO enforced), mint with a service of your "
    "own and the http source"
)


class DockerHubTokens:
    """The access tokens of the secret's namespace, managed with a JWT of the admin login."""

    def __init__(self, http: httpx.Client, context: SourceContext) -> None:
        settings = context.config.source_settings
        namespace = context.config.setting("dockerhub-namespace")
        base = settings.get("dockerhub-url", DEFAULT_URL).rstrip("/")
        self.organization = settings.get("dockerhub-token-kind") == "organization"
        kind = "organization" if self.organization else "personal"
        self.what = f"Docker Hub {kind} access token"
        answer = call(
            http,
            "POST",
            f"{base}/v2/auth/token",
            doing="logging in to Docker Hub",
            refused_remedy=_LOGIN_REFUSED,
            json={
                "identifier": settings.get("admin-username", namespace),
                "secret": context.read_secret("admin-secret").reveal(),
            },
        )
        jwt = str(json_field(answer, "access_token", "logging in to Docker Hub"))
        url = (
            f"{base}/v2/orgs/{quote(namespace, safe='')}/access-tokens"
            if self.organization
            else f"{base}/v2/access-tokens"
        )
        headers = {"Authorization": f"Bearer {jwt}"}
        self.tokens = TokenCollection(http, url, headers, self.what, _MANAGE_REFUSED)

    def create(self, body: dict[str, Any]) -> tuple[str, str]:
        """(id, token value) of a new token."""
        created = self.tokens.create(json=body)
        doing = f"creating a {self.what}"
        token_id = json_field(created, "id" if self.organization else "uuid", doing)
        return str(token_id), str(json_field(created, "token", doing))

    def listed(self) -> list[dict[str, Any]]:
        """Every token of the namespace, page by page (`next` is null on the last page)."""
        items: list[dict[str, Any]] = []
        for number in range(1, _MAX_PAGES + 1):
            body = self.tokens.listing(page=str(number), page_size="100")
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list):
                raise TransientError(f"listing {self.what}s: the answer has no 'results' list")
            items += results
            if not body.get("next"):
                return items
        raise TransientError(f"listing {self.what}s: more than {_MAX_PAGES} pages")

    def revoke_labelled(self, label: str) -> None:
        """Delete every token labelled `label`: one an interrupted attempt minted."""
        key = "label" if self.organization else "token_label"
        id_key = "id" if self.organization else "uuid"
        self.tokens.revoke_unstored(
            [str(t[id_key]) for t in self.listed() if t.get(key) == label and t.get(id_key)]
        )
