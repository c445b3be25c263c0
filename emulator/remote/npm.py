"""npm remote repositories: Artifact Registry serves one at
`https://LOCATION-npm.pkg.dev/PROJECT/REPOSITORY/`, the emulator at
`http://127.0.0.1:HTTP_PORT/PROJECT/REPOSITORY/`. Package documents (`NAME`, `@SCOPE%2fNAME` or
`@SCOPE/NAME`) and tarballs are fetched from the upstream registry with the repository's
credential; each version's `dist.tarball` is pointed at the repository, as Artifact Registry
serves tarballs itself, so npm never reaches the upstream."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, ClassVar

import httpx
from google.cloud import artifactregistry_v1 as ar

from emulator.core import invalid
from emulator.remote.credential import Auth
from emulator.remote.formats import Resolved, Resolver, Router, judge, refused_by_upstream, text
from emulator.remote.formats import unreachable as unreachable_error
from emulator.routing import Request, Response

WHOAMI = "/-/whoami"


def npm_url(http_url: str, project: str, repository_id: str) -> str:
    """The registry URL npm uses for a repository (the emulator's LOCATION-npm.pkg.dev URL)."""
    return f"{http_url}/{project}/{repository_id}/"


class NpmFormat:
    format: ClassVar[str] = "NPM"  # the name of its ar.Repository.Format
    public_upstream: ClassVar[str] = (
        "This repository's upstream is the public npm registry, which the emulator does not reach."
    )

    def upstream_of(self, repository: ar.Repository) -> str:
        remote = repository.remote_repository_config
        uri: str = remote.npm_repository.custom_repository.uri or remote.common_repository.uri
        return uri.rstrip("/")

    def validate(self, http: httpx.Client, upstream: str, auth: Auth) -> None:
        """`GET {upstream}/-/whoami` with the credential (what Artifact Registry requests is
        unconfirmed: emulator/FIDELITY.md). 401/403 is refused, and so is an answer that names no
        user: verdaccio answers an unknown credential's whoami 200 `{}`."""
        try:
            answer = http.get(upstream + WHOAMI, auth=auth)
        except httpx.HTTPError as error:
            raise unreachable_error(upstream, error) from None
        judge(answer)
        if not _names_a_user(answer):
            raise invalid(
                "Failed to validate remote upstream: generic::unauthenticated: the external "
                f"repository did not accept the upstream credentials ({WHOAMI} names no user)"
            )

    def install(self, route: Router, resolve: Resolver, http: httpx.Client) -> None:
        """npm needs no route besides /PROJECT/REPOSITORY/PATH."""

    def forward(self, http: httpx.Client, request: Request, resolved: Resolved) -> Response:
        url = f"{resolved.upstream}/{request.params['path']}"
        headers = {"Accept": request.headers.get("Accept", "*/*")}
        try:
            answer = http.get(url, auth=resolved.auth, headers=headers)
        except httpx.HTTPError as error:
            return text(HTTPStatus.BAD_GATEWAY, f"Upstream unreachable: {type(error).__name__}.")
        if answer.status_code in (401, 403):
            return refused_by_upstream(answer.status_code)
        body = answer.content
        content_type = answer.headers.get("content-type", "application/octet-stream")
        if answer.is_success and "json" in content_type:
            host = request.headers.get("Host", "")
            here = f"http://{host}{resolved.prefix}" if host else resolved.prefix
            body = relink(body, resolved.upstream, here)
        return Response(HTTPStatus(answer.status_code), body, content_type)


def relink(body: bytes, upstream: str, here: str) -> bytes:
    """Point every version's `dist.tarball` under `upstream` at `here`, the repository."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    versions = document.get("versions") if isinstance(document, dict) else None
    if not isinstance(versions, dict):
        return body
    for manifest in versions.values():
        dist = manifest.get("dist") if isinstance(manifest, dict) else None
        if not isinstance(dist, dict):
            continue
        tarball = dist.get("tarball")
        if isinstance(tarball, str) and tarball.startswith(upstream + "/"):
            dist["tarball"] = here + tarball[len(upstream) :]
    return json.dumps(document).encode()


def _names_a_user(answer: httpx.Response) -> bool:
    try:
        found: Any = answer.json()
    except ValueError:
        return False
    return isinstance(found, dict) and isinstance(found.get("username"), str)
