"""Maven remote repositories in tests: the upstream (a static Maven layout behind basic auth,
whose live tokens the token authority's webhook mints), the artifact it serves, MAVEN remote
repositories in the emulator, and the two clients: the real `mvn dependency:get`, and plain HTTP
GETs of the artifact's files (mvn takes seconds to start, too slow to run at every step).
The fixtures are in tests/formats/maven_fixtures.py."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import httpx
from google.cloud import artifactregistry_v1

from emulator import Emulator
from emulator.maven_artifacts import artifact_dir
from emulator.maven_client import dependency_get, local_file
from emulator.maven_layout import MavenLayout
from emulator.remote.maven import maven_url
from emulator.token_authority import Issued, TokenAuthority
from tests.support import AR_AGENT, PROJECT, World

GROUP = "com.example.rotation"
ARTIFACT = "tiny-lib"
VERSION = "1.0"
COORDINATES = f"{GROUP}:{ARTIFACT}:{VERSION}"
USERNAME = "svc-maven"  # set explicitly: Maven upstreams have no usual username
_BASE = artifact_dir(GROUP, ARTIFACT)
JAR = f"{_BASE}/{VERSION}/{ARTIFACT}-{VERSION}.jar"
# What a client reads of the artifact: its versions, its pom, its jar and the jar's checksum.
FILES = (f"{_BASE}/maven-metadata.xml", f"{_BASE}/{VERSION}/{ARTIFACT}-{VERSION}.pom", JAR)


def maven_repository(
    world: World, name: str, secret_version: str, upstream_url: str, username: str = USERNAME
) -> None:
    """A MAVEN remote repository of the Maven repository at `upstream_url`."""
    parent, repository_id = name.rsplit("/repositories/", 1)
    repository = artifactregistry_v1.Repository(
        format_=artifactregistry_v1.Repository.Format.MAVEN,
        mode=artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY,
        remote_repository_config={
            "maven_repository": {"custom_repository": {"uri": upstream_url}},
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


def credential_secret(world: World, authority: TokenAuthority, secret_id: str) -> str:
    """A secret (not rotated) holding a token the authority issued for USERNAME, readable by the
    project's Artifact Registry service agent."""
    token = authority.issue("webhook", USERNAME, secret_id).value
    secret = world.secret(secret_id, payload=token, rotation=False)
    world.grant(secret, AR_AGENT)
    return secret


def issued_token(authority: TokenAuthority, value: str) -> Issued:
    """The authority's record of the token with this value."""
    return next(t for t in authority.issued("webhook") if t.value == value)


def repository_url(emulator: Emulator, repository_id: str) -> str:
    return maven_url(emulator.http_url, PROJECT, repository_id)


def fetch(url: str, path: str) -> httpx.Response:
    return httpx.get(f"{url}/{path}", timeout=10)


def artifact_fetched(url: str, layout: MavenLayout) -> bool:
    """Whether every file of the artifact comes through the repository at `url` as the layout
    holds it, and the jar's `.sha1` matches the jar."""
    answers = [fetch(url, path) for path in (*FILES, JAR + ".sha1")]
    if any(answer.status_code != 200 for answer in answers):
        return False
    *files, checksum = answers
    same = all(
        a.content == (layout.root / p).read_bytes() for a, p in zip(files, FILES, strict=True)
    )
    return (
        same and checksum.text == hashlib.sha1(files[-1].content, usedforsecurity=False).hexdigest()
    )


def mvn_get(url: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    return dependency_get(url, COORDINATES, workdir)


def fetched_jar(workdir: Path) -> Path:
    """Where `mvn_get` in `workdir` put the jar."""
    return local_file(workdir, GROUP, ARTIFACT, VERSION, "jar")
