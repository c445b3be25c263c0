"""Artifactory's access-token API: create, list and revoke under /access/api/v1/tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from emulator.routing import HttpError, Request, Response, Router
from emulator.token_authority.ledger import Issued, TokenLedger
from emulator.token_rules import artifactory_token_request


class ArtifactoryApi:
    """Artifactory's routes on `ledger`. `max_expiry` is Artifactory's token.max-expiry in
    seconds (0: no limit), which tests may set."""

    def __init__(self, ledger: TokenLedger) -> None:
        self._ledger = ledger
        self.max_expiry = 0

    def install(self, router: Router) -> None:
        router.add("POST", "/access/api/v1/tokens", self._create)
        router.add("GET", "/access/api/v1/tokens", self._list)
        router.add("DELETE", r"/access/api/v1/tokens/(?P<token_id>[^/]+)", self._revoke)

    def _create(self, request: Request) -> Response:
        self._ledger.authorize(request, "artifactory")
        wanted = artifactory_token_request(_form_or_json(request), self.max_expiry)
        now = self._ledger.clock.now()
        expiry = now + timedelta(seconds=wanted.expires_in) if wanted.expires_in else None
        token = self._ledger.issue(
            "artifactory",
            username=wanted.username,
            name=wanted.description,
            owner="",
            scopes=[wanted.scope],
            expires_at=expiry.isoformat() if expiry else None,
            refreshable=wanted.refreshable,
        )
        answer: dict[str, Any] = {
            "token_id": token.id,
            "access_token": token.value,
            "scope": wanted.scope,
            "token_type": "access_token",
        }
        if wanted.expires_in:
            answer["expires_in"] = wanted.expires_in
        return Response.json(answer)

    def _list(self, request: Request) -> Response:
        self._ledger.authorize(request, "artifactory")
        described = request.query.get("description", [""])[0]
        tokens = self._ledger.live("artifactory")
        if described:
            tokens = [t for t in tokens if _matches_described(t.name, described)]
        return Response.json({"tokens": [_view(t) for t in tokens]})

    def _revoke(self, request: Request) -> Response:
        """200 when revoked; an unknown (or already revoked) id is 204, as JFrog documents."""
        self._ledger.authorize(request, "artifactory")
        try:
            self._ledger.revoke("artifactory", request.params["token_id"])
        except HttpError:
            return Response(HTTPStatus.NO_CONTENT)
        return Response(HTTPStatus.OK, b"", "text/plain")


def _view(token: Issued) -> dict[str, Any]:
    """An entry of Get Tokens: times in epoch seconds, `expiry` and `description` optional."""
    view: dict[str, Any] = {
        "token_id": token.id,
        "subject": f"jfac@local/users/{token.username}",
        "issued_at": int(datetime.fromisoformat(token.created_at).timestamp()),
        "issuer": "jfac@local",
        "refreshable": token.refreshable,
    }
    if token.expires_at:
        view["expiry"] = int(datetime.fromisoformat(token.expires_at).timestamp())
    if token.name:
        view["description"] = token.name
    return view


def _matches_described(description: str, wanted: str) -> bool:
    """Get Tokens' `description` filter: exact, or a prefix when it ends with `*`."""
    if wanted.endswith("*"):
        return description.startswith(wanted[:-1])
    return description == wanted


def _form_or_json(request: Request) -> dict[str, Any]:
    if "json" in (request.headers.get("Content-Type") or ""):
        return request.json()
    return {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
