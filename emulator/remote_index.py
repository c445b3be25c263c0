"""The remote repositories' data path: what pip talks to.

Artifact Registry serves a Python remote repository at
`https://LOCATION-python.pkg.dev/PROJECT/REPOSITORY/simple/`; the emulator serves it at
`http://127.0.0.1:HTTP_PORT/PROJECT/REPOSITORY/simple/`. Every request reads the upstream
credential as Artifact Registry does: the username and the secret version the repository points
at, readable only with the repository project's Artifact Registry service agent's access to the
secret and only while the version is enabled. Then it forwards the request upstream with that
credential. Nothing is cached, so every request shows whether the current credential works.

`validate` is what Artifact Registry does on CreateRepository and UpdateRepository of a remote
repository unless the request sets `disable_upstream_validation`: the same read of the credential
as the service agent, then one GET of the upstream's index with it. Public PyPI accepts any
credential on reads (and the emulator never reaches it), so there only the read is checked.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from google.cloud import artifactregistry_v1 as ar

from emulator.authorization import denied
from emulator.core import ApiError, invalid
from emulator.http_control import HttpControl
from emulator.routing import Request, Response

if TYPE_CHECKING:
    from emulator.app import Emulator

# A project id starts with a letter, which keeps this route off /_emulator/.
ROUTE = r"/(?P<project>[a-z][^/]*)/(?P<repository>[^/]+)/(?P<path>.*)"
_FORWARDED_HEADERS = ("etag", "last-modified")


def service_agent(project_number: int) -> str:
    """The IAM member of a project's Artifact Registry service agent."""
    return (
        f"serviceAccount:service-{project_number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    )


def repository_url(http_url: str, project: str, repository_id: str) -> str:
    """The index URL pip uses for a repository (the emulator's LOCATION-python.pkg.dev URL)."""
    return f"{http_url}/{project}/{repository_id}/simple/"


def upstream_of(repository: ar.Repository) -> str:
    """The custom upstream index a remote repository proxies; "" for public PyPI."""
    remote = repository.remote_repository_config
    uri: str = remote.common_repository.uri or remote.python_repository.custom_repository.uri
    return uri.rstrip("/")


def _text(status: HTTPStatus, message: str) -> Response:
    return Response(status, message.encode(), "text/plain; charset=utf-8")


class RemoteIndex:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self._http = httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0))

    def install(self, control: HttpControl) -> None:
        control.route("GET", ROUTE, self.serve)

    def close(self) -> None:
        self._http.close()

    def serve(self, request: Request) -> Response:
        project, repository_id = request.params["project"], request.params["repository"]
        repository = self._emulator.artifact_registry.find(project, repository_id)
        if repository is None:
            return _text(HTTPStatus.NOT_FOUND, f"Repository {project}/{repository_id} not found.")
        upstream = upstream_of(repository)
        if not upstream:
            return _text(
                HTTPStatus.BAD_GATEWAY,
                "This repository's upstream is public PyPI, which the emulator does not reach.",
            )
        try:
            auth = self.credential(repository)
        except ApiError as error:
            return _text(
                HTTPStatus.FORBIDDEN,
                "Artifact Registry could not read the upstream credential of "
                f"{repository.name}: {error.message}",
            )
        return self._forward(request, upstream, auth, f"/{project}/{repository_id}")

    def credential(self, repository: ar.Repository) -> tuple[str, str] | None:
        """The username and password as the repository project's Artifact Registry service agent
        reads them; None without credentials. Raises the ApiError Secret Manager answers."""
        credentials = repository.remote_repository_config.upstream_credentials
        secret_version = credentials.username_password_credentials.password_secret_version
        if not secret_version:
            return None
        number = self._emulator.projects.resolve(repository.name.split("/")[1]).number
        permission = "secretmanager.versions.access"
        if not self._emulator.authorizer.allows(service_agent(number), permission, secret_version):
            raise denied(permission, secret_version)
        password = self._emulator.secret_manager.payload(secret_version)
        return credentials.username_password_credentials.username, password.decode()

    def validate(self, repository: ar.Repository) -> None:
        """Artifact Registry's upstream validation of a remote repository with credentials: read
        the credential as the service agent, then GET the upstream's index with it. Raises
        INVALID_ARGUMENT, worded as production's "Failed to validate remote upstream" errors."""
        credentials = repository.remote_repository_config.upstream_credentials
        secret_version = credentials.username_password_credentials.password_secret_version
        try:
            auth = self.credential(repository)
        except ApiError as error:
            number = self._emulator.projects.resolve(repository.name.split("/")[1]).number
            raise invalid(
                f"Failed to validate remote upstream: the upstream credentials' secret version "
                f"{secret_version} cannot be accessed by the Artifact Registry service agent "
                f"{service_agent(number).removeprefix('serviceAccount:')}: {error.message}"
            ) from None
        upstream = upstream_of(repository)
        if auth is None or not upstream:
            return  # public PyPI accepts any credential on reads
        try:
            answer = self._http.get(upstream + "/", auth=auth)
        except httpx.HTTPError as error:
            raise invalid(
                f"Failed to validate remote upstream: {upstream} is unreachable "
                f"({type(error).__name__})."
            ) from None
        if answer.status_code in (401, 403):
            raise invalid(
                "Failed to validate remote upstream: generic::unauthenticated: Unauthorized error "
                f"returned by the external repository (HTTP {answer.status_code})... this "
                "typically means your upstream credentials are invalid"
            )
        if not answer.is_success:
            raise invalid(
                f"Failed to validate remote upstream: the external repository answered HTTP "
                f"{answer.status_code}."
            )

    def _forward(
        self, request: Request, upstream: str, auth: tuple[str, str] | None, prefix: str
    ) -> Response:
        path = request.params["path"]
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(upstream))
        if path == "simple" or path.startswith("simple/"):
            url = upstream + path[len("simple") :]
        else:
            url = f"{origin}/{path}"
        headers = {"Accept": request.headers.get("Accept", "*/*")}
        try:
            answer = self._http.get(url, auth=auth, headers=headers)
        except httpx.HTTPError as error:
            return _text(HTTPStatus.BAD_GATEWAY, f"Upstream unreachable: {type(error).__name__}.")
        if answer.status_code in (401, 403):
            return _text(
                HTTPStatus.FORBIDDEN,
                f"The upstream refused this repository's credentials (HTTP {answer.status_code}).",
            )
        body = answer.content
        content_type = answer.headers.get("content-type", "application/octet-stream")
        if "html" in content_type or "json" in content_type:
            body = _relink(body, origin, prefix)
        forwarded = {
            name: answer.headers[name] for name in _FORWARDED_HEADERS if name in answer.headers
        }
        return Response(HTTPStatus(answer.status_code), body, content_type, forwarded)


def _relink(body: bytes, origin: str, prefix: str) -> bytes:
    """Point the page's file links at the repository, as Artifact Registry serves files itself."""
    text = body.decode("utf-8", "replace")
    text = re.sub(r'href="/(?!/)', f'href="{prefix}/', text)
    text = text.replace(f'"{origin}/', f'"{prefix}/')
    return text.encode()
