"""The Artifact Registry emulator, driven through the real artifactregistry_v1 client over gRPC:
updating a repository, its errors and injected faults."""

from __future__ import annotations

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import artifactregistry_v1 as ar
from google.protobuf import field_mask_pb2

from rotation.gcp import clients
from tests.emulator.artifactregistry_support import (
    NAME,
    NAME_BY_NUMBER,
    PASSWORD_PATH,
    SECRET,
    USERNAME_PATH,
    Config,
    Credentials,
    create,
    credentials,
    update,
    with_password,
)

pytestmark = pytest.mark.usefixtures("readable_secret")


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
