"""Docker Hub's logins: `POST /v2/auth/token` turns an identifier and a secret into a JWT valid
10 minutes, and the token endpoints admit the bearer of a JWT as Docker Hub does.

A secret is an account's password (a minting token of the authority, valid for any user name:
the authority keeps no passwords), a live personal access token of that user, or a live
organization access token with the organization's name as identifier. What each JWT may do:
- from a password: manage the user's personal access tokens, and the access tokens of each
  organization the user owns (`organization(name, owners)`); a minting token made with
  `may_mint=False` logs in but is refused (403) there, as an account that may not manage tokens;
- from a personal access token: UNCONFIRMED. Users report 403 "token issued from personal access
  token is not allowed" on `/v2/access-tokens` (docker/hub-feedback #2478, #2438), and the API
  reference marks no token endpoint as open to PATs. `pat_manages_tokens` switches between the
  two answers: False (the default, as reported) refuses, True admits it like a password;
- from an organization access token: refused (403) on every token endpoint, which the
  reference does not mark as open to OATs.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus

from emulator.routing import Request
from emulator.token_authority.ledger import TokenLedger
from emulator.token_rules import UpstreamRefusal

JWT_LIFETIME = timedelta(minutes=10)  # AuthCreateTokenResponse: "This expires in 10 minutes."
_PAT_REFUSED = "token issued from personal access token is not allowed"
_OAT_REFUSED = "token issued from organization access token is not allowed"


@dataclass(frozen=True)
class Session:
    subject: str  # the user, or the organization an organization access token logged in as
    kind: str  # password | pat | oat
    may_mint: bool
    expires: datetime


def refusal(status: HTTPStatus, message: str) -> UpstreamRefusal:
    """Docker Hub's `error` body: {"message", "errinfo"} (401, 403, 404)."""
    return UpstreamRefusal(status, {"message": message, "errinfo": {}}, message)


class DockerHubSessions:
    def __init__(self, ledger: TokenLedger) -> None:
        self._ledger = ledger
        self._sessions: dict[str, Session] = {}
        self._owners: dict[str, frozenset[str]] = {}  # organization -> its owners
        self._lock = threading.Lock()
        self.pat_manages_tokens = False

    def organization(self, name: str, owners: tuple[str, ...]) -> None:
        """Make an organization known, owned by `owners` (replacing earlier owners)."""
        with self._lock:
            self._owners[name] = frozenset(owners)

    def login(self, identifier: object, secret: object) -> str:
        """A JWT for `identifier` if `secret` is its password or one of its live tokens; 401."""
        if not isinstance(identifier, str) or not isinstance(secret, str) or not identifier:
            raise refusal(HTTPStatus.UNAUTHORIZED, "identifier and secret are required")
        now = self._ledger.clock.now()
        with self._lock:
            is_org = identifier in self._owners
        minting = self._ledger.minting(secret)
        session: Session | None = None
        if minting is not None and minting[0] == "dockerhub" and not is_org:
            session = Session(identifier, "password", minting[1], now + JWT_LIFETIME)
        owner = f"orgs/{identifier}" if is_org else f"users/{identifier}"
        for token in self._ledger.live("dockerhub"):
            live = token.expires_at is None or datetime.fromisoformat(token.expires_at) > now
            if token.value == secret and token.owner == owner and live:
                kind = "oat" if is_org else "pat"
                session = Session(identifier, kind, False, now + JWT_LIFETIME)
        if session is None:
            raise refusal(HTTPStatus.UNAUTHORIZED, "Incorrect authentication credentials")
        value = f"eyJhbGciOiJSUzI1NiJ9.{secrets.token_urlsafe(24)}.{secrets.token_urlsafe(16)}"
        with self._lock:
            self._sessions[value] = session
        return value

    def caller(self, request: Request) -> Session:
        """The session of the request's bearer JWT, if it may manage tokens: else 401 or 403."""
        header = request.headers.get("Authorization") or ""
        jwt = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
        with self._lock:
            session = self._sessions.get(jwt)
        if session is None or session.expires <= self._ledger.clock.now():
            raise refusal(HTTPStatus.UNAUTHORIZED, "authentication required")
        if session.kind == "oat":
            raise refusal(HTTPStatus.FORBIDDEN, _OAT_REFUSED)
        if session.kind == "pat" and not self.pat_manages_tokens:
            raise refusal(HTTPStatus.FORBIDDEN, _PAT_REFUSED)
        if session.kind == "password" and not session.may_mint:
            raise refusal(HTTPStatus.FORBIDDEN, "this account may not manage access tokens")
        return session

    def owner(self, request: Request, organization: str) -> Session:
        """The caller, if it owns `organization`: 404 for an unknown organization, else 403."""
        session = self.caller(request)
        with self._lock:
            owners = self._owners.get(organization)
        if owners is None:
            raise refusal(HTTPStatus.NOT_FOUND, f"organization {organization} not found")
        if session.subject not in owners:
            raise refusal(HTTPStatus.FORBIDDEN, f"{session.subject} is not an owner")
        return session

    def values(self) -> set[str]:
        """Every JWT handed out: values tests must never print."""
        with self._lock:
            return set(self._sessions)
