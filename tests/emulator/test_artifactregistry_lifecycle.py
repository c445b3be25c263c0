"""The Artifact Registry emulator, driven through the real artifactregistry_v1 client over gRPC:
creating repositories, deleting them and forgetting them on reset."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import artifactregistry_v1 as ar

from rotation.gcp import clients
from tests.emulator.artifactregistry_support import (
    NAME,
    NAME_BY_NUMBER,
    PARENT,
    PARENT_BY_NUMBER,
    SECRET,
    Config,
    create,
    credentials,
    remote_python,
)

pytestmark = pytest.mark.usefixtures("readable_secret")


def test_create_finishes_the_operation_and_stores_the_repository(emulator):
    operation = clients.artifact_registry().create_repository(
        parent=PARENT, repository_id="pypi-mirror", repository=remote_python()
    )

    assert operation.done()
    repository = operation.result(timeout=5)
    assert isinstance(repository, ar.Repository)
    assert repository.name == NAME
    assert repository.format_ == ar.Repository.Format.PYTHON
    assert repository.mode == ar.Repository.Mode.REMOTE_REPOSITORY
    assert credentials(repository).password_secret_version == f"{SECRET}/versions/1"
    assert repository.create_time == repository.update_time
    assert [r.name for r in emulator.artifact_registry.repositories()] == [NAME]


def test_create_by_project_number_answers_with_the_project_id(emulator):
    repository = create(parent=PARENT_BY_NUMBER)

    assert repository.name == NAME
    assert clients.artifact_registry().get_repository(name=NAME).name == NAME


def test_create_accepts_a_custom_upstream_index(emulator):
    upstream = "https://gitlab.example.com/api/v4/projects/1"  # unreachable: not validated
    repository = create(repository=remote_python(upstream, disable_upstream_validation=True))

    assert repository.remote_repository_config.common_repository.uri.startswith("https://gitlab")


def test_create_twice_is_already_exists_even_by_project_number(emulator):
    create()

    with pytest.raises(exceptions.AlreadyExists):
        create(parent=PARENT_BY_NUMBER)


def _without_upstream() -> ar.Repository:
    repository = remote_python()
    repository.remote_repository_config = Config(description="no upstream")
    return repository


def _with_version(version: str) -> ar.Repository:
    repository = remote_python()
    credentials(repository).password_secret_version = version
    return repository


@pytest.mark.parametrize(
    ("repository_id", "repository"),
    [
        ("Pypi_Mirror", remote_python()),
        ("pypi-", remote_python()),
        ("pypi-mirror", ar.Repository(mode=ar.Repository.Mode.STANDARD_REPOSITORY)),
        ("pypi-mirror", _without_upstream()),
        ("pypi-mirror", _with_version("pypi-token")),
        ("pypi-mirror", _with_version(f"{SECRET}/versions/")),
    ],
    ids=[
        "uppercase id",
        "trailing hyphen",
        "no format",
        "no upstream",
        "short secret",
        "no version",
    ],
)
def test_create_rejects_invalid_repositories(emulator, repository_id, repository):
    with pytest.raises(exceptions.InvalidArgument):
        create(repository_id, repository=repository)

    assert emulator.artifact_registry.repositories() == []


def test_reset_forgets_repositories(emulator):
    create()

    emulator.reset()

    assert emulator.artifact_registry.repositories() == []
    with pytest.raises(exceptions.NotFound):
        clients.artifact_registry().get_repository(name=NAME)


def test_delete_finishes_the_operation_and_removes_the_repository(emulator):
    create()
    operation = clients.artifact_registry().delete_repository(name=NAME_BY_NUMBER)
    operation.result(timeout=5)

    assert operation.done()
    with pytest.raises(exceptions.NotFound):
        clients.artifact_registry().get_repository(name=NAME)
    with pytest.raises(exceptions.NotFound):
        clients.artifact_registry().delete_repository(name=NAME)
    create()  # the id is free again
    assert clients.artifact_registry().get_repository(name=NAME).name == NAME
