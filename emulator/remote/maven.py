"""Maven remote repositories: Artifact Registry serves one at
`https://LOCATION-maven.pkg.dev/PROJECT/REPOSITORY/`, the emulator at
`http://127.0.0.1:HTTP_PORT/PROJECT/REPOSITORY/`. Every path under it (`GROUP/PATH/ARTIFACT/
VERSION/FILE`, `maven-metadata.xml`, the `.sha1` and `.md5` checksums) is fetched from the same
path under the upstream with the repository's credential; a Maven layout holds no links to
rewrite."""

from __future__ import annotations

from http import HTTPStatus
from typing import ClassVar
from urllib.parse import unquote

import httpx
from google.cloud import artifactregistry_v1 as ar

from emulator.remote.credential import Auth
from emulator.remote.formats import Resolved, Resolver, Router, judge, refused_by_upstream, text
from emulator.remote.formats import unreachable as unreachable_error
from emulator.routing import Request, Response

_FORWARDED_HEADERS = ("etag", "last-modified")


def maven_url(http_url: str, project: str, repository_id: str) -> str:
    """The repository URL Maven uses (the emulator's LOCATION-maven.pkg.dev/PROJECT/REPOSITORY)."""
    return f"{http_url}/{project}/{repository_id}"


class MavenFormat:
    format: ClassVar[str] = "MAVEN"  # the name of its ar.Repository.Format
    public_upstream: ClassVar[str] = (
        "This repository's upstream is Maven Central, which the emulator does not reach."
    )

    def upstream_of(self, repository: ar.Repository) -> str:
        remote = repository.remote_repository_config
        uri: str = remote.maven_repository.custom_repository.uri or remote.common_repository.uri
        return uri.rstrip("/")

    def validate(self, http: httpx.Client, upstream: str, auth: Auth) -> None:
        """One GET of the repository's root with the credential (emulator/FIDELITY.md: which
        request production makes is unconfirmed)."""
        try:
            answer = http.get(upstream + "/", auth=auth)
        except httpx.HTTPError as error:
            raise unreachable_error(upstream, error) from None
        judge(answer)

    def install(self, route: Router, resolve: Resolver, http: httpx.Client) -> None:
        """Maven needs no route besides /PROJECT/REPOSITORY/PATH."""

    def forward(self, http: httpx.Client, request: Request, resolved: Resolved) -> Response:
        path = request.params["path"]
        if any(unquote(segment) in (".", "..") for segment in path.split("/")):
            # The credential goes only to paths under the upstream, never beside it.
            return text(HTTPStatus.BAD_REQUEST, "A repository path has no . or .. segments.")
        try:
            answer = http.get(f"{resolved.upstream}/{path}", auth=resolved.auth)
        except httpx.HTTPError as error:
            return text(HTTPStatus.BAD_GATEWAY, f"Upstream unreachable: {type(error).__name__}.")
        if answer.status_code in (401, 403):
            return refused_by_upstream(answer.status_code)
        content_type = answer.headers.get("content-type", "application/octet-stream")
        forwarded = {
            name: answer.headers[name] for name in _FORWARDED_HEADERS if name in answer.headers
        }
        return Response(HTTPStatus(answer.status_code), answer.content, content_type, forwarded)
