"""GitLab's project and group access-token API, `personal_access_tokens/self`, and GitLab's PyPI
endpoint in front of the index (the routes are listed in the package docstring)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from http import HTTPStatus
from typing import Any

import httpx

from emulator.credentials import ANY_USER
from emulator.routing import HttpError, Request, Response, Router
from emulator.token_authority.ledger import Issued, TokenLedger
from emulator.token_rules import gitlab_page, gitlab_token_request

_TOKENS = r"/api/v4/(?P<kind>projects|groups)/(?P<owner>[^/]+)/access_tokens"
_INDEX = r"/api/v4/(?:projects|groups)/[^/]+/(?:-/)?packages/pypi/simple(?P<rest>/.*)?"


class GitLabApi:
    """GitLab's routes on `ledger`; `own_host` is the authority's host:port, for page links
    when a request names no Host."""

    def __init__(self, ledger: TokenLedger, own_host: Callable[[], str]) -> None:
        self._ledger = ledger
        self._own_host = own_host

    def install(self, router: Router) -> None:
        router.add("POST", _TOKENS, self._create)
        router.add("GET", _TOKENS, self._list)
        router.add("DELETE", _TOKENS + r"/(?P<token_id>\d+)", self._revoke)
        router.add("GET", "/api/v4/personal_access_tokens/self", self._self)
        router.add("GET", _INDEX, self._index)
        router.add("GET", r"/packages/(?P<rest>[^?]+)", self._index)

    def _create(self, request: Request) -> Response:
        self._ledger.authorize(request, "gitlab")
        owner = self._ledger.owner(request.params["kind"], request.params["owner"])
        wanted = gitlab_token_request(request.json(), self._ledger.today())
        token = self._ledger.issue(
            "gitlab",
            username=ANY_USER,
            name=wanted.name,
            owner=owner,
            scopes=wanted.scopes,
            expires_at=wanted.expires_at.isoformat(),
            access_level=wanted.access_level,
        )
        answer = self._view(token) | {"token": token.value}
        return Response.json(answer, HTTPStatus.CREATED)

    def _list(self, request: Request) -> Response:
        self._ledger.authorize(request, "gitlab")
        owner = self._ledger.owner(request.params["kind"], request.params["owner"])
        wanted = request.query.get("state", [""])[0]
        tokens = [t for t in self._ledger.issued("gitlab") if t.owner == owner]
        views = [self._view(t) for t in tokens]
        if wanted:
            views = [v for v in views if ("active" if v["active"] else "inactive") == wanted]
        host = request.headers.get("Host") or self._own_host()
        page = gitlab_page(views, request.query, f"http://{host}{request.path}")
        return Response(HTTPStatus.OK, Response.json(page.items).body, headers=page.headers)

    def _revoke(self, request: Request) -> Response:
        self._ledger.authorize(request, "gitlab")
        owner = self._ledger.owner(request.params["kind"], request.params["owner"])
        what = "project" if owner.startswith("projects/") else "group"
        try:
            self._ledger.revoke("gitlab", request.params["token_id"], owner)
        except HttpError:
            raise HttpError(HTTPStatus.NOT_FOUND, f"404 {what} Access Token Not Found") from None
        return Response(HTTPStatus.NO_CONTENT)

    def _view(self, token: Issued) -> dict[str, Any]:
        expired = token.expires_at is not None and date.fromisoformat(token.expires_at) <= (
            self._ledger.today()
        )
        return {
            "id": int(token.id),
            "name": token.name,
            "revoked": token.revoked,
            "active": not token.revoked and not expired,
            "created_at": token.created_at,
            "scopes": token.scopes,
            "expires_at": token.expires_at,
            "access_level": token.access_level,
        }

    def _self(self, request: Request) -> Response:
        """A token describing itself (authenticated by itself)."""
        presented = request.headers.get("PRIVATE-TOKEN") or ""
        live = [t for t in self._ledger.live("gitlab") if t.value == presented]
        if not live:
            raise HttpError(HTTPStatus.UNAUTHORIZED, "401 Unauthorized")
        return Response.json(self._view(live[0]))

    def _index(self, request: Request) -> Response:
        """GitLab's PyPI endpoint (and its file links): the index, behind the same credentials."""
        rest = request.params.get("rest") or "/"
        target = "simple" + rest if "/packages/pypi/" in request.path else "packages/" + rest
        headers = {
            name: request.headers[name]
            for name in ("Authorization", "Accept")
            if name in request.headers
        }
        index_port = self._ledger.index.port
        answer = httpx.get(f"http://127.0.0.1:{index_port}/{target}", headers=headers)
        content_type = answer.headers.get("content-type", "application/octet-stream")
        return Response(HTTPStatus(answer.status_code), answer.content, content_type)
