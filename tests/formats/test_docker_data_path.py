"""skopeo through the emulator's Docker remote repositories, against a real distribution registry
with htpasswd auth and with token auth; and Artifact Registry's check of the credential."""

from __future__ import annotations

import gzip
import hashlib

import httpx
import pytest
from google.api_core.exceptions import InvalidArgument

from tests.formats.docker_support import (
    CONTENT,
    IMAGE,
    TAG,
    Upstream,
    credential_secret,
    docker_repository,
    image_reference,
    inspected_digest,
    skopeo_copy,
    skopeo_inspect,
)
from tests.support import AR_AGENT, PROJECT, World, repository_name

REPOSITORY = repository_name("docker-remote")


@pytest.fixture
def world(emulator) -> World:
    """The cloud without a function: these tests rotate nothing."""
    return World(emulator)


def served(world: World, upstream: Upstream) -> tuple[str, str, str]:
    """A repository of `upstream` whose credential is in Secret Manager: (secret, user, token)."""
    username, token = upstream.credential()
    secret = credential_secret(world, "registry-token", token)
    docker_repository(world, REPOSITORY, f"{secret}/versions/1", username, upstream.registry.url)
    return secret, username, token


def test_skopeo_copies_the_image_through_the_repository(world, upstream, tmp_path):
    served(world, upstream)
    reference = image_reference(world.emulator, "docker-remote")

    assert inspected_digest(reference) == upstream.image.manifest_digest
    copied = skopeo_copy(reference, tmp_path / "copy")
    assert copied.returncode == 0, copied.stderr[-2000:]
    layer = tmp_path / "copy" / "blobs" / "sha256" / upstream.image.layer_digest.split(":")[1]
    assert hashlib.sha256(layer.read_bytes()).hexdigest() == layer.name
    assert CONTENT.strip() in gzip.decompress(layer.read_bytes())


def test_a_revoked_token_is_refused_by_the_upstream(world, upstream):
    _, username, token = served(world, upstream)
    reference = image_reference(world.emulator, "docker-remote")
    assert inspected_digest(reference) == upstream.image.manifest_digest

    upstream.registry.revoke(username, token)

    refused = skopeo_inspect(reference)
    assert refused.returncode != 0
    assert "The upstream refused this repository's credentials (HTTP 401)" in refused.stderr


def test_without_credentials_a_private_registry_refuses(world, upstream):
    """No credential: an anonymous token (token auth) or no retry (htpasswd); refused either way."""
    world.ar.create_repository(
        parent=REPOSITORY.rsplit("/repositories/", 1)[0],
        repository_id="docker-remote",
        repository={
            "format_": "DOCKER",
            "mode": "REMOTE_REPOSITORY",
            "remote_repository_config": {
                "docker_repository": {"custom_repository": {"uri": upstream.registry.url}}
            },
        },
    ).result()

    refused = skopeo_inspect(image_reference(world.emulator, "docker-remote"))

    assert refused.returncode != 0
    assert "The upstream refused this repository's credentials (HTTP 401)" in refused.stderr


def test_a_disabled_version_makes_the_pull_fail_with_the_reason(world, token_registry):
    secret, _, _ = served(world, token_registry)
    world.sm.disable_secret_version(name=f"{secret}/versions/1")

    refused = skopeo_inspect(image_reference(world.emulator, "docker-remote"))

    assert refused.returncode != 0
    assert "could not read the upstream credential" in refused.stderr
    assert "DISABLED" in refused.stderr


def test_without_the_service_agents_grant_the_pull_fails_with_the_reason(world, token_registry):
    secret, _, _ = served(world, token_registry)
    policy = world.sm.get_iam_policy(request={"resource": secret})
    for binding in policy.bindings:
        if AR_AGENT in binding.members:
            binding.members.remove(AR_AGENT)
    world.sm.set_iam_policy(request={"resource": secret, "policy": policy})

    refused = skopeo_inspect(image_reference(world.emulator, "docker-remote"))

    assert refused.returncode != 0
    assert "secretmanager.versions.access" in refused.stderr


def test_artifact_registry_refuses_a_credential_the_upstream_refuses(world, upstream):
    username, token = upstream.credential()
    upstream.registry.revoke(username, token)
    secret = credential_secret(world, "registry-token", token)

    with pytest.raises(InvalidArgument) as refused:
        docker_repository(
            world, REPOSITORY, f"{secret}/versions/1", username, upstream.registry.url
        )

    assert "Failed to validate remote upstream" in refused.value.message
    assert "(HTTP 401)" in refused.value.message


def test_the_registry_api_answers_as_clients_expect(world, token_registry):
    served(world, token_registry)
    base = f"{world.emulator.http_url}/v2"
    manifest = f"{base}/{PROJECT}/docker-remote/{IMAGE}/manifests/{TAG}"
    accept = {"Accept": "application/vnd.oci.image.manifest.v1+json"}

    version = httpx.get(f"{base}/", timeout=10)
    head = httpx.head(manifest, headers=accept, timeout=10)
    got = httpx.get(manifest, headers=accept, timeout=10)
    tags = httpx.get(f"{base}/{PROJECT}/docker-remote/{IMAGE}/tags/list", timeout=10)
    unknown = httpx.get(f"{base}/{PROJECT}/no-such-repository/{IMAGE}/manifests/{TAG}", timeout=10)

    assert version.status_code == 200
    assert version.headers["docker-distribution-api-version"] == "registry/2.0"
    assert head.status_code == 200 and head.content == b""
    assert head.headers["docker-content-digest"] == token_registry.image.manifest_digest
    assert int(head.headers["content-length"]) == len(got.content)
    assert got.headers["content-type"] == "application/vnd.oci.image.manifest.v1+json"
    assert hashlib.sha256(got.content).hexdigest() == got.headers["docker-content-digest"][7:]
    assert tags.json() == {"name": IMAGE, "tags": [TAG]}
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["code"] == "NAME_UNKNOWN"


def test_the_emulator_says_it_does_not_reach_docker_hub(world):
    world.ar.create_repository(
        parent=REPOSITORY.rsplit("/repositories/", 1)[0],
        repository_id="docker-hub",
        repository={
            "format_": "DOCKER",
            "mode": "REMOTE_REPOSITORY",
            "remote_repository_config": {"docker_repository": {"public_repository": "DOCKER_HUB"}},
        },
    ).result()

    answer = httpx.get(
        f"{world.emulator.http_url}/v2/{PROJECT}/docker-hub/library/alpine/manifests/latest",
        timeout=10,
    )

    assert answer.status_code == 502
    assert "Docker Hub" in answer.json()["errors"][0]["message"]
