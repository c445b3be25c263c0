"""What GitLab and Artifactory refuse when a token is created, and how GitLab pages a list: pure
functions the token authority applies, each rule with its source in emulator/FIDELITY.md
("Upstream token APIs").

A refusal is an `UpstreamRefusal` carrying the body the upstream answers with: GitLab's
parameter validation answers `{"error": "..."}`, its model validation
`{"message": "400 Bad request - ..."}`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from emulator.routing import HttpError

# Gitlab::Auth.resource_bot_scopes: the non-admin scopes minus read_user (lib/gitlab/auth.rb).
GITLAB_SCOPES = frozenset(
    {
        "api",
        "read_api",
        "read_repository",
        "write_repository",
        "read_registry",
        "write_registry",
        "create_runner",
        "manage_runner",
        "k8s_proxy",
        "ai_features",
        "self_rotate",
    }
)
GITLAB_ACCESS_LEVELS = frozenset({10, 15, 20, 30, 40, 50})
GITLAB_DEFAULT_ACCESS_LEVEL = 40  # Maintainer
GITLAB_MAX_LIFETIME_DAYS = 365
GITLAB_DEFAULT_PER_PAGE = 20
GITLAB_MAX_PER_PAGE = 100

ARTIFACTORY_DEFAULT_EXPIRY = 365 * 24 * 3600  # token.default-expiry: 1 year
ARTIFACTORY_MAX_USERNAME = 255
ARTIFACTORY_MAX_SCOPE = 500
ARTIFACTORY_MAX_DESCRIPTION = 1024
_ARTIFACTORY_SCOPE = re.compile(
    r"applied-permissions/(user|admin|groups:\S+|roles:[^:\s]+:\S+)|system:\S+"
)


class UpstreamRefusal(HttpError):
    def __init__(self, status: HTTPStatus, body: dict[str, Any], message: str) -> None:
        super().__init__(status, message)
        self.body = body


def _bad_parameter(message: str) -> UpstreamRefusal:
    return UpstreamRefusal(HTTPStatus.BAD_REQUEST, {"error": message}, message)


def _bad_record(message: str) -> UpstreamRefusal:
    text = f"400 Bad request - {message}"
    return UpstreamRefusal(HTTPStatus.BAD_REQUEST, {"message": text}, text)


@dataclass(frozen=True)
class GitLabTokenRequest:
    name: str
    scopes: list[str]
    expires_at: date
    access_level: int


def gitlab_token_request(body: dict[str, Any], today: date) -> GitLabTokenRequest:
    """A create request as GitLab validates it; `today` is the server's date (UTC)."""
    name = body.get("name")
    if name is None:
        raise _bad_parameter("name is missing")
    if not isinstance(name, str) or not name.strip():
        raise _bad_record("Name can't be blank")
    scopes = body.get("scopes")
    if scopes is None:
        raise _bad_parameter("scopes is missing")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise _bad_parameter("scopes is invalid")
    if not set(scopes) <= GITLAB_SCOPES:
        raise _bad_parameter("scopes does not have a valid value")
    if not scopes:
        raise _bad_record("Scopes can't be blank")
    latest = today + timedelta(days=GITLAB_MAX_LIFETIME_DAYS)
    expires_at = _gitlab_date(body.get("expires_at"), default=latest)
    if expires_at > latest:
        raise _bad_record(f"Expires at must be before {latest.isoformat()}")
    if expires_at <= today:
        raise _bad_record("Expires at must be in the future")
    return GitLabTokenRequest(name, scopes, expires_at, _access_level(body.get("access_level")))


def _gitlab_date(value: Any, default: date) -> date:
    """YYYY-MM-DD only (the documented format); absent: the maximum allowable lifetime."""
    if value is None:
        return default
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise _bad_parameter("expires_at is invalid")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad_parameter("expires_at is invalid") from None


def _access_level(value: Any) -> int:
    if value is None:
        return GITLAB_DEFAULT_ACCESS_LEVEL
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad_parameter("access_level is invalid")
    if value not in GITLAB_ACCESS_LEVELS:
        raise _bad_parameter("access_level does not have a valid value")
    return value


@dataclass(frozen=True)
class Page:
    items: list[Any]
    headers: dict[str, str]


def gitlab_page(items: list[Any], query: dict[str, list[str]], url: str) -> Page:
    """Offset pagination: `page` (default 1) and `per_page` (default 20, at most 100), answered
    with GitLab's x-* headers and a `Link` header; `url` is the list's own absolute URL."""
    page = _positive(query, "page", 1)
    per_page = min(_positive(query, "per_page", GITLAB_DEFAULT_PER_PAGE), GITLAB_MAX_PER_PAGE)
    total_pages = max(1, math.ceil(len(items) / per_page))
    shown = items[(page - 1) * per_page : page * per_page]
    next_page = page + 1 if page < total_pages else None
    prev_page = page - 1 if page > 1 else None
    others = {k: v[0] for k, v in query.items() if k not in ("page", "per_page") and v}

    def link(number: int) -> str:
        return f"{url}?{urlencode({**others, 'page': number, 'per_page': per_page})}"

    rels = {"prev": prev_page, "next": next_page, "first": 1, "last": total_pages}
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Next-Page": str(next_page or ""),
        "X-Prev-Page": str(prev_page or ""),
        "X-Total": str(len(items)),
        "X-Total-Pages": str(total_pages),
        "Link": ", ".join(f'<{link(n)}>; rel="{rel}"' for rel, n in rels.items() if n),
    }
    return Page(shown, headers)


def _positive(query: dict[str, list[str]], key: str, default: int) -> int:
    text = (query.get(key) or [""])[0]
    if not text:
        return default
    if not text.isdigit():
        raise _bad_parameter(f"{key} is invalid")
    return max(int(text), 1)


@dataclass(frozen=True)
class ArtifactoryTokenRequest:
    username: str
    scope: str
    expires_in: int  # 0: never expires
    refreshable: bool
    description: str


def artifactory_token_request(body: dict[str, Any], max_expiry: int) -> ArtifactoryTokenRequest:
    """A create request as Artifactory validates it; `max_expiry` is token.max-expiry (0: none)."""
    username = body.get("username")
    if not isinstance(username, str) or not username:
        raise _artifactory_bad("username is required")
    if len(username) > ARTIFACTORY_MAX_USERNAME:
        raise _artifactory_bad(f"username is longer than {ARTIFACTORY_MAX_USERNAME} characters")
    scope = str(body.get("scope", "applied-permissions/user"))
    if len(scope) > ARTIFACTORY_MAX_SCOPE:
        raise _artifactory_bad(f"scope is longer than {ARTIFACTORY_MAX_SCOPE} characters")
    if not scope.split() or not all(_ARTIFACTORY_SCOPE.fullmatch(s) for s in scope.split()):
        raise _artifactory_bad(f"invalid scope {scope!r}")
    expires_in = _expires_in(body.get("expires_in"))
    if max_expiry and (expires_in == 0 or expires_in > max_expiry):
        raise _artifactory_refusal(
            HTTPStatus.FORBIDDEN, f"expires_in must be 1 to {max_expiry} seconds (token.max-expiry)"
        )
    description = str(body.get("description", ""))
    if len(description) > ARTIFACTORY_MAX_DESCRIPTION:
        raise _artifactory_bad(
            f"description is longer than {ARTIFACTORY_MAX_DESCRIPTION} characters"
        )
    return ArtifactoryTokenRequest(
        username, scope, expires_in, _boolean(body.get("refreshable", False)), description
    )


def _expires_in(value: Any) -> int:
    if value is None:
        return ARTIFACTORY_DEFAULT_EXPIRY
    text = str(value)
    if isinstance(value, bool) or not text.isdigit():
        raise _artifactory_bad("expires_in must be a non-negative number of seconds")
    return int(text)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise _artifactory_bad("refreshable must be true or false")


def _artifactory_bad(message: str) -> UpstreamRefusal:
    return _artifactory_refusal(HTTPStatus.BAD_REQUEST, message)


def _artifactory_refusal(status: HTTPStatus, message: str) -> UpstreamRefusal:
    """JFrog Access's error body: {"errors": [{"code": ..., "message": ...}]}."""
    body = {"errors": [{"code": status.name, "message": message}]}
    return UpstreamRefusal(status, body, message)
