"""The Maven layout's basic auth, and the emulator's Maven data path in front of it: files and
checksums forwarded with the repository's credential, a refused credential, validation."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import httpx
import pytest
from google.api_core import exceptions

from tests.formats.maven_support import (
    FILES,
    JAR,
    USERNAME,
    artifact_fetched,
    credential_secret,
    fetch,
    issued_token,
    maven_repository,
    repository_url,
)
from tests.support import AR_AGENT, World, repository_name


def raw_get(url: str, path: str) -> int:
    """A GET of `path` as written: httpx would remove its dot segments before sending."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        connection.request("GET", f"{parts.path}/{path}")
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture
def world(emulator) -> World:
    return World(emulator)


def test_the_layout_challenges_without_a_credential_and_refuses_a_wrong_one(
    maven_layout, maven_authority
):
    token = maven_authority.issue("webhook", USERNAME, "layout-auth").value
    anonymous = httpx.get(f"{maven_layout.url}/{JAR}", timeout=10)
    wrong = httpx.get(f"{maven_layout.url}/{JAR}", auth=(USERNAME, token + "x"), timeout=10)
    other_user = httpx.get(f"{maven_layout.url}/{JAR}", auth=("someone", token), timeout=10)
    right = httpx.get(f"{maven_layout.url}/{JAR}", auth=(USERNAME, token), timeout=10)

    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic ")
    assert (wrong.status_code, other_user.status_code) == (401, 401)
    assert right.status_code == 200
    assert right.content == (maven_layout.root / JAR).read_bytes()
    assert httpx.get(f"{maven_layout.url}/", auth=(USERNAME, token), timeout=10).status_code == 200
    missing = httpx.get(f"{maven_layout.url}/no/such.jar", auth=(USERNAME, token), timeout=10)
    assert missing.status_code == 404


def test_files_and_checksums_come_through_with_the_repositorys_credential(
    world, maven_layout, maven_authority
):
    secret = credential_secret(world, maven_authority, "maven-token")
    maven_repository(
        world, repository_name("maven-private"), f"{secret}/versions/1", maven_layout.url
    )
    url = repository_url(world.emulator, "maven-private")
    seen = len(maven_layout.requests)

    assert artifact_fetched(url, maven_layout)
    assert fetch(url, FILES[0]).headers["content-type"] == "text/xml"
    assert fetch(url, "com/example/missing/1.0/missing-1.0.pom").status_code == 404
    assert [raw_get(url, path) for path in ("com/../../outside", "com/%2e%2e/%2E%2E/outside")] == [
        400,
        400,
    ]
    forwarded = {path for _, path, status in maven_layout.requests[seen:] if status == 200}
    assert {f"/{path}" for path in FILES} <= forwarded
    assert not any("outside" in path for _, path, _ in maven_layout.requests[seen:])


def test_a_revoked_token_is_refused_upstream_and_the_client_sees_403(
    world, maven_layout, maven_authority
):
    secret = credential_secret(world, maven_authority, "maven-revoked")
    maven_repository(
        world, repository_name("maven-revoked"), f"{secret}/versions/1", maven_layout.url
    )
    url = repository_url(world.emulator, "maven-revoked")
    assert fetch(url, JAR).status_code == 200
    issued = issued_token(maven_authority, world.token(f"{secret}/versions/1"))
    httpx.delete(f"{maven_authority.url}/webhook/tokens/{issued.id}", timeout=10).raise_for_status()

    refused = fetch(url, JAR)

    assert refused.status_code == 403
    assert "refused this repository's credentials (HTTP 401)" in refused.text


@pytest.mark.parametrize("cause", ["disabled-version", "no-service-agent-grant"])
def test_an_unreadable_credential_answers_403_with_the_reason(
    world, maven_layout, maven_authority, cause
):
    secret = credential_secret(world, maven_authority, "maven-unreadable")
    maven_repository(
        world, repository_name("maven-unreadable"), f"{secret}/versions/1", maven_layout.url
    )
    if cause == "disabled-version":
        world.sm.disable_secret_version(name=f"{secret}/versions/1")
        reason = "DISABLED"
    else:
        world.sm.set_iam_policy(request={"resource": secret, "policy": {}})
        reason = "secretmanager.versions.access"

    answer = fetch(repository_url(world.emulator, "maven-unreadable"), JAR)

    assert answer.status_code == 403
    assert "could not read the upstream credential" in answer.text
    assert reason in answer.text


def test_creating_a_repository_with_a_refused_credential_fails_validation(
    world, maven_layout, maven_authority
):
    secret = world.secret("maven-wrong", payload="not-a-live-token", rotation=False)
    world.grant(secret, AR_AGENT)
    seen = len(maven_layout.requests)

    with pytest.raises(
        exceptions.InvalidArgument, match="Failed to validate remote upstream"
    ) as raised:
        maven_repository(
            world, repository_name("maven-wrong"), f"{secret}/versions/1", maven_layout.url
        )

    assert "HTTP 401" in raised.value.message
    assert [(m, p, s) for m, p, s in maven_layout.requests[seen:]] == [("GET", "/", 401)]


def test_the_emulator_says_it_does_not_reach_maven_central(world, maven_authority):
    secret = credential_secret(world, maven_authority, "central-token")
    parent, repository_id = repository_name("central").rsplit("/repositories/", 1)
    world.ar.create_repository(
        parent=parent,
        repository_id=repository_id,
        repository={
            "format_": "MAVEN",
            "mode": "REMOTE_REPOSITORY",
            "remote_repository_config": {
                "maven_repository": {"public_repository": "MAVEN_CENTRAL"},
                "upstream_credentials": {
                    "username_password_credentials": {
                        "username": USERNAME,
                        "password_secret_version": f"{secret}/versions/1",
                    }
                },
            },
        },
    ).result()

    answer = fetch(repository_url(world.emulator, "central"), JAR)

    assert answer.status_code == 502
    assert "Maven Central" in answer.text
