"""Thin adapter over Artifact Registry: find the remote repositories that use a secret, repoint them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from google.cloud import artifactregistry_v1
from google.protobuf import field_mask_pb2

from rotation import clients
from rotation.egress import PUBLIC_PYPI
from rotation.errors import PermanentError, TransientError, google_call

_CREDENTIALS = "remote_repository_config.upstream_credentials.username_password_credentials"
REPOINT_MASK = field_mask_pb2.FieldMask(
    paths=[f"{_CREDENTIALS}.username", f"{_CREDENTIALS}.password_secret_version"]
)
_VERSION_NAME = re.compile(r"^projects/([^/]+)/secrets/([^/]+)/versions/([^/]+)$")


@dataclass(frozen=True)
class RemoteRepository:
    name: str
    username: str
    password_secret_version: str
    upstream_url: str = ""  # what the repository proxies; "" when not read

    @property
    def project(self) -> str:
        return self.name.split("/")[1]


@dataclass(frozen=True)
class SecretVersionRef:
    """A `projects/P/secrets/S/versions/V` name split into its parts (P may be an id or a number)."""

    project: str
    secret_id: str
    version: str

    @classmethod
    def parse(cls, name: str) -> SecretVersionRef | None:
        match = _VERSION_NAME.match(name)
        return cls(*match.groups()) if match else None


class RepositoryStore:
    def __init__(self, client: Any = None) -> None:
        self._client = client or clients.artifact_registry()

    def get(self, name: str) -> RemoteRepository:
        with google_call(f"reading repository {name}"):
            repository = self._client.get_repository(name=name)
        return _remote(repository)

    def list_remote(self, location: str) -> list[RemoteRepository]:
        """Every remote repository in `projects/P/locations/L` that authenticates with a password."""
        with google_call(f"listing repositories in {location}"):
            found = [
                repository
                for repository in self._client.list_repositories(parent=location)
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
            updated = _remote(
                self._client.update_repository(repository=repository, update_mask=REPOINT_MASK)
            )
        if updated.password_secret_version != version_name or updated.username != username:
            raise TransientError(
                f"repository {name} answered the update with {updated.password_secret_version}, "
                f"not {version_name}"
            )
        return updated


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
    )


def _upstream_url(config: artifactregistry_v1.RemoteRepositoryConfig) -> str:
    """The upstream a remote repository proxies: a custom URL, or public PyPI's."""
    python = config.python_repository
    if python.custom_repository.uri:
        return str(python.custom_repository.uri)
    if python.public_repository == python.PublicRepository.PYPI:
        return PUBLIC_PYPI
    return str(config.common_repository.uri)
