"""The real `mvn dependency:get` through an emulated MAVEN remote repository whose credential is
in Secret Manager, without Maven Central; and the same run failing when Artifact Registry cannot
read the credential or the upstream refuses it."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from tests.formats.maven_support import (
    JAR,
    credential_secret,
    fetch,
    fetched_jar,
    issued_token,
    maven_repository,
    mvn_get,
    repository_url,
)
from tests.support import World, repository_name


@pytest.fixture
def world(emulator) -> World:
    return World(emulator)


def test_mvn_fetches_the_artifact_through_the_repository(
    world, maven_layout, maven_authority, tmp_path
):
    secret = credential_secret(world, maven_authority, "maven-token")
    maven_repository(
        world, repository_name("maven-private"), f"{secret}/versions/1", maven_layout.url
    )
    seen = len(maven_layout.requests)

    done = mvn_get(repository_url(world.emulator, "maven-private"), tmp_path / "mvn")

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    jar = fetched_jar(tmp_path / "mvn")
    assert jar.read_bytes() == (maven_layout.root / JAR).read_bytes()
    served = {path for _, path, status in maven_layout.requests[seen:] if status == 200}
    assert {f"/{JAR}", f"/{JAR}.sha1"} <= served, "mvn checked the jar's checksum"
    assert (
        hashlib.sha1(jar.read_bytes(), usedforsecurity=False).hexdigest()
        == (maven_layout.root / f"{JAR}.sha1").read_text()
    )


@pytest.mark.parametrize("cause", ["disabled-version", "no-service-agent-grant", "revoked-token"])
def test_mvn_fails_when_the_credential_cannot_be_used(
    world, maven_layout, maven_authority, tmp_path, cause
):
    secret = credential_secret(world, maven_authority, "maven-unusable")
    maven_repository(
        world, repository_name("maven-unusable"), f"{secret}/versions/1", maven_layout.url
    )
    url = repository_url(world.emulator, "maven-unusable")
    if cause == "disabled-version":
        world.sm.disable_secret_version(name=f"{secret}/versions/1")
        reason = "is in DISABLED state"
    elif cause == "no-service-agent-grant":
        world.sm.set_iam_policy(request={"resource": secret, "policy": {}})
        reason = "secretmanager.versions.access"
    else:
        issued = issued_token(maven_authority, world.token(f"{secret}/versions/1"))
        revoked = httpx.delete(f"{maven_authority.url}/webhook/tokens/{issued.id}", timeout=10)
        revoked.raise_for_status()
        reason = "The upstream refused this repository's credentials (HTTP 401)"

    done = mvn_get(url, tmp_path / "mvn")

    assert done.returncode != 0
    assert "403" in done.stdout, done.stdout[-3000:]
    assert not fetched_jar(tmp_path / "mvn").exists()
    answer = fetch(url, JAR)
    assert answer.status_code == 403
    assert reason in answer.text
