"""Artifact Registry validates a remote repository's upstream credentials on create and update:
the repository project's service agent must read the secret version, and a private upstream must
accept the credential. Driven through the real artifactregistry_v1 client over gRPC."""

from __future__ import annotations

import secrets as random_secrets
from collections.abc import Callable

import pytest
from google.api_core import exceptions
from google.cloud import artifactregistry_v1 as ar
from google.protobuf import field_mask_pb2

from emulator.upstream import PypiServer
from tests.support import AR_AGENT, PROJECT, PROJECT_NUMBER, World, repository_name

Config = ar.RemoteRepositoryConfig
Credentials = Config.UpstreamCredentials.UsernamePasswordCredentials

REPOSITORY = repository_name("validated")
USER = "svc-validation"
CREDENTIAL_PATH = "remote_repository_config.upstream_credentials"
LEAF_PATHS = [
    f"{CREDENTIAL_PATH}.username_password_credentials.username",
    f"{CREDENTIAL_PATH}.username_password_credentials.password_secret_version",
]
ACCESS_REFUSED = "Failed to validate remote upstream: the upstream credentials' secret version"
UPSTREAM_REFUSED = "this typically means your upstream credentials are invalid"


@pytest.fixture
def world(emulator) -> World:
    return World(emulator)


def token_secret(world: World, index: PypiServer | None = None, versions: int = 2) -> str:
    """A secret with `versions` versions, each a token the private index accepts (if given),
    readable by the Artifact Registry service agent."""
    secret = world.secret(f"validated-{random_secrets.token_hex(4)}", rotation=False)
    for _ in range(versions):
        token = random_secrets.token_urlsafe(16)
        world.sm.add_secret_version(parent=secret, payload={"data": token.encode()})
        if index is not None:
            index.allow(USER, token)
    world.grant(secret, AR_AGENT)
    return secret


def remote(version: str, upstream: str | None, disable: bool = False) -> ar.Repository:
    """A Python remote repository of public PyPI, or of `upstream`, using `version`."""
    config = Config(
        upstream_credentials=Config.UpstreamCredentials(
            username_password_credentials=Credentials(
                username=USER, password_secret_version=version
            )
        ),
        disable_upstream_validation=disable,
    )
    if upstream:
        config.common_repository = Config.CommonRemoteRepository(uri=upstream)
    else:
        config.python_repository = Config.PythonRepository(
            public_repository=Config.PythonRepository.PublicRepository.PYPI
        )
    return ar.Repository(
        format_=ar.Repository.Format.PYTHON,
        mode=ar.Repository.Mode.REMOTE_REPOSITORY,
        remote_repository_config=config,
    )


def create(world: World, repository: ar.Repository) -> ar.Repository:
    parent, repository_id = REPOSITORY.rsplit("/repositories/", 1)
    operation = world.ar.create_repository(
        parent=parent, repository_id=repository_id, repository=repository
    )
    created: ar.Repository = operation.result(timeout=5)
    return created


def repoint(
    world: World, version: str, paths: list[str] | None = None, disable: bool = False
) -> ar.Repository:
    request = ar.Repository(
        name=REPOSITORY,
        remote_repository_config=Config(
            upstream_credentials=Config.UpstreamCredentials(
                username_password_credentials=Credentials(
                    username=USER, password_secret_version=version
                )
            ),
            disable_upstream_validation=disable,
        ),
    )
    mask = field_mask_pb2.FieldMask(paths=paths or [CREDENTIAL_PATH])
    return world.ar.update_repository(repository=request, update_mask=mask, retry=None)


def points_at(world: World) -> str:
    return str(
        world.ar.get_repository(
            name=REPOSITORY
        ).remote_repository_config.upstream_credentials.username_password_credentials.password_secret_version
    )


def revoke_binding(world: World, secret: str) -> str:
    world.sm.set_iam_policy(request={"resource": secret, "policy": {}})
    return f"{secret}/versions/2"


def disable(world: World, secret: str) -> str:
    world.sm.disable_secret_version(name=f"{secret}/versions/2")
    return f"{secret}/versions/2"


def destroy(world: World, secret: str) -> str:
    world.sm.destroy_secret_version(name=f"{secret}/versions/2")
    return f"{secret}/versions/2"


def missing(world: World, secret: str) -> str:
    return f"{secret}/versions/9"


UNREADABLE: dict[str, Callable[[World, str], str]] = {
    "no binding": revoke_binding,
    "disabled": disable,
    "destroyed": destroy,
    "missing": missing,
}


@pytest.mark.parametrize("upstream", [False, True], ids=["public PyPI", "private index"])
@pytest.mark.parametrize("make_unreadable", UNREADABLE.values(), ids=list(UNREADABLE))
def test_a_version_the_agent_cannot_read_is_refused_on_create_and_update(
    world, private_index, upstream, make_unreadable
):
    secret = token_secret(world, private_index)
    uri = private_index.index_url if upstream else None
    create(world, remote(f"{secret}/versions/1", uri))
    unreadable = make_unreadable(world, secret)

    with pytest.raises(exceptions.InvalidArgument, match=ACCESS_REFUSED) as refused:
        repoint(world, unreadable)
    assert f"service-{PROJECT_NUMBER}@gcp-sa-artifactregistry" in refused.value.message
    assert unreadable in refused.value.message
    assert points_at(world) == f"{secret}/versions/1"

    world.emulator.artifact_registry.reset()
    with pytest.raises(exceptions.InvalidArgument, match=ACCESS_REFUSED):
        create(world, remote(unreadable, uri))
    assert world.emulator.artifact_registry.repositories() == []

    create(world, remote(unreadable, uri, disable=True))
    assert points_at(world) == unreadable


@pytest.mark.parametrize("status", [401, 403])
def test_a_credential_the_private_upstream_refuses_is_refused(world, authority, status):
    """The GitLab PyPI endpoint answering 401 or 403 to the new credential."""
    secret = token_secret(world, authority.index)
    upstream = f"{authority.url}/api/v4/projects/1/packages/pypi/simple"
    create(world, remote(f"{secret}/versions/1", upstream))
    authority.fail("GET", r"/packages/pypi/simple", status)

    with pytest.raises(exceptions.InvalidArgument, match=UPSTREAM_REFUSED) as refused:
        repoint(world, f"{secret}/versions/2")
    assert f"HTTP {status}" in refused.value.message
    assert points_at(world) == f"{secret}/versions/1"

    assert repoint(world, f"{secret}/versions/2").name == REPOSITORY
    assert points_at(world) == f"{secret}/versions/2"


def test_a_token_the_index_does_not_know_is_refused_unless_validation_is_disabled(
    world, private_index
):
    known = token_secret(world, private_index, versions=1)
    unknown = token_secret(world, None, versions=1)
    create(world, remote(f"{known}/versions/1", private_index.index_url))

    with pytest.raises(exceptions.InvalidArgument, match=UPSTREAM_REFUSED):
        repoint(world, f"{unknown}/versions/1")
    assert points_at(world) == f"{known}/versions/1"

    answered = repoint(world, f"{unknown}/versions/1", disable=True)
    assert not answered.remote_repository_config.disable_upstream_validation
    stored = world.ar.get_repository(name=REPOSITORY)
    assert not stored.remote_repository_config.disable_upstream_validation
    assert points_at(world) == f"{unknown}/versions/1"


def test_public_pypi_accepts_any_credential_the_agent_can_read(world):
    secret = token_secret(world, None)  # tokens no upstream knows

    created = create(world, remote(f"{secret}/versions/1", None))
    repoint(world, f"{secret}/versions/2")

    assert not created.remote_repository_config.disable_upstream_validation
    assert points_at(world) == f"{secret}/versions/2"


def test_every_update_of_a_remote_repository_with_credentials_is_validated(world):
    """Production does not say whether it validates an update that leaves the credential alone;
    the emulator does (the stricter answer)."""
    secret = token_secret(world, None)
    create(world, remote(f"{secret}/versions/2", None))
    disable(world, secret)
    request = ar.Repository(name=REPOSITORY, description="touches no credential")
    mask = field_mask_pb2.FieldMask(paths=["description"])

    with pytest.raises(exceptions.InvalidArgument, match=ACCESS_REFUSED):
        world.ar.update_repository(repository=request, update_mask=mask, retry=None)
    assert world.ar.get_repository(name=REPOSITORY).description == ""


@pytest.mark.parametrize("paths", [[CREDENTIAL_PATH], LEAF_PATHS], ids=["whole", "leaves"])
def test_the_whole_credential_path_and_its_leaf_paths_are_both_accepted(world, paths):
    secret = token_secret(world, None)
    create(world, remote(f"{secret}/versions/1", None))

    answered = repoint(world, f"{secret}/versions/2", paths)

    credentials = answered.remote_repository_config.upstream_credentials
    assert credentials.username_password_credentials.password_secret_version == (
        f"{secret}/versions/2"
    )
    assert credentials.username_password_credentials.username == USER
    assert answered.remote_repository_config.python_repository.public_repository == (
        Config.PythonRepository.PublicRepository.PYPI
    )


@pytest.mark.parametrize("form", ["id", "number"])
def test_the_switch_names_the_secret_project_by_id_or_number(world, form):
    secret_id = token_secret(world, None).rsplit("/", 1)[1]
    by_id = f"projects/{PROJECT}/secrets/{secret_id}"
    by_number = f"projects/{PROJECT_NUMBER}/secrets/{secret_id}"
    world.emulator.artifact_registry.secret_project_form = form
    create(world, remote(f"{by_id}/versions/1", None))

    answered = repoint(world, f"{by_number}/versions/2")

    expected = f"{by_id if form == 'id' else by_number}/versions/2"
    credentials = answered.remote_repository_config.upstream_credentials
    assert credentials.username_password_credentials.password_secret_version == expected
    assert points_at(world) == expected
