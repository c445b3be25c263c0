"""Docker Hub's login and access-token API, personal (PAT) and organization (OAT) tokens, on the
shared ledger (api "dockerhub"; a PAT's owner is `users/NAME`, an OAT's `orgs/NAME`, and each is
live on the CredentialHolder for that user or organization name, the user name `docker login`
takes). Who may call what: dockerhub_sessions.py; what a request may ask: dockerhub_rules.py.

    POST   /v2/auth/token {identifier, secret}            -> 200 {access_token}
    POST   /v2/access-tokens {token_label, scopes, expires_at?}
                                                          -> 201 {uuid, token, token_label, ...}
    GET    /v2/access-tokens (page, page_size)            -> 200 {count, next, previous,
                                                                  active_count, results}
    GET    /v2/access-tokens/UUID                         -> 200 (token redacted)
    DELETE /v2/access-tokens/UUID                         -> 204
    POST   /v2/orgs/ORG/access-tokens {label, description?, resources, expires_at?}
                                                          -> 201 {id, token, label, resources, ...}
    GET    /v2/orgs/ORG/access-tokens (page, page_size)   -> 200 {total, next, previous, results}
    GET    /v2/orgs/ORG/access-tokens/ID                  -> 200 {..., resources}
    DELETE /v2/orgs/ORG/access-tokens/ID                  -> 204
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import Any

from emulator.routing import HttpError, Request, Response, Router
from emulator.token_authority.dockerhub_rules import oat_request, page, pat_request
from emulator.token_authority.dockerhub_sessions import DockerHubSessions, refusal
from emulator.token_authority.ledger import Issued, TokenLedger

_PATS = "/v2/access-tokens"
_OATS = r"/v2/orgs/(?P<org>[^/]+)/access-tokens"
_ID = r"/(?P<token_id>[^/]+)"


class DockerHubApi:
    """Docker Hub's routes on `ledger`; `own_host` is the authority's host:port, for page links
    when a request names no Host."""

    def __init__(self, ledger: TokenLedger, own_host: Callable[[], str]) -> None:
        self._ledger = ledger
        self._own_host = own_host
        self.sessions = DockerHubSessions(ledger)
        self._oats: dict[str, dict[str, Any]] = {}  # OAT id -> created_by, resources
        self._lock = threading.Lock()

    def install(self, router: Router) -> None:
        router.add("POST", "/v2/auth/token", self._login)
        router.add("POST", _PATS, self._create_pat)
        router.add("GET", _PATS, self._list_pats)
        router.add("GET", _PATS + _ID, self._get_pat)
        router.add("DELETE", _PATS + _ID, self._delete_pat)
        router.add("POST", _OATS, self._create_oat)
        router.add("GET", _OATS, self._list_oats)
        router.add("GET", _OATS + _ID, self._get_oat)
        router.add("DELETE", _OATS + _ID, self._delete_oat)

    def _login(self, request: Request) -> Response:
        body = request.json()
        jwt = self.sessions.login(body.get("identifier"), body.get("secret"))
        return Response.json({"access_token": jwt})

    def _create_pat(self, request: Request) -> Response:
        user = self.sessions.caller(request).subject
        wanted = pat_request(request.json(), self._ledger.clock.now())
        token = self._ledger.issue(
            "dockerhub",
            username=user,
            name=wanted.label,
            owner=f"users/{user}",
            scopes=wanted.scopes,
            expires_at=wanted.expires_at.isoformat() if wanted.expires_at else None,
        )
        answer = self._pat_view(token, request) | {"token": token.value}
        return Response.json(answer, HTTPStatus.CREATED)

    def _list_pats(self, request: Request) -> Response:
        owner = f"users/{self.sessions.caller(request).subject}"
        views = [self._pat_view(t, request) for t in self._tokens(owner)]
        listed = page(views, request.query, self._url(request), "count")
        listed["active_count"] = sum(1 for v in views if v["is_active"])
        return Response.json(listed)

    def _get_pat(self, request: Request) -> Response:
        owner = f"users/{self.sessions.caller(request).subject}"
        return Response.json(self._pat_view(self._token(owner, request), request))

    def _delete_pat(self, request: Request) -> Response:
        return self._delete(f"users/{self.sessions.caller(request).subject}", request)

    def _create_oat(self, request: Request) -> Response:
        org = request.params["org"]
        session = self.sessions.owner(request, org)
        wanted = oat_request(request.json(), org, self._ledger.clock.now())
        token = self._ledger.issue(
            "dockerhub",
            username=org,
            name=wanted.label,
            owner=f"orgs/{org}",
            scopes=sorted({s for r in wanted.resources for s in r["scopes"]}),
            expires_at=wanted.expires_at.isoformat() if wanted.expires_at else None,
            prefix="dockerhub-org",
        )
        with self._lock:
            self._oats[token.id] = {"created_by": session.subject, "resources": wanted.resources}
        answer = self._oat_view(token) | {"token": token.value, "resources": wanted.resources}
        return Response.json(answer, HTTPStatus.CREATED)

    def _list_oats(self, request: Request) -> Response:
        org = request.params["org"]
        self.sessions.owner(request, org)
        views = [self._oat_view(t) for t in self._tokens(f"orgs/{org}")]
        return Response.json(page(views, request.query, self._url(request), "total"))

    def _get_oat(self, request: Request) -> Response:
        org = request.params["org"]
        self.sessions.owner(request, org)
        token = self._token(f"orgs/{org}", request)
        with self._lock:
            resources = self._oats.get(token.id, {}).get("resources", [])
        return Response.json(self._oat_view(token) | {"resources": resources})

    def _delete_oat(self, request: Request) -> Response:
        org = request.params["org"]
        self.sessions.owner(request, org)
        return self._delete(f"orgs/{org}", request)

    def _tokens(self, owner: str) -> list[Issued]:
        """The owner's tokens not deleted (an expired one is listed, inactive), oldest first."""
        return [t for t in self._ledger.live("dockerhub") if t.owner == owner]

    def _token(self, owner: str, request: Request) -> Issued:
        wanted = request.params["token_id"]
        for token in self._tokens(owner):
            if token.id == wanted:
                return token
        raise refusal(HTTPStatus.NOT_FOUND, "access token not found")

    def _delete(self, owner: str, request: Request) -> Response:
        try:
            self._ledger.revoke("dockerhub", request.params["token_id"], owner)
        except HttpError:
            raise refusal(HTTPStatus.NOT_FOUND, "access token not found") from None
        return Response(HTTPStatus.NO_CONTENT)

    def _url(self, request: Request) -> str:
        return f"http://{request.headers.get('Host') or self._own_host()}{request.path}"

    def _active(self, token: Issued) -> bool:
        expires = token.expires_at
        return expires is None or datetime.fromisoformat(expires) > self._ledger.clock.now()

    def _pat_view(self, token: Issued, request: Request) -> dict[str, Any]:
        """accessToken: the value redacted as `***` after creation."""
        return {
            "uuid": token.id,
            "client_id": "HUB",
            "creator_ip": "127.0.0.1",
            "creator_ua": request.headers.get("User-Agent", ""),
            "created_at": _rfc3339(token.created_at),
            "last_used": None,
            "generated_by": "manual",
            "is_active": self._active(token),
            "token": "***",
            "token_label": token.name,
            "scopes": token.scopes,
            "expires_at": _rfc3339(token.expires_at),
        }

    def _oat_view(self, token: Issued) -> dict[str, Any]:
        with self._lock:
            created_by = self._oats.get(token.id, {}).get("created_by", "")
        return {
            "id": token.id,
            "label": token.name,
            "created_by": created_by,
            "is_active": self._active(token),
            "created_at": _rfc3339(token.created_at),
            "expires_at": _rfc3339(token.expires_at),
            "last_used_at": None,
        }


def _rfc3339(text: str | None) -> str | None:
    return text.replace("+00:00", "Z") if text else None
