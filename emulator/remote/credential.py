"""The upstream credential of a remote repository, read as Artifact Registry reads it: as the
repository project's Artifact Registry service agent, and only while the version is enabled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from google.cloud import artifactregistry_v1 as ar

from emulator.authorization import denied

if TYPE_CHECKING:
    from emulator.app import Emulator

Auth = tuple[str, str]  # (username, password) for basic auth


def service_agent(project_number: int) -> str:
    """The IAM member of a project's Artifact Registry service agent."""
    return (
        f"serviceAccount:service-{project_number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    )


def agent_of(emulator: Emulator, repository: ar.Repository) -> str:
    return service_agent(emulator.projects.resolve(repository.name.split("/")[1]).number)


def password_version(repository: ar.Repository) -> str:
    credentials = repository.remote_repository_config.upstream_credentials
    return str(credentials.username_password_credentials.password_secret_version)


def read_credential(emulator: Emulator, repository: ar.Repository) -> Auth | None:
    """The username and password as the repository project's service agent reads them; None
    without credentials. Raises the ApiError Secret Manager answers."""
    credentials = repository.remote_repository_config.upstream_credentials
    secret_version = password_version(repository)
    if not secret_version:
        return None
    permission = "secretmanager.versions.access"
    if not emulator.authorizer.allows(agent_of(emulator, repository), permission, secret_version):
        raise denied(permission, secret_version)
    password = emulator.secret_manager.payload(secret_version)
    return credentials.username_password_credentials.username, password.decode()
