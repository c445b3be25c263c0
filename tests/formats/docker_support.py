"""Docker remote repositories in tests: the upstream registries (distribution with htpasswd auth,
and with token auth behind the local token server), the image they serve, skopeo as the client,
and DOCKER remote repositories in the emulator.

Each registry serves one image, pushed once per session. A test gives its credentials a user of
its own: with htpasswd a user holds one password at a time."""

from __future__ import annotations

import secrets as random_secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from google.cloud import artifactregistry_v1

from emulator import Emulator, skopeo_client
from emulator.cloud_function import LocalFunction
from emulator.docker_auth import DockerTokenServer
from emulator.docker_registry import AuthMode, DockerRegistry
from emulator.oci_image import OciImage
from emulator.remote.docker import registry_url
from emulator.token_authority import TokenAuthority
from tests.redaction import SCAN
from tests.support import AR_AGENT, PROJECT, World

IMAGE = "team/app"  # an image name with a slash, as most are
TAG = "v1"
CONTENT = b"served by the upstream registry\n"
PUBLISHER = "publisher"


class Upstream:
    """A registry in one auth mode with the image it serves."""

    def __init__(self, registry: DockerRegistry, image: OciImage) -> None:
        self.registry = registry
        self.image = image

    @property
    def mode(self) -> AuthMode:
        return self.registry.auth

    def credential(self) -> tuple[str, str]:
        """A new user and a token the registry accepts for it."""
        username, token = f"user-{random_secrets.token_hex(4)}", random_secrets.token_urlsafe(24)
        self.registry.allow(username, token)
        return username, token


@pytest.fixture(scope="session")
def docker_token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerTokenServer]:
    with DockerTokenServer(tmp_path_factory.mktemp("docker-token-server")) as server:
        yield server


def _upstream(
    tmp_path_factory: pytest.TempPathFactory, mode: AuthMode, token_server: DockerTokenServer | None
) -> Iterator[Upstream]:
    registry = DockerRegistry(tmp_path_factory.mktemp(f"registry-{mode}"), mode, token_server)
    try:
        yield Upstream(registry, registry.push_image(IMAGE, TAG, CONTENT, PUBLISHER))
    finally:
        registry.stop()


@pytest.fixture(scope="session")
def token_registry(
    tmp_path_factory: pytest.TempPathFactory, docker_token_server: DockerTokenServer
) -> Iterator[Upstream]:
    yield from _upstream(tmp_path_factory, "token", docker_token_server)


@pytest.fixture(scope="session")
def htpasswd_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    yield from _upstream(tmp_path_factory, "htpasswd", None)


@pytest.fixture(params=["htpasswd", "token"])
def upstream(request: pytest.FixtureRequest) -> Upstream:
    """Each registry auth mode in turn."""
    return request.getfixturevalue(f"{request.param}_registry")


def docker_repository(
    world: World,
    name: str,
    secret_version: str,
    username: str,
    upstream_url: str,
) -> None:
    """A DOCKER remote repository of the registry at `upstream_url` (a custom repository)."""
    parent, repository_id = name.rsplit("/repositories/", 1)
    repository = artifactregistry_v1.Repository(
        format_=artifactregistry_v1.Repository.Format.DOCKER,
        mode=artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY,
        remote_repository_config={
            "docker_repository": {"custom_repository": {"uri": upstream_url}},
            "upstream_credentials": {
                "username_password_credentials": {
                    "username": username,
                    "password_secret_version": secret_version,
                }
            },
        },
    )
    world.ar.create_repository(
        parent=parent, repository_id=repository_id, repository=repository
    ).result()


def credential_secret(world: World, secret_id: str, token: str) -> str:
    """A secret (not rotated) holding `token`, readable by the project's Artifact Registry agent."""
    secret = world.secret(secret_id, payload=token, rotation=False)
    world.grant(secret, AR_AGENT)
    return secret


def image_reference(emulator: Emulator, repository_id: str, project: str = PROJECT) -> str:
    """`docker://HOST:PORT/PROJECT/REPOSITORY/IMAGE:TAG` on the emulator."""
    return f"docker://{registry_url(emulator.http_url, project, repository_id)}/{IMAGE}:{TAG}"


def skopeo_inspect(reference: str) -> subprocess.CompletedProcess[str]:
    return skopeo_client.inspect(reference)


def inspected_digest(reference: str) -> str:
    """The manifest digest skopeo reads through the emulator; fails the test with its stderr."""
    done = skopeo_client.inspect(reference)
    digest = skopeo_client.digest_of(done)
    assert digest is not None, done.stderr[-2000:]
    return digest


def skopeo_copy(reference: str, destination: Path) -> subprocess.CompletedProcess[str]:
    """Copy the image into an OCI layout at `destination`."""
    return skopeo_client.copy(reference, destination, TAG)


@pytest.fixture(scope="session")
def docker_authority_session(
    docker_token_server: DockerTokenServer,
) -> Iterator[TokenAuthority]:
    """A token authority whose tokens are live on the token server (the webhook mints them)."""
    with TokenAuthority(docker_token_server) as authority:
        yield authority
        SCAN.values.update(authority.issued_values())


@pytest.fixture
def docker_authority(docker_authority_session: TokenAuthority) -> Iterator[TokenAuthority]:
    docker_authority_session.reset()
    yield docker_authority_session
    SCAN.values.update(docker_authority_session.issued_values())


@pytest.fixture(scope="session")
def docker_function(
    start_function,
    docker_authority_session: TokenAuthority,
    docker_token_server: DockerTokenServer,
) -> LocalFunction:
    """The function, allowed to call the authority's webhook and the registry's token server (the
    realm, on another port than the registry; the registry itself is allowed as the
    repository's upstream)."""
    realm = urlsplit(docker_token_server.realm).netloc
    hosts = [urlsplit(docker_authority_session.url).netloc, realm]
    return start_function(ALLOWED_UPSTREAM_HOSTS=",".join(hosts))
