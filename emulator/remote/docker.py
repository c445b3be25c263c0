"""Docker remote repositories: Artifact Registry serves one as
`LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE`, the emulator the registry v2 API on its HTTP
port: `/v2/` and `/v2/PROJECT/REPOSITORY/IMAGE.../(manifests|blobs|tags)/REFERENCE`, GET and
HEAD. Clients need no credentials here (production wants gcloud's).

Upstream requests follow the registry auth flow with the repository's credential: ask; on 401
with a `Bearer realm=...,service=...` challenge get a token from the realm with basic auth (scope
`repository:IMAGE:pull`) and ask again with it; on a `Basic` challenge ask again with basic auth.
Nothing is cached, so every request shows whether the current credential works. Blob redirects
(Docker Hub's CDN) are followed, without the Authorization header off the upstream's origin.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import ClassVar

import httpx
from google.cloud import artifactregistry_v1 as ar

from emulator.remote.credential import Auth
from emulator.remote.formats import Resolved, Resolver, Router, judge, refused, refused_by_upstream
from emulator.remote.formats import unreachable as unreachable_error
from emulator.routing import Request, Response

_IMAGE_ROUTE = (
    r"/v2/(?P<project>[^/]+)/(?P<repository>[^/]+)/(?P<image>.+)"
    r"/(?P<kind>manifests|blobs|tags)/(?P<reference>[^/]+)"
)
_FORWARDED_HEADERS = ("docker-content-digest", "docker-distribution-api-version", "etag")
_API_VERSION = {"Docker-Distribution-API-Version": "registry/2.0"}
_CODES = {HTTPStatus.FORBIDDEN: "DENIED", HTTPStatus.NOT_FOUND: "NAME_UNKNOWN"}
_PARAMETER = re.compile(r'(\w+)="([^"]*)"')


class UpstreamFailed(Exception):
    """The token endpoint answered something that is neither a token nor a refusal."""


def registry_url(http_url: str, project: str, repository_id: str) -> str:
    """The `host:port/PROJECT/REPOSITORY` prefix of image names in a Docker repository (its
    LOCATION-docker.pkg.dev/PROJECT/REPOSITORY), for `docker://` references."""
    return f"{http_url.removeprefix('http://')}/{project}/{repository_id}"


def registry_error(answer: Response) -> Response:
    """A plain-text answer of the data path as the registry API's JSON error, which Docker
    clients print (`denied: ...`)."""
    code = _CODES.get(answer.status, "UNKNOWN")
    body = {"errors": [{"code": code, "message": answer.body.decode(), "detail": None}]}
    return Response(answer.status, json.dumps(body).encode(), "application/json", _API_VERSION)


def authorized_get(
    http: httpx.Client, url: str, auth: Auth | None, scope: str, headers: dict[str, str]
) -> httpx.Response:
    """GET `url` through the registry auth flow (a Bearer token is asked for anonymously without
    a credential). The answer is the registry's, or the token endpoint's when it refused the
    credential (401/403). Raises httpx.HTTPError or UpstreamFailed."""
    answer = http.get(url, headers=headers, follow_redirects=True)
    if answer.status_code != HTTPStatus.UNAUTHORIZED:
        return answer
    challenge = answer.headers.get("www-authenticate", "")
    scheme = challenge.partition(" ")[0].lower()
    if scheme == "basic" and auth is not None:
        return http.get(url, headers=headers, auth=auth, follow_redirects=True)
    if scheme != "bearer":
        return answer
    parameters = dict(_PARAMETER.findall(challenge))
    query = {"service": parameters.get("service", "")}
    if scope or parameters.get("scope"):
        query["scope"] = scope or parameters["scope"]
    issued = http.get(parameters.get("realm", ""), params=query, auth=auth)
    if issued.status_code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
        return issued
    bearer = {**headers, "Authorization": f"Bearer {_token_of(issued)}"}
    return http.get(url, headers=bearer, follow_redirects=True)


def _token_of(issued: httpx.Response) -> str:
    """The token of a token endpoint's answer: `token`, or OAuth2's `access_token`."""
    try:
        body = issued.json() if issued.is_success else None
    except ValueError:
        body = None
    token = (body.get("token") or body.get("access_token")) if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise UpstreamFailed(f"the token endpoint answered HTTP {issued.status_code}")
    return token


class DockerFormat:
    format: ClassVar[str] = "DOCKER"  # the name of its ar.Repository.Format
    public_upstream: ClassVar[str] = (
        "This repository's upstream is Docker Hub, which the emulator does not reach."
    )

    def upstream_of(self, repository: ar.Repository) -> str:
        remote = repository.remote_repository_config
        uri: str = remote.common_repository.uri or remote.docker_repository.custom_repository.uri
        return uri.rstrip("/")

    def validate(self, http: httpx.Client, upstream: str, auth: Auth) -> None:
        """`GET /v2/` through the auth flow with the credential."""
        try:
            answer = authorized_get(http, upstream + "/v2/", auth, "", {})
        except (httpx.HTTPError, UpstreamFailed) as error:
            raise unreachable_error(upstream, error) from None
        if answer.status_code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
            raise refused(answer.status_code)
        judge(answer)

    def install(self, route: Router, resolve: Resolver, http: httpx.Client) -> None:
        def image(request: Request) -> Response:
            resolved = resolve(request.params["project"], request.params["repository"], "DOCKER")
            if isinstance(resolved, Response):
                return registry_error(resolved)
            return self.forward(http, request, resolved)

        for method in ("GET", "HEAD"):
            route(method, "/v2/", _version_check)
            route(method, _IMAGE_ROUTE, image)

    def forward(self, http: httpx.Client, request: Request, resolved: Resolved) -> Response:
        """A HEAD is answered from the upstream's GET; the emulator's server sends no body."""
        if "image" not in request.params:  # /PROJECT/REPOSITORY/PATH, which is no registry path
            message = f"Docker images are served under /v2{resolved.prefix}/."
            return registry_error(Response(HTTPStatus.NOT_FOUND, message.encode()))
        image, kind, reference = (request.params[k] for k in ("image", "kind", "reference"))
        url = f"{resolved.upstream}/v2/{image}/{kind}/{reference}"
        if request.query:
            url += "?" + str(httpx.QueryParams(request.query))
        accept = request.headers.get_all("Accept") or ["*/*"]
        headers = {"Accept": ", ".join(accept)}
        try:
            answer = authorized_get(http, url, resolved.auth, f"repository:{image}:pull", headers)
        except httpx.HTTPError as error:
            message = f"Upstream unreachable: {type(error).__name__}."
            return registry_error(Response(HTTPStatus.BAD_GATEWAY, message.encode()))
        except UpstreamFailed as error:
            message = f"Upstream failed: {error}."
            return registry_error(Response(HTTPStatus.BAD_GATEWAY, message.encode()))
        if answer.status_code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
            return registry_error(refused_by_upstream(answer.status_code))
        forwarded = {
            name: answer.headers[name] for name in _FORWARDED_HEADERS if name in answer.headers
        }
        content_type = answer.headers.get("content-type", "application/octet-stream")
        return Response(HTTPStatus(answer.status_code), answer.content, content_type, forwarded)


def _version_check(_: Request) -> Response:
    """The API version check: 200, since the emulator asks clients for no credentials."""
    return Response(HTTPStatus.OK, b"{}", "application/json", _API_VERSION)
