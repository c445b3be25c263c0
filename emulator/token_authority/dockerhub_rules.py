"""What Docker Hub refuses when an access token is created, and how it pages a list: pure
functions the token authority applies. Each rule's source is in docs-draft/dockerhub.md (for
emulator/FIDELITY.md): Docker Hub API reference, docs.docker.com/reference/api/hub/latest/
(`createAccessTokenRequest`, `createOrgAccessTokenRequest`, `orgAccessTokenResource`), and the
manual's "Organization access tokens" page (the repository and organization scopes).

A 400 carries Docker's `ValueError` body, `{"fields": {FIELD: [MESSAGE]}, "text": MESSAGE}`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from emulator.token_rules import UpstreamRefusal

PAT_SCOPES = frozenset({"repo:admin", "repo:write", "repo:read", "repo:public_read"})
PAT_MAX_LABEL = 100
# The manual's "Repository scopes" and "Organization scopes" tables.
OAT_REPOSITORY_SCOPES = frozenset(
    {
        "scope-image-pull",
        "scope-image-push",
        "scope-image-delete",
        "scope-repository-read",
        "scope-repository-edit",
        "scope-repository-admin",
        "scope-tag-read",
        "scope-tag-admin",
        "scope-webhook-read",
        "scope-webhook-edit",
        "scope-webhook-admin",
        "scope-repo-group-read",
        "scope-repo-group-edit",
        "scope-repo-group-admin",
        "scope-repository-settings-admin",
    }
)
OAT_ORGANIZATION_SCOPES = frozenset(
    {"scope-repository-list", "scope-repository-create", "scope-registry-usage-read"}
)
PUBLIC_REPOSITORIES = "*/*/public"  # "Use */*/public to reference all public repositories"
OAT_MAX_REPOSITORIES = 50  # the manual: "Add up to 50 repositories"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100  # not documented for these lists; Docker Hub's other lists cap at 100


@dataclass(frozen=True)
class PatRequest:
    label: str
    scopes: list[str]
    expires_at: datetime | None


@dataclass(frozen=True)
class OatRequest:
    label: str
    description: str
    resources: list[dict[str, Any]]
    expires_at: datetime | None


def bad_request(field: str, message: str) -> UpstreamRefusal:
    return UpstreamRefusal(
        HTTPStatus.BAD_REQUEST, {"fields": {field: [message]}, "text": message}, message
    )


def pat_request(body: dict[str, Any], now: datetime) -> PatRequest:
    label = body.get("token_label")
    if not isinstance(label, str) or not 1 <= len(label) <= PAT_MAX_LABEL:
        raise bad_request("token_label", f"token_label must be 1 to {PAT_MAX_LABEL} characters")
    scopes = body.get("scopes")
    if not isinstance(scopes, list) or not scopes:
        raise bad_request("scopes", "scopes must be a non-empty list")
    if not all(isinstance(s, str) and s in PAT_SCOPES for s in scopes):
        raise bad_request("scopes", f"valid scopes: {', '.join(sorted(PAT_SCOPES))}")
    return PatRequest(label, scopes, expiry(body.get("expires_at"), now))


def oat_request(body: dict[str, Any], org: str, now: datetime) -> OatRequest:
    label = body.get("label")
    if not isinstance(label, str) or not label:
        raise bad_request("label", "label is required")
    description = body.get("description", "")
    if not isinstance(description, str):
        raise bad_request("description", "description must be a string")
    resources = body.get("resources")
    if not isinstance(resources, list) or not resources:
        raise bad_request("resources", "resources must be a non-empty list")
    repositories = [r for r in resources if isinstance(r, dict) and r.get("type") == "TYPE_REPO"]
    if len(repositories) > OAT_MAX_REPOSITORIES:
        raise bad_request("resources", f"at most {OAT_MAX_REPOSITORIES} repositories")
    for resource in resources:
        _check_resource(resource, org)
    return OatRequest(label, description, resources, expiry(body.get("expires_at"), now))


def _check_resource(resource: Any, org: str) -> None:
    if not isinstance(resource, dict):
        raise bad_request("resources", "each resource must be an object")
    kind, path, scopes = resource.get("type"), resource.get("path"), resource.get("scopes")
    if kind not in ("TYPE_REPO", "TYPE_ORG"):
        raise bad_request("resources.type", "type must be TYPE_REPO or TYPE_ORG")
    if not isinstance(path, str) or not path:
        raise bad_request("resources.path", "path is required")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
        raise bad_request("resources.scopes", "scopes must be a non-empty list")
    allowed = OAT_REPOSITORY_SCOPES if kind == "TYPE_REPO" else OAT_ORGANIZATION_SCOPES
    if path == PUBLIC_REPOSITORIES:
        allowed = frozenset({"scope-image-pull"})
    if not set(scopes) <= allowed:
        raise bad_request("resources.scopes", f"invalid scopes {sorted(set(scopes) - allowed)}")
    if kind == "TYPE_REPO" and path != PUBLIC_REPOSITORIES:
        owner, slash, name = path.partition("/")
        if owner != org or not slash or not name or "/" in name:
            raise bad_request("resources.path", f"{path!r} is not a repository of {org}")


def expiry(value: Any, now: datetime) -> datetime | None:
    """`expires_at` (format date-time, RFC 3339): absent or null, the token never expires; one
    in the past is refused (assumed: Docker does not document it)."""
    if value is None:
        return None
    if not isinstance(value, str) or "T" not in value.upper():
        raise bad_request("expires_at", "expires_at must be an RFC 3339 date-time")
    try:
        when = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise bad_request("expires_at", "expires_at must be an RFC 3339 date-time") from None
    if when.tzinfo is None:
        raise bad_request("expires_at", "expires_at must carry a time zone offset")
    if when <= now:
        raise bad_request("expires_at", "expires_at must be in the future")
    return when


def page(items: list[Any], query: dict[str, list[str]], url: str, count_key: str) -> dict[str, Any]:
    """`page` (default 1), `page_size` (default 10): `{COUNT_KEY, next, previous, results}`, with
    `next` and `previous` absolute URLs or null; `url` is the list's own absolute URL."""
    number = _positive(query, "page", 1)
    size = min(_positive(query, "page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    last = max(1, math.ceil(len(items) / size))

    def link(target: int) -> str | None:
        if not 1 <= target <= last:
            return None
        return f"{url}?{urlencode({'page': target, 'page_size': size})}"

    return {
        count_key: len(items),
        "next": link(number + 1),
        "previous": link(number - 1),
        "results": items[(number - 1) * size : number * size],
    }


def _positive(query: dict[str, list[str]], key: str, default: int) -> int:
    text = (query.get(key) or [""])[0]
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise bad_request(key, f"{key} must be a positive integer")
    return int(text)
