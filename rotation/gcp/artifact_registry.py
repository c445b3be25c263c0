"""Thin adapter over Artifact Registry: find the remote repositories that use a secret, repoint them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.cloud import artifactregistry_v1
from google.protobuf import field_mask_pb2

from rotation.core import formats
from rotation.core.errors import (
    PermanentError,
    TransientError,
    UpstreamValidationFailed,
)
from rotation.core.model import RemoteRepository, same_version
from rotation.gcp import clients
from rotation.gcp.deadlines import DEFAULT_POLICIES, CallPolicies
from rotation.gcp.errors import google_call

# The whole credential message (it holds only the username and the password version): whether
# production accepts leaf paths inside it is undocumented, this path means the same.
REPOINT_MASK = field_mask_pb2.FieldMask(paths=["remote_repository_config.upstream_credentials"])
# How Artifact Registry words a refused upstream validation ("Failed to validate remote upstream:
# ... credentials are invalid"); the emulator words it the same way (emulator/FIDELITY.md).
_VALIDATION_REFUSED = re.compile(r"validate (the )?remote upstream|upstream credential", re.I)
_SECRET_REFUSED = re.compile(
    r"secretmanager\.|cannot be accessed|secret version \S+ (is )?(not found|disabled|destroyed)",
    re.I,
)


def _as_given(project: str) -> str:
    """Without a project directory, a project is only itself."""
    return project


# ListRepositories pages: "Maximum page size is 1,000" (ListRepositoriesRequest.page_size).
LIST_PAGE_SIZE = 1000


class RepositoryStore:
    def __init__(
        self,
        client: Any = None,
        calls: CallPolicies = DEFAULT_POLICIES,
        project_number: Callable[[str], str] = _as_given,
    ) -> None:
        self._client = client or clients.artifact_registry()
        self._read = calls.read.options()
        self._idempotent_write = calls.idempotent_write.options()
        self._project_number = project_number

    def get(self, name: str) -> RemoteRepository:
        with google_call(f"reading repository {name}"):
            repository = self._client.get_repository(name=name, **self._read)
        return _remote(repository)

    def list_remote(self, location: str) -> list[RemoteRepository]:
        """Every remote repository in `projects/P/locations/L` that authenticates with a password."""
        with google_call(f"listing repositories in {location}"):
            found = [
                repository
                for repository in self._client.list_repositories(
                    request={"parent": location, "page_size": LIST_PAGE_SIZE}, **self._read
                )
                if repository.mode == artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY
            ]
        return [_remote(repository) for repository in found if _has_password(repository)]

    def repoint(self, name: str, username: str, version_name: str) -> RemoteRepository:
        """Set the upstream username and secret version, touching no other field; confirm it took."""
        repository = artifactregistry_v1.Repository(name=name)
        credentials = (
            repository.remote_repository_config.upstream_credentials.username_password_credentials
        )
        credentials.username = username
        credentials.password_secret_version = version_name
        with google_call(f"repointing repository {name}"):
            try:
                answer = self._client.update_repository(
                    repository=repository, update_mask=REPOINT_MASK, **self._idempotent_write
                )
            except (
                google_exceptions.InvalidArgument,
                google_exceptions.FailedPrecondition,
            ) as error:
                refused = validation_refusal(error, name, username, version_name)
                if refused is None:
                    raise
                raise refused from None
        updated = _remote(answer)
        if updated.username != username or not same_version(
            updated.password_secret_version, version_name, self._project_number
        ):
            raise TransientError(
                f"repository {name} answered the update with {updated.password_secret_version}, "
                f"not {version_name}"
            )
        return updated


def validation_refusal(
    error: google_exceptions.GoogleAPICallError, repository: str, username: str, version: str
) -> UpstreamValidationFailed | None:
    """Artifact Registry's refusal of the new credential by its upstream validation, if `error`
    is one: either its service agent could not read the version, or the upstream refused it."""
    message = str(error.message)
    if not _VALIDATION_REFUSED.search(message):
        return None
    return UpstreamValidationFailed(
        f"Artifact Registry refused to point repository {repository} at {version}: {message}",
        repository=repository,
        version=version,
        username=username,
        agent_cannot_read=bool(_SECRET_REFUSED.search(message)),
    )


def _has_password(repository: artifactregistry_v1.Repository) -> bool:
    credentials = (
        repository.remote_repository_config.upstream_credentials.username_password_credentials
    )
    return bool(credentials.password_secret_version)


def _remote(repository: artifactregistry_v1.Repository) -> RemoteRepository:
    if repository.mode != artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY:
        raise PermanentError(
            f"repository {repository.name} is not a remote repository",
            remedy="list only remote repositories in token-rotator.repositories",
        )
    credentials = (
        repository.remote_repository_config.upstream_credentials.username_password_credentials
    )
    return RemoteRepository(
        name=repository.name,
        username=credentials.username,
        password_secret_version=credentials.password_secret_version,
        upstream_url=_upstream_url(repository.remote_repository_config),
        format=repository.format_.name,
    )


def _upstream_url(config: artifactregistry_v1.RemoteRepositoryConfig) -> str:
    """The upstream a remote repository proxies: its format's custom URL or public upstream, or
    the common repository's URL."""
    remote = artifactregistry_v1.RemoteRepositoryConfig
    format_configs = (
        (
            config.python_repository,
            remote.PythonRepository.PublicRepository.PYPI,
            formats.PUBLIC_PYPI,
        ),
        (
            config.docker_repository,
            remote.DockerRepository.PublicRepository.DOCKER_HUB,
            formats.DOCKER_HUB,
        ),
        (config.npm_repository, remote.NpmRepository.PublicRepository.NPMJS, formats.NPMJS),
        (
            config.maven_repository,
            remote.MavenRepository.PublicRepository.MAVEN_CENTRAL,
            formats.MAVEN_CENTRAL,
        ),
    )
    for repository, public, public_url in format_configs:
        if repository.custom_repository.uri:
            return str(repository.custom_repository.uri).rstrip("/")
        if repository.public_repository == public:
            return public_url
    return str(config.common_repository.uri).rstrip("/")
