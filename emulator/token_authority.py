"""A local token authority: the parts of GitLab's and Artifactory's access-token APIs that the
token sources use, and a minting webhook of the shape the `http` source expects.

Every token it creates becomes a live credential of the upstream index (a PypiServer); revoking a
token removes it, so the index accepts exactly the live tokens. Faults (an HTTP status, or a delay
longer than the client's timeout) can be injected per method and path, and every call is recorded.

GitLab (`PRIVATE-TOKEN` header or bearer, a minting token with the `api` scope); ID is a
project's or group's numeric id or its URL-encoded full path (`group%2Fproject`), known to the
authority through `gitlab_project` / `gitlab_group`:
    POST   /api/v4/{projects|groups}/ID/access_tokens          -> 201 {id, name, token, ...}
    GET    /api/v4/{projects|groups}/ID/access_tokens          -> 200 [{id, name, active, ...}],
                                                                  paged (page, per_page)
    GET    /api/v4/personal_access_tokens/self (with the token itself) -> 200 {id, name, ...}
    DELETE /api/v4/{projects|groups}/ID/access_tokens/TOKEN_ID -> 204
Artifactory (bearer, an admin minting token):
    POST   /access/api/v1/tokens (form or JSON: username, scope, expires_in, description)
                                                               -> 200 {token_id, access_token, ...}
    GET    /access/api/v1/tokens                               -> 200 {tokens: [...]}
    DELETE /access/api/v1/tokens/TOKEN_ID                      -> 200 (204 if unknown)
Requests are refused as the real APIs refuse them (emulator/token_rules.py). "Today" comes from
`clock`, which tests move.
Webhook (no authentication here; the request's Authorization header is recorded):
    POST   /webhook/tokens {secret, rotation, username}        -> 200 {token, id, expires_at}
    DELETE /webhook/tokens/ID_OR_ROTATION                      -> 204
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx

from emulator.core import Clock
from emulator.credentials import ANY_USER
from emulator.http_control import Handler, HttpError, Request, Response, RoutedServer, Router
from emulator.token_rules import (
    UpstreamRefusal,
    artifactory_token_request,
    gitlab_page,
    gitlab_token_request,
)
from emulator.upstream import PypiServer

_GITLAB_TOKENS = r"/api/v4/(?P<kind>projects|groups)/(?P<owner>[^/]+)/access_tokens"
_GITLAB_INDEX = r"/api/v4/(?:projects|groups)/[^/]+/(?:-/)?packages/pypi/simple(?P<rest>/.*)?"


@dataclass
class Issued:
    """A token the authority handed out. `username` is the index user it is valid for."""

    api: str  # gitlab | artifactory | webhook
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


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int
    authorization: bool  # whether the request carried an Authorization header


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    status: int | None
    delay: float
    times: int


class TokenAuthority:
    def __init__(self, index: PypiServer, port: int = 0, clock: Clock | None = None) -> None:
        self.index = index
        self.clock = clock or Clock()
        # Artifactory's token.max-expiry in seconds (0: no limit), which tests may set.
        self.artifactory_max_expiry = 0
        self.calls: list[Call] = []
        self._namespaces: dict[str, dict[str, int]] = {"projects": {}, "groups": {}}
        self._issued: list[Issued] = []
        self._minting: dict[str, tuple[str, bool]] = {}  # value -> (api, may mint)
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        router = Router()
        self._route(router, "POST", _GITLAB_TOKENS, self._gitlab_create)
        self._route(router, "GET", _GITLAB_TOKENS, self._gitlab_list)
        self._route(router, "DELETE", _GITLAB_TOKENS + r"/(?P<token_id>\d+)", self._gitlab_revoke)
        self._route(router, "POST", "/access/api/v1/tokens", self._artifactory_create)
        self._route(router, "GET", "/access/api/v1/tokens", self._artifactory_list)
        self._route(
            router, "DELETE", r"/access/api/v1/tokens/(?P<token_id>[^/]+)", self._revoke_artifactory
        )
        self._route(router, "GET", "/api/v4/personal_access_tokens/self", self._gitlab_self)
        self._route(router, "GET", _GITLAB_INDEX, self._gitlab_index)
        self._route(router, "GET", r"/packages/(?P<rest>[^?]+)", self._gitlab_index)
        self._route(router, "POST", "/webhook/tokens", self._webhook_create)
        self._route(router, "DELETE", r"/webhook/tokens/(?P<token_id>[^/]+)", self._webhook_revoke)
        self._server = RoutedServer(router, port, name="token-authority")
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> TokenAuthority:
        self.port = self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> TokenAuthority:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- for tests and the demo -----------------------------------------------------------

    def minting_token(self, api: str, may_mint: bool = True) -> str:
        """A credential for the token API itself (never valid on the index)."""
        value = f"mint-{api}-{secrets.token_urlsafe(16)}"
        with self._lock:
            self._minting[value] = (api, may_mint)
        return value

    def gitlab_project(self, path: str) -> int:
        """Make a GitLab project known by its full path (`group/project`); returns its id."""
        return self._namespace("projects", path)

    def gitlab_group(self, path: str) -> int:
        return self._namespace("groups", path)

    def issue(self, api: str, username: str, name: str, owner: str = "") -> Issued:
        """A token created out of band, as the one a team started with; a GitLab `owner` is
        `projects/ID` or `groups/ID` as in the API's paths (the namespace is made known)."""
        if api == "gitlab":
            kind, _, raw = owner.partition("/")
            if not unquote(raw).isdigit():
                self._namespace(kind, unquote(raw))
            owner = self._owner(kind, raw)
        expires_at = (self._today() + timedelta(days=365)).isoformat() if api == "gitlab" else None
        return self._issue(
            api, username=username, name=name, owner=owner, scopes=[], expires_at=expires_at
        )

    def live(self, api: str | None = None) -> list[Issued]:
        with self._lock:
            return [t for t in self._issued if not t.revoked and api in (None, t.api)]

    def issued(self, api: str) -> list[Issued]:
        """Every token of one API ever handed out, revoked ones included."""
        with self._lock:
            return [t for t in self._issued if t.api == api]

    def issued_values(self) -> set[str]:
        """Every token and minting token ever handed out: values tests must never print."""
        with self._lock:
            return {t.value for t in self._issued} | set(self._minting)

    def fail(self, method: str, path: str, status: int, times: int = 1) -> None:
        """Answer the next `times` calls of `method` on paths matching `path` with `status`."""
        with self._lock:
            self._faults.append(_Fault(method, re.compile(path), status, 0.0, times))

    def delay(self, method: str, path: str, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._faults.append(_Fault(method, re.compile(path), None, seconds, times))

    def reset(self) -> None:
        """Forget faults, calls, clock moves and Artifactory limits; keep tokens and namespaces."""
        with self._lock:
            self._faults.clear()
            self.calls.clear()
            self.artifactory_max_expiry = 0
        self.clock.reset()

    # --- plumbing -------------------------------------------------------------------------

    def _route(self, router: Router, method: str, pattern: str, handler: Handler) -> None:
        def faulty(request: Request) -> Response:
            fault = self._due_fault(request)
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            if fault is not None and fault.status is not None:
                response = Response.json({"message": "injected fault"}, HTTPStatus(fault.status))
            else:
                try:
                    response = handler(request)
                except UpstreamRefusal as refusal:
                    response = Response.json(refusal.body, refusal.status)
                except HttpError as error:
                    response = Response.json({"message": error.message}, error.status)
            with self._lock:
                self.calls.append(
                    Call(method, request.path, response.status, "Authorization" in request.headers)
                )
            return response

        router.add(method, pattern, faulty)

    def _due_fault(self, request: Request) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                due = fault.times > 0 and fault.method == request.method
                if due and fault.path.search(request.path):
                    fault.times -= 1
                    return fault
        return None

    def _authorize(self, request: Request, api: str) -> None:
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

    def _today(self) -> date:
        return self.clock.now().astimezone(UTC).date()

    def _namespace(self, kind: str, path: str) -> int:
        with self._lock:
            known = self._namespaces[kind]
            return known.setdefault(path, 1000 + sum(map(len, self._namespaces.values())))

    def _owner(self, kind: str, raw: str) -> str:
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

    def _issue(
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
    ) -> Issued:
        prefix = {"gitlab": "glpat-", "artifactory": "eyJ", "webhook": "whk-"}[api]
        with self._lock:
            number = len(self._issued) + 1
            token = Issued(
                api=api,
                id=str(number) if api == "gitlab" else str(uuid.uuid4()),
                value=prefix + secrets.token_urlsafe(24),
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

    def _revoke(self, api: str, token_id: str, owner: str | None = None) -> None:
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

    # --- GitLab ---------------------------------------------------------------------------

    def _gitlab_create(self, request: Request) -> Response:
        self._authorize(request, "gitlab")
        owner = self._owner(request.params["kind"], request.params["owner"])
        wanted = gitlab_token_request(request.json(), self._today())
        token = self._issue(
            "gitlab",
            username=ANY_USER,
            name=wanted.name,
            owner=owner,
            scopes=wanted.scopes,
            expires_at=wanted.expires_at.isoformat(),
            access_level=wanted.access_level,
        )
        answer = self._gitlab_view(token) | {"token": token.value}
        return Response.json(answer, HTTPStatus.CREATED)

    def _gitlab_list(self, request: Request) -> Response:
        self._authorize(request, "gitlab")
        owner = self._owner(request.params["kind"], request.params["owner"])
        wanted = request.query.get("state", [""])[0]
        with self._lock:
            tokens = [t for t in self._issued if t.api == "gitlab" and t.owner == owner]
        views = [self._gitlab_view(t) for t in tokens]
        if wanted:
            views = [v for v in views if ("active" if v["active"] else "inactive") == wanted]
        host = request.headers.get("Host") or f"127.0.0.1:{self.port}"
        page = gitlab_page(views, request.query, f"http://{host}{request.path}")
        return Response(HTTPStatus.OK, Response.json(page.items).body, headers=page.headers)

    def _gitlab_revoke(self, request: Request) -> Response:
        self._authorize(request, "gitlab")
        owner = self._owner(request.params["kind"], request.params["owner"])
        what = "project" if owner.startswith("projects/") else "group"
        try:
            self._revoke("gitlab", request.params["token_id"], owner)
        except HttpError:
            raise HttpError(HTTPStatus.NOT_FOUND, f"404 {what} Access Token Not Found") from None
        return Response(HTTPStatus.NO_CONTENT)

    def _gitlab_view(self, token: Issued) -> dict[str, Any]:
        expired = token.expires_at is not None and date.fromisoformat(token.expires_at) <= (
            self._today()
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

    def _gitlab_self(self, request: Request) -> Response:
        """A token describing itself (authenticated by itself)."""
        presented = request.headers.get("PRIVATE-TOKEN") or ""
        live = [t for t in self.live("gitlab") if t.value == presented]
        if not live:
            raise HttpError(HTTPStatus.UNAUTHORIZED, "401 Unauthorized")
        return Response.json(self._gitlab_view(live[0]))

    def _gitlab_index(self, request: Request) -> Response:
        """GitLab's PyPI endpoint (and its file links): the index, behind the same credentials."""
        rest = request.params.get("rest") or "/"
        target = "simple" + rest if "/packages/pypi/" in request.path else "packages/" + rest
        headers = {
            name: request.headers[name]
            for name in ("Authorization", "Accept")
            if name in request.headers
        }
        answer = httpx.get(f"http://127.0.0.1:{self.index.port}/{target}", headers=headers)
        content_type = answer.headers.get("content-type", "application/octet-stream")
        return Response(HTTPStatus(answer.status_code), answer.content, content_type)

    # --- Artifactory ----------------------------------------------------------------------

    def _artifactory_create(self, request: Request) -> Response:
        self._authorize(request, "artifactory")
        wanted = artifactory_token_request(_form_or_json(request), self.artifactory_max_expiry)
        now = self.clock.now()
        expiry = now + timedelta(seconds=wanted.expires_in) if wanted.expires_in else None
        token = self._issue(
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

    def _artifactory_list(self, request: Request) -> Response:
        self._authorize(request, "artifactory")
        described = request.query.get("description", [""])[0]
        with self._lock:
            tokens = [t for t in self._issued if t.api == "artifactory" and not t.revoked]
        if described:
            tokens = [t for t in tokens if _matches_described(t.name, described)]
        return Response.json({"tokens": [_artifactory_view(t) for t in tokens]})

    def _revoke_artifactory(self, request: Request) -> Response:
        """200 when revoked; an unknown (or already revoked) id is 204, as JFrog documents."""
        self._authorize(request, "artifactory")
        try:
            self._revoke("artifactory", request.params["token_id"])
        except HttpError:
            return Response(HTTPStatus.NO_CONTENT)
        return Response(HTTPStatus.OK, b"", "text/plain")

    # --- webhook --------------------------------------------------------------------------

    def _webhook_create(self, request: Request) -> Response:
        body = request.json()
        rotation, username = body.get("rotation"), body.get("username")
        if not isinstance(rotation, str) or not isinstance(username, str) or not username:
            raise HttpError(HTTPStatus.BAD_REQUEST, "rotation and username are required")
        # Idempotent per rotation key: a retried request leaves one live token, not two.
        for earlier in self.live("webhook"):
            if earlier.name == rotation:
                self._revoke("webhook", earlier.id)
        expiry = (self.clock.now() + timedelta(days=60)).isoformat()
        token = self._issue(
            "webhook", username=username, name=rotation, owner="", scopes=[], expires_at=expiry
        )
        return Response.json({"token": token.value, "id": token.id, "expires_at": expiry})

    def _webhook_revoke(self, request: Request) -> Response:
        self._revoke("webhook", request.params["token_id"])
        return Response(HTTPStatus.NO_CONTENT)


def _artifactory_view(token: Issued) -> dict[str, Any]:
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
