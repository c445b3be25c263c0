"""The token authority's record: every token it handed out, its minting tokens, GitLab's
namespaces; each live token is a live credential of the upstream index."""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date
from http import HTTPStatus
from urllib.parse import unquote

from emulator.core import Clock
from emulator.credentials import CredentialHolder
from emulator.routing import HttpError, Request

_PREFIXES = {
    "gitlab": "glpat-",
    "artifactory": "eyJ",
    "webhook": "whk-",
    "dockerhub": "dckr_pat_",  # Docker Hub's personal access tokens
    "dockerhub-org": "dckr_oat_",  # and its organization access tokens
}


@dataclass
class Issued:
    """A token the authority handed out. `username` is the index user it is valid for."""

    api: str  # gitlab | artifactory | webhook | dockerhub
    id: str
    value: str
    username: str
    name: str  # GitLab's name, Artifactory's description, the webhook's rotation key
    owner: str = ""
    scopes: list[str] = field(default_factory=list)
    expires_at: str | None = None
    created_at: str = ""
    revoked: bool = False
    access_level: int = 40
    refreshable: bool = False


class TokenLedger:
    """Tokens and minting tokens by API; issuing allows a token on `index`, revoking revokes it."""

    def __init__(self, index: CredentialHolder, clock: Clock) -> None:
        self.index = index
        self.clock = clock
        self._namespaces: dict[str, dict[str, int]] = {"projects": {}, "groups": {}}
        self._issued: list[Issued] = []
        self._minting: dict[str, tuple[str, bool]] = {}  # value -> (api, may mint)
        self._lock = threading.Lock()

    def today(self) -> date:
        return self.clock.now().astimezone(UTC).date()

    def minting_token(self, api: str, may_mint: bool) -> str:
        value = f"mint-{api}-{secrets.token_urlsafe(16)}"
        with self._lock:
            self._minting[value] = (api, may_mint)
        return value

    def minting(self, value: str) -> tuple[str, bool] | None:
        """(api, may mint) of a minting token, or None: for APIs that take it in a body."""
        with self._lock:
            return self._minting.get(value)

    def authorize(self, request: Request, api: str) -> None:
        """401 unless the request carries a minting token of `api`; 403 if it may not mint."""
        presented = request.headers.get("PRIVATE-TOKEN") or ""
        bearer = request.headers.get("Authorization") or ""
        if not presented and bearer.startswith("Bearer "):
            presented = bearer[len("Bearer ") :]
        with self._lock:
            known = self._minting.get(presented)
        if known is None or known[0] != api:
            raise HttpError(HTTPStatus.UNAUTHORIZED, "401 Unauthorized")
        if not known[1]:
            raise HttpError(HTTPStatus.FORBIDDEN, "403 Forbidden")

    def namespace(self, kind: str, path: str) -> int:
        """The id of the GitLab project or group (`kind`) at `path`, made known if it was not."""
        with self._lock:
            known = self._namespaces[kind]
            return known.setdefault(path, 1000 + sum(map(len, self._namespaces.values())))

    def owner(self, kind: str, raw: str) -> str:
        """`kind/NUMERIC-ID` for a project or group named in a path by id or encoded full path;
        404 as GitLab answers for an unknown one."""
        wanted = unquote(raw)
        with self._lock:
            known = self._namespaces[kind]
            number = int(wanted) if wanted.isdigit() else known.get(wanted)
            if number is None or number not in known.values():
                what = "Project" if kind == "projects" else "Group"
                raise HttpError(HTTPStatus.NOT_FOUND, f"404 {what} Not Found")
        return f"{kind}/{number}"

    def issue(
        self,
        api: str,
        *,
        username: str,
        name: str,
        owner: str,
        scopes: list[str],
        expires_at: str | None,
        access_level: int = 40,
        refreshable: bool = False,
        prefix: str | None = None,
    ) -> Issued:
        """`prefix` names the kind of value in _PREFIXES when it is not the API's own."""
        with self._lock:
            number = len(self._issued) + 1
            token = Issued(
                api=api,
                id=str(number) if api == "gitlab" else str(uuid.uuid4()),
                value=_PREFIXES[prefix or api] + secrets.token_urlsafe(24),
                username=username,
                name=name,
                owner=owner,
                scopes=scopes,
                expires_at=expires_at,
                created_at=self.clock.now().isoformat(),
                access_level=access_level,
                refreshable=refreshable,
            )
            self._issued.append(token)
        self.index.allow(username, token.value)
        return token

    def revoke(self, api: str, token_id: str, owner: str | None = None) -> None:
        """Revoke a live token by id (a webhook token also by its rotation key); 404 if none."""
        with self._lock:
            token = next(
                (
                    t
                    for t in self._issued
                    if t.api == api
                    and token_id in (t.id, t.name if api == "webhook" else None)
                    and not t.revoked
                    and owner in (None, t.owner)
                ),
                None,
            )
            if token is None:
                raise HttpError(HTTPStatus.NOT_FOUND, "404 Not found")
            token.revoked = True
        self.index.revoke(token.username, token.value)

    def live(self, api: str | None = None) -> list[Issued]:
        with self._lock:
            return [t for t in self._issued if not t.revoked and api in (None, t.api)]

    def issued(self, api: str) -> list[Issued]:
        with self._lock:
            return [t for t in self._issued if t.api == api]

    def issued_values(self) -> set[str]:
        with self._lock:
            return {t.value for t in self._issued} | set(self._minting)
