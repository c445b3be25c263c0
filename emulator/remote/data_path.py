"""The remote repositories' data path, for every format.

Every request reads the upstream credential as Artifact Registry does: the username and the
secret version the repository points at, readable only with the repository project's Artifact
Registry service agent's access to the secret and only while the version is enabled. Then the
repository's format forwards it upstream with that credential. Nothing is cached, so every
request shows whether the current credential works.

`validate` is what Artifact Registry does on CreateRepository and UpdateRepository of a remote
repository unless the request sets `disable_upstream_validation`: the same read of the credential
as the service agent, then the format's request to the upstream with it. A public upstream
(PyPI, Docker Hub, npmjs, Maven Central) is never reached, so there only the read is checked.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

import httpx
from google.cloud import artifactregistry_v1 as ar

from emulator.core import ApiError, invalid
from emulator.http_control import HttpControl
from emulator.remote.credential import agent_of, password_version, read_credential
from emulator.remote.docker import DockerFormat
from emulator.remote.formats import RemoteFormat, Resolved, text
from emulator.remote.maven import MavenFormat
from emulator.remote.npm import NpmFormat
from emulator.remote.python import PythonFormat
from emulator.routing import Request, Response

if TYPE_CHECKING:
    from emulator.app import Emulator

# A project id starts with a letter, which keeps this route off /_emulator/; and it is never
# "v2" (6 to 30 characters), which keeps it off Docker's /v2/.
ROUTE = r"/(?P<project>(?!v2/)[a-z][^/]*)/(?P<repository>[^/]+)/(?P<path>.*)"


def remote_formats() -> dict[str, RemoteFormat]:
    formats: list[RemoteFormat] = [PythonFormat(), DockerFormat(), NpmFormat(), MavenFormat()]
    return {remote.format: remote for remote in formats}


class RemoteRepositories:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self._http = httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0))
        self.formats = remote_formats()

    def install(self, control: HttpControl) -> None:
        control.route("GET", ROUTE, self.serve)
        for remote in self.formats.values():
            remote.install(control.route, self.resolve, self._http)

    def close(self) -> None:
        self._http.close()

    def resolve(
        self, project: str, repository_id: str, format_: str | None = None
    ) -> Resolved | Response:
        """The repository, its upstream and its credential; or the answer a client gets when
        there is no such repository of this format, no reachable upstream or no readable
        credential."""
        repository = self._emulator.artifact_registry.find(project, repository_id)
        if repository is None or (format_ is not None and repository.format_.name != format_):
            return text(HTTPStatus.NOT_FOUND, f"Repository {project}/{repository_id} not found.")
        remote = self.formats.get(repository.format_.name)
        if remote is None:
            return text(HTTPStatus.NOT_FOUND, f"The emulator serves no {repository.format_.name}.")
        upstream = remote.upstream_of(repository)
        if not upstream:
            return text(HTTPStatus.BAD_GATEWAY, remote.public_upstream)
        try:
            auth = read_credential(self._emulator, repository)
        except ApiError as error:
            return text(
                HTTPStatus.FORBIDDEN,
                "Artifact Registry could not read the upstream credential of "
                f"{repository.name}: {error.message}",
            )
        return Resolved(repository, upstream, auth, f"/{project}/{repository_id}")

    def serve(self, request: Request) -> Response:
        resolved = self.resolve(request.params["project"], request.params["repository"])
        if isinstance(resolved, Response):
            return resolved
        remote = self.formats[resolved.repository.format_.name]
        return remote.forward(self._http, request, resolved)

    def validate(self, repository: ar.Repository) -> None:
        """Artifact Registry's upstream validation of a remote repository with credentials: read
        the credential as the service agent, then the format's request upstream with it. Raises
        INVALID_ARGUMENT, worded as production's "Failed to validate remote upstream" errors."""
        try:
            auth = read_credential(self._emulator, repository)
        except ApiError as error:
            agent = agent_of(self._emulator, repository).removeprefix("serviceAccount:")
            raise invalid(
                f"Failed to validate remote upstream: the upstream credentials' secret version "
                f"{password_version(repository)} cannot be accessed by the Artifact Registry "
                f"service agent {agent}: {error.message}"
            ) from None
        remote = self.formats.get(repository.format_.name)
        upstream = remote.upstream_of(repository) if remote is not None else ""
        if auth is None or remote is None or not upstream:
            return  # a public upstream accepts any credential on reads
        remote.validate(self._http, upstream, auth)
