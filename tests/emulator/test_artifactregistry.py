"""The Artifact Registry emulator, driven through the real artifactregistry_v1 client over gRPC."""

from __future__ import annotations

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import artifactregistry_v1 as ar
from google.protobuf import field_mask_pb2

from emulator.artifactregistry import DEFAULT_PAGE_SIZE
from rotation.gcp import clients
from rotation.gcp.artifact_registry import RepositoryStore

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


@pytest.fixture(autouse=True)
def readable_secret(emulator) -> None:
    """The secret the repositories use, versions 1 and 2, readable by both projects' Artifact
    Registry service agents (Artifact Registry validates the credential on create and update)."""
    sm = clients.secret_manager()
    sm.create_secret(
        parent="projects/demo-project",
        secret_id="pypi-token",
        secret={"replication": {"automatic": {}}},
    )
    for token in ("token-one", "token-two"):
        sm.add_secret_version(parent=SECRET, payload={"data": token.encode()})
    sm.set_iam_policy(
        request={
            "resource": SECRET,
            "policy": {
                "bindings": [{"role": "roles/secretmanager.secretAccessor", "members": AGENTS}]
            },
        }
    )


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


def test_get_resolves_project_id_and_number(emulator):
    created = create()
    client = clients.artifact_registry()

    assert client.get_repository(name=NAME) == created
    assert client.get_repository(name=NAME_BY_NUMBER) == created


@pytest.mark.parametrize(
    ("name", "error"),
    [
        (f"{PARENT}/repositories/absent", exceptions.NotFound),
        (
            "projects/no-such-project/locations/us-central1/repositories/pypi-mirror",
            exceptions.NotFound,
        ),
        (f"{PARENT}/repos/pypi-mirror", exceptions.InvalidArgument),
    ],
)
def test_get_errors(emulator, name, error):
    with pytest.raises(error):
        clients.artifact_registry().get_repository(name=name)


def test_list_pages_through_one_location_only(emulator):
    ids = [f"repo-{index}" for index in range(5)]
    for repository_id in reversed(ids):
        create(repository_id)
    create("elsewhere", parent="projects/demo-project/locations/europe-west1")
    create("other", parent="projects/other-project/locations/us-central1")

    pager = clients.artifact_registry().list_repositories(
        request={"parent": PARENT_BY_NUMBER, "page_size": 2}
    )
    pages = list(pager.pages)

    assert [len(page.repositories) for page in pages] == [2, 2, 1]
    names = [repository.name for page in pages for repository in page.repositories]
    assert names == [f"{PARENT}/repositories/{repository_id}" for repository_id in ids]


def test_list_rejects_a_bad_page_token(emulator):
    with pytest.raises(exceptions.InvalidArgument):
        clients.artifact_registry().list_repositories(
            request={"parent": PARENT, "page_token": "not base64!"}
        )


def test_update_password_version_touches_only_that_field(emulator):
    created = create()

    updated = update(with_password(f"{SECRET}/versions/2", name=NAME_BY_NUMBER), PASSWORD_PATH)

    assert updated.name == NAME
    assert credentials(updated).password_secret_version == f"{SECRET}/versions/2"
    assert credentials(updated).username == "__token__"
    assert updated.description == created.description
    assert dict(updated.labels) == dict(created.labels)
    assert updated.remote_repository_config.python_repository == (
        created.remote_repository_config.python_repository
    )
    assert updated.create_time == created.create_time
    assert updated.update_time > created.update_time
    assert clients.artifact_registry().get_repository(name=NAME) == updated


def test_update_username_description_and_labels(emulator):
    create()
    request = ar.Repository(
        name=NAME,
        description="new description",
        labels={"team": "security"},
        remote_repository_config=Config(
            upstream_credentials=Config.UpstreamCredentials(
                username_password_credentials=Credentials(username="robot")
            )
        ),
    )

    updated = update(request, "description", "labels", USERNAME_PATH)

    assert updated.description == "new description"
    assert dict(updated.labels) == {"team": "security"}
    assert credentials(updated).username == "robot"
    assert credentials(updated).password_secret_version == f"{SECRET}/versions/1"


def test_update_of_a_field_left_unset_clears_it(emulator):
    create()

    updated = update(
        ar.Repository(name=NAME), "description", "remote_repository_config.description"
    )

    assert updated.description == ""
    assert updated.remote_repository_config.description == ""
    assert credentials(updated).username == "__token__"


def test_update_accepts_any_version_segment(emulator):
    create()

    updated = update(with_password(f"{SECRET}/versions/latest"), PASSWORD_PATH)

    assert credentials(updated).password_secret_version == f"{SECRET}/versions/latest"


def test_update_time_follows_the_emulator_clock(emulator):
    created = create()
    emulator.clock.advance(3600)

    updated = update(with_password(f"{SECRET}/versions/2"), PASSWORD_PATH)

    elapsed = updated.update_time - created.update_time
    assert 3600 <= elapsed.total_seconds() < 3660


@pytest.mark.parametrize(
    ("paths", "version"),
    [
        ((), f"{SECRET}/versions/2"),
        (("remote_repository_config.upstream_credentials.token",), f"{SECRET}/versions/2"),
        (("format",), f"{SECRET}/versions/2"),
        (("mode",), f"{SECRET}/versions/2"),
        (("remote_repository_config.python_repository",), f"{SECRET}/versions/2"),
        (("labels.team",), f"{SECRET}/versions/2"),
        ((PASSWORD_PATH,), "pypi-token"),
        ((PASSWORD_PATH,), SECRET),
        ((PASSWORD_PATH,), f"{SECRET}/versions/"),
        ((PASSWORD_PATH,), "2"),
    ],
    ids=[
        "no mask",
        "unknown field",
        "format",
        "mode",
        "upstream",
        "inside a map",
        "secret id",
        "secret name",
        "empty version",
        "bare version",
    ],
)
def test_update_rejects_invalid_requests(emulator, paths, version):
    created = create()

    with pytest.raises(exceptions.InvalidArgument):
        update(with_password(version), *paths)

    assert clients.artifact_registry().get_repository(name=NAME) == created


def test_update_of_a_missing_repository_is_not_found(emulator):
    with pytest.raises(exceptions.NotFound):
        update(with_password(f"{SECRET}/versions/2"), PASSWORD_PATH)


def test_injected_fault_reaches_the_client_and_changes_nothing(emulator):
    created = create()
    emulator.control.fail("ArtifactRegistry.UpdateRepository", grpc.StatusCode.UNAVAILABLE)
    client = clients.artifact_registry()
    request = with_password(f"{SECRET}/versions/2")
    mask = field_mask_pb2.FieldMask(paths=[PASSWORD_PATH])

    with pytest.raises(exceptions.ServiceUnavailable):
        client.update_repository(repository=request, update_mask=mask, retry=None)
    assert client.get_repository(name=NAME) == created

    updated = client.update_repository(repository=request, update_mask=mask, retry=None)
    assert credentials(updated).password_secret_version == f"{SECRET}/versions/2"
    assert emulator.control.counts["ArtifactRegistry.UpdateRepository"] == 2


def test_reset_forgets_repositories(emulator):
    create()

    emulator.reset()

    assert emulator.artifact_registry.repositories() == []
    with pytest.raises(exceptions.NotFound):
        clients.artifact_registry().get_repository(name=NAME)


def test_list_without_a_page_size_pages_and_the_adapter_reads_every_page(emulator):
    ids = [f"repo-{index:02d}" for index in range(DEFAULT_PAGE_SIZE + 3)]
    for repository_id in ids:
        create(repository_id)
    first = clients.artifact_registry().list_repositories(request={"parent": PARENT})
    pages = list(first.pages)

    assert [len(page.repositories) for page in pages] == [DEFAULT_PAGE_SIZE, 3]
    listed = RepositoryStore().list_remote(PARENT)
    assert [r.name for r in listed] == [f"{PARENT}/repositories/{i}" for i in ids]


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
