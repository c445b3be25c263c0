"""What the Artifact Registry emulator tests share: names, repositories and requests."""

from __future__ import annotations

from google.cloud import artifactregistry_v1 as ar
from google.protobuf import field_mask_pb2

from rotation.gcp import clients

Config = ar.RemoteRepositoryConfig
Credentials = Config.UpstreamCredentials.UsernamePasswordCredentials

PARENT = "projects/demo-project/locations/us-central1"
PARENT_BY_NUMBER = "projects/123456789012/locations/us-central1"
NAME = f"{PARENT}/repositories/pypi-mirror"
NAME_BY_NUMBER = f"{PARENT_BY_NUMBER}/repositories/pypi-mirror"
SECRET = "projects/demo-project/secrets/pypi-token"
PASSWORD_PATH = (
    "remote_repository_config.upstream_credentials.username_password_credentials"
    ".password_secret_version"
)
USERNAME_PATH = (
    "remote_repository_config.upstream_credentials.username_password_credentials.username"
)


AGENTS = [
    f"serviceAccount:service-{number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    for number in ("123456789012", "210987654321")
]


def remote_python(
    upstream_uri: str | None = None, disable_upstream_validation: bool = False
) -> ar.Repository:
    """A remote Python repository mirroring PyPI, or the index at `upstream_uri`."""
    config = Config(
        description="upstream index",
        disable_upstream_validation=disable_upstream_validation,
        upstream_credentials=Config.UpstreamCredentials(
            username_password_credentials=Credentials(
                username="__token__", password_secret_version=f"{SECRET}/versions/1"
            )
        ),
    )
    if upstream_uri:
        config.common_repository = Config.CommonRemoteRepository(uri=upstream_uri)
    else:
        config.python_repository = Config.PythonRepository(
            public_repository=Config.PythonRepository.PublicRepository.PYPI
        )
    return ar.Repository(
        format_=ar.Repository.Format.PYTHON,
        mode=ar.Repository.Mode.REMOTE_REPOSITORY,
        description="PyPI mirror",
        labels={"team": "platform", "env": "test"},
        remote_repository_config=config,
    )


def create(
    repository_id: str = "pypi-mirror",
    parent: str = PARENT,
    repository: ar.Repository | None = None,
) -> ar.Repository:
    operation = clients.artifact_registry().create_repository(
        parent=parent, repository_id=repository_id, repository=repository or remote_python()
    )
    result: ar.Repository = operation.result(timeout=5)
    return result


def update(repository: ar.Repository, *paths: str) -> ar.Repository:
    return clients.artifact_registry().update_repository(
        repository=repository, update_mask=field_mask_pb2.FieldMask(paths=list(paths))
    )


def with_password(version: str, name: str = NAME) -> ar.Repository:
    """A sparse repository carrying only its name and a password version, as an update sends."""
    return ar.Repository(
        name=name,
        remote_repository_config=Config(
            upstream_credentials=Config.UpstreamCredentials(
                username_password_credentials=Credentials(password_secret_version=version)
            )
        ),
    )


def credentials(repository: ar.Repository) -> Credentials:
    return repository.remote_repository_config.upstream_credentials.username_password_credentials
