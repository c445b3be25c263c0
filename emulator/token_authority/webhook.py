"""A minting webhook of the shape the `http` source expects: create a token per rotation key,
revoke one by id or rotation key."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

from emulator.routing import HttpError, Request, Response, Router
from emulator.token_authority.ledger import TokenLedger


class WebhookApi:
    """The webhook's routes on `ledger` (no authentication; the Authorization header is
    recorded with the call)."""

    def __init__(self, ledger: TokenLedger) -> None:
        self._ledger = ledger

    def install(self, router: Router) -> None:
        router.add("POST", "/webhook/tokens", self._create)
        router.add("DELETE", r"/webhook/tokens/(?P<token_id>[^/]+)", self._revoke)

    def _create(self, request: Request) -> Response:
        body = request.json()
        rotation, username = body.get("rotation"), body.get("username")
        if not isinstance(rotation, str) or not isinstance(username, str) or not username:
            raise HttpError(HTTPStatus.BAD_REQUEST, "rotation and username are required")
        # Idempotent per rotation key: a retried request leaves one live token, not two.
        for earlier in self._ledger.live("webhook"):
            if earlier.name == rotation:
                self._ledger.revoke("webhook", earlier.id)
        expiry = (self._ledger.clock.now() + timedelta(days=60)).isoformat()
        token = self._ledger.issue(
            "webhook", username=username, name=rotation, owner="", scopes=[], expires_at=expiry
        )
        return Response.json({"token": token.value, "id": token.id, "expires_at": expiry})

    def _revoke(self, request: Request) -> Response:
        self._ledger.revoke("webhook", request.params["token_id"])
        return Response(HTTPStatus.NO_CONTENT)
