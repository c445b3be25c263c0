"""npm remote repositories in tests: the upstream registry (verdaccio, refusing reads without a
live credential), the packages it serves, the real `npm` as the client, and NPM remote
repositories in the emulator.

verdaccio serves two packages, published once per session: an unscoped one and a scoped one
(npm asks for the scoped one as `@acme%2ftiny`)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
from google.cloud import artifactregistry_v1

from emulator import Emulator
from emulator.cloud_function import LocalFunction
from emulator.npm_registry import VerdaccioServer
from emulator.remote.npm import npm_url
from emulator.token_authority import TokenAuthority
from tests.redaction import SCAN
from tests.support import AR_AGENT, PROJECT, World

PACKAGE = "tiny-npm-pkg"
SCOPED_PACKAGE = "@acme/tiny"
VERSION = "1.0.0"
USERNAME = "svc-npm"  # set explicitly: npm upstreams have no usual username
_NPM_SECONDS = 120


@pytest.fixture(scope="session")
def verdaccio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerdaccioServer]:
    server = VerdaccioServer(tmp_path_factory.mktemp("verdaccio"))
    SCAN.function_logs.append(server.log_path)  # no token may reach its log either
    try:
        server.publish(PACKAGE, VERSION)
        server.publish(SCOPED_PACKAGE, VERSION)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def npm_authority_session(verdaccio: VerdaccioServer) -> Iterator[TokenAuthority]:
    """A token authority whose tokens are live on verdaccio (the webhook mints them)."""
    with TokenAuthority(verdaccio) as authority:
        yield authority
        SCAN.values.update(authority.issued_values())


@pytest.fixture
def npm_authority(npm_authority_session: TokenAuthority) -> Iterator[TokenAuthority]:
    npm_authority_session.reset()
    yield npm_authority_session
    SCAN.values.update(npm_authority_session.issued_values())


@pytest.fixture(scope="session")
def npm_function(start_function, npm_authority_session: TokenAuthority) -> LocalFunction:
    """The function, allowed to call the authority's webhook (verdaccio it may call as the
    repository's upstream)."""
    return start_function(ALLOWED_UPSTREAM_HOSTS=urlsplit(npm_authority_session.url).netloc)


def npm_repository(
    world: World,
    name: str,
    secret_version: str,
    upstream_url: str,
    *,
    username: str = USERNAME,
    disable_upstream_validation: bool = False,
) -> None:
    """An NPM remote repository of the registry at `upstream_url` (a custom repository)."""
    parent, repository_id = name.rsplit("/repositories/", 1)
    repository = artifactregistry_v1.Repository(
        format_=artifactregistry_v1.Repository.Format.NPM,
        mode=artifactregistry_v1.Repository.Mode.REMOTE_REPOSITORY,
        remote_repository_config={
            "npm_repository": {"custom_repository": {"uri": upstream_url}},
            "disable_upstream_validation": disable_upstream_validation,
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


def credential_secret(world: World, secret_id: str, token: str, grant: bool = True) -> str:
    """A secret (not rotated) holding `token`, readable by the project's Artifact Registry agent
    unless `grant` is off."""
    secret = world.secret(secret_id, payload=token, rotation=False)
    if grant:
        world.grant(secret, AR_AGENT)
    return secret


def registry_of(emulator: Emulator, repository_id: str) -> str:
    return npm_url(emulator.http_url, PROJECT, repository_id)


def document(registry: str, name: str = PACKAGE) -> httpx.Response:
    """A package document through a repository, named as npm names it (`@scope%2fname`)."""
    return httpx.get(registry + quote(name, safe="@"), timeout=10)


def npm_install(registry: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """The real npm installing both packages into `workdir` from `registry` only: its own empty
    user and global npmrc and cache, no audit, no retries, none of the user's npm_config_*."""
    (workdir / "project").mkdir(parents=True, exist_ok=True)
    user_npmrc, global_npmrc = workdir / "user.npmrc", workdir / "global.npmrc"
    for npmrc in (user_npmrc, global_npmrc):
        npmrc.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config_")}
    return subprocess.run(
        [
            "npm",
            "install",
            f"{PACKAGE}@{VERSION}",
            f"{SCOPED_PACKAGE}@{VERSION}",
            "--registry",
            registry,
            "--prefix",
            str(workdir / "project"),
            "--userconfig",
            str(user_npmrc),
            "--globalconfig",
            str(global_npmrc),
            "--cache",
            str(workdir / "cache"),
            "--no-audit",
            "--no-fund",
            "--no-update-notifier",
            "--no-package-lock",
            "--fetch-retries",
            "0",
            "--fetch-timeout",
            "20000",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=_NPM_SECONDS,
        check=False,
    )


def installed_code(workdir: Path, name: str = PACKAGE) -> str:
    """The installed package's `index.js`, which exports its version."""
    return (workdir / "project" / "node_modules" / name / "index.js").read_text()


EXPECTED_CODE = f'module.exports = "{VERSION}";\n'  # emulator/npm_tarballs.py
