"""The Artifact Registry emulator, driven through the real artifactregistry_v1 client over gRPC:
getting and listing repositories."""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from emulator.artifactregistry import DEFAULT_PAGE_SIZE
from rotation.gcp import clients
from rotation.gcp.artifact_registry import RepositoryStore
from tests.emulator.artifactregistry_support import (
    NAME,
    NAME_BY_NUMBER,
    PARENT,
    PARENT_BY_NUMBER,
    create,
)

pytestmark = pytest.mark.usefixtures("readable_secret")


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


def test_list_without_a_page_size_pages_and_the_adapter_reads_every_page(emulator):
    ids = [f"repo-{index:02d}" for index in range(DEFAULT_PAGE_SIZE + 3)]
    for repository_id in ids:
        create(repository_id)
    first = clients.artifact_registry().list_repositories(request={"parent": PARENT})
    pages = list(first.pages)

    assert [len(page.repositories) for page in pages] == [DEFAULT_PAGE_SIZE, 3]
    listed = RepositoryStore().list_remote(PARENT)
    assert [r.name for r in listed] == [f"{PARENT}/repositories/{i}" for i in ids]
