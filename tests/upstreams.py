"""The private-upstream side of tests: token sources wired to the local token authority, and pip.

A `SourceCase` knows how to configure one minting source (gitlab, artifactory, dockerhub, http)
against the authority, so one test can run against each of them. The dockerhub case's repository
is a Python one for now: its token is live on the private index for the Docker Hub user.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import quote, urlsplit

from emulator.credentials import ANY_USER
from emulator.pip_client import run_pip
from emulator.serving import BackgroundServer
from emulator.token_authority import TokenAuthority
from emulator.upstream import PypiServer
from tests.support import AR_AGENT, World, repository_name

GITLAB_PROJECT = "platform/wheels"
GITLAB_PROJECT_ID = quote(GITLAB_PROJECT, safe="")  # as it stands in GitLab's API paths
PACKAGE = "tiny-pkg"
PACKAGE_VERSION = "1.0"


@dataclass(frozen=True)
class SourceCase:
    source: str
    api: str  # the authority's name for the token API
    mint_path: str  # regular expressions of the paths that mint and revoke
    revoke_path: str
    username: str

    def settings(
        self, world: World, authority: TokenAuthority, index: PypiServer
    ) -> dict[str, str]:
        """The `token-rotator.*` annotations of a secret rotated by this source."""
        if self.source == "gitlab":
            authority.gitlab_project(GITLAB_PROJECT)
            return {
                "gitlab-url": authority.url,
                "gitlab-project": GITLAB_PROJECT,
                "minting-secret": self.minting_secret(world, authority),
                "token-name": "artifact-registry",
                "username": self.username,
            }
        if self.source == "dockerhub":
            return {
                "dockerhub-url": authority.url,
                "dockerhub-namespace": self.username,
                "admin-secret": self.minting_secret(world, authority),
                "username": self.username,
                "index-url": index.index_url,
            }
        if self.source == "artifactory":
            return {
                "artifactory-url": authority.url,
                "minting-secret": self.minting_secret(world, authority),
                "username": self.username,
                "index-url": index.index_url,
            }
        return {
            "webhook-url": f"{authority.url}/webhook/tokens",
            "webhook-revoke-url": f"{authority.url}/webhook/tokens/{{id}}",
            "webhook-auth": "none",
            "username": self.username,
            "index-url": index.index_url,
        }

    def minting_secret(self, world: World, authority: TokenAuthority, may_mint: bool = True) -> str:
        return world.secret(
            f"{self.api}-minting-token",
            payload=authority.minting_token(self.api, may_mint),
            rotation=False,
        )

    def upstream_url(self, authority: TokenAuthority, index: PypiServer) -> str:
        """What the remote repository proxies: GitLab's PyPI endpoint, or the index itself."""
        if self.source == "gitlab":
            return f"{authority.url}/api/v4/projects/{GITLAB_PROJECT_ID}/packages/pypi/simple"
        return index.index_url

    def first_token(self, authority: TokenAuthority) -> str:
        """The token the team started with, issued out of band."""
        owner = f"projects/{GITLAB_PROJECT_ID}" if self.source == "gitlab" else ""
        username = ANY_USER if self.source == "gitlab" else self.username
        return authority.issue(self.api, username, "first", owner).value


GITLAB = SourceCase("gitlab", "gitlab", r"/access_tokens$", r"/access_tokens/\d+$", "ci-reader")
ARTIFACTORY = SourceCase("artifactory", "artifactory", r"/tokens$", r"/tokens/[^/]+$", "svc-pypi")
WEBHOOK = SourceCase("http", "webhook", r"/webhook/tokens$", r"/webhook/tokens/[^/]+$", "svc-pypi")
DOCKERHUB = SourceCase(
    "dockerhub", "dockerhub", r"/v2/access-tokens$", r"/v2/access-tokens/[^/]+$", "ci-puller"
)
CASES = [GITLAB, ARTIFACTORY, WEBHOOK, DOCKERHUB]


def minted_secret(
    world: World,
    authority: TokenAuthority,
    index: PypiServer,
    case: SourceCase,
    *,
    secret_id: str = "upstream-token",
    repository_id: str = "private-pypi",
    **settings: str,
) -> str:
    """A secret holding the first token, in use by a remote repository of the private index."""
    repository = repository_name(repository_id)
    annotations = {
        "token-rotator.source": case.source,
        "token-rotator.repositories": repository,
        **{f"token-rotator.{k}": v for k, v in case.settings(world, authority, index).items()},
        **{f"token-rotator.{k.replace('_', '-')}": v for k, v in settings.items()},
    }
    name = world.secret(secret_id, annotations, payload=case.first_token(authority))
    world.grant(name, AR_AGENT)
    world.repository(
        repository, f"{name}/versions/1", case.username, case.upstream_url(authority, index)
    )
    return name


def allowed_upstream_hosts(authority: TokenAuthority, index: PypiServer) -> str:
    """ALLOWED_UPSTREAM_HOSTS for the tests' function: the token authority (the Artifactory and
    webhook APIs, which are not their repositories' upstream here) and the private index."""
    return ",".join(urlsplit(url).netloc for url in (authority.url, index.index_url))


def pip_download(index_url: str, destination: Path) -> subprocess.CompletedProcess[str]:
    """The real pip fetching the package through a repository, without installing it."""
    return run_pip("download", index_url, destination, f"{PACKAGE}=={PACKAGE_VERSION}")


class RecordingServer:
    """An HTTP server on 127.0.0.1 that records every request it receives (method, path,
    header names) and answers `redirect_to` with a 307, or else 404: a host nobody allowed."""

    def __init__(self, redirect_to: str | None = None) -> None:
        self.requests: list[tuple[str, str, list[str]]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self) -> None:
                recorder.requests.append((self.command, self.path, sorted(self.headers.keys())))
                self.send_response(307 if redirect_to else 404)
                if redirect_to:
                    self.send_header("Location", redirect_to + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_DELETE = handle_one  # noqa: N815 (http.server's names)

            def log_message(self, *args: object) -> None:
                pass

        self._server = BackgroundServer(Handler, name="recording-server")
        self.host = f"127.0.0.1:{self._server.start()}"
        self.url = f"http://{self.host}"

    def stop(self) -> None:
        self._server.stop()
