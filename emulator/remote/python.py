"""Python remote repositories: Artifact Registry serves one at
`https://LOCATION-python.pkg.dev/PROJECT/REPOSITORY/simple/`, the emulator at
`http://127.0.0.1:HTTP_PORT/PROJECT/REPOSITORY/simple/`. Pages and files are fetched from the
upstream index with the repository's credential; file links are pointed at the repository."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import ClassVar
from urllib.parse import urlsplit

import httpx
from google.cloud import artifactregistry_v1 as ar

from emulator.remote.credential import Auth
from emulator.remote.formats import Resolved, Resolver, Router, judge, refused_by_upstream, text
from emulator.remote.formats import unreachable as unreachable_error
from emulator.routing import Request, Response

_FORWARDED_HEADERS = ("etag", "last-modified")


def repository_url(http_url: str, project: str, repository_id: str) -> str:
    """The index URL pip uses for a repository (the emulator's LOCATION-python.pkg.dev URL)."""
    return f"{http_url}/{project}/{repository_id}/simple/"


class PythonFormat:
    format: ClassVar[str] = "PYTHON"  # the name of its ar.Repository.Format
    public_upstream: ClassVar[str] = (
        "This repository's upstream is public PyPI, which the emulator does not reach."
    )

    def upstream_of(self, repository: ar.Repository) -> str:
        remote = repository.remote_repository_config
        uri: str = remote.common_repository.uri or remote.python_repository.custom_repository.uri
        return uri.rstrip("/")

    def validate(self, http: httpx.Client, upstream: str, auth: Auth) -> None:
        """One GET of the index's root with the credential."""
        try:
            answer = http.get(upstream + "/", auth=auth)
        except httpx.HTTPError as error:
            raise unreachable_error(upstream, error) from None
        judge(answer)

    def install(self, route: Router, resolve: Resolver, http: httpx.Client) -> None:
        """Python needs no route besides /PROJECT/REPOSITORY/PATH."""

    def forward(self, http: httpx.Client, request: Request, resolved: Resolved) -> Response:
        path, upstream = request.params["path"], resolved.upstream
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(upstream))
        if path == "simple" or path.startswith("simple/"):
            url = upstream + path[len("simple") :]
        else:
            url = f"{origin}/{path}"
        headers = {"Accept": request.headers.get("Accept", "*/*")}
        try:
            answer = http.get(url, auth=resolved.auth, headers=headers)
        except httpx.HTTPError as error:
            return text(HTTPStatus.BAD_GATEWAY, f"Upstream unreachable: {type(error).__name__}.")
        if answer.status_code in (401, 403):
            return refused_by_upstream(answer.status_code)
        body = answer.content
        content_type = answer.headers.get("content-type", "application/octet-stream")
        if "html" in content_type or "json" in content_type:
            body = _relink(body, origin, resolved.prefix)
        forwarded = {
            name: answer.headers[name] for name in _FORWARDED_HEADERS if name in answer.headers
        }
        return Response(HTTPStatus(answer.status_code), body, content_type, forwarded)


def _relink(body: bytes, origin: str, prefix: str) -> bytes:
    """Point the page's file links at the repository, as Artifact Registry serves files itself."""
    text_ = body.decode("utf-8", "replace")
    text_ = re.sub(r'href="/(?!/)', f'href="{prefix}/', text_)
    text_ = text_.replace(f'"{origin}/', f'"{prefix}/')
    return text_.encode()
