"""The package formats a remote repository proxies, and what a secret's format decides: the
username its repositories send upstream when `token-rotator.username` is not set.

Artifact Registry's remote repositories take a username and password for Docker, Maven, npm and
Python upstreams. The repositories one secret feeds must share a format: one token is checked
one way, with one username.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rotation.core.annotation_values import PREFIX
from rotation.core.errors import ConfigError
from rotation.core.model import RemoteRepository

PYTHON, DOCKER, NPM, MAVEN = "PYTHON", "DOCKER", "NPM", "MAVEN"
FORMATS = (PYTHON, DOCKER, NPM, MAVEN)
# The public upstreams a remote repository may proxy without a custom URL.
PUBLIC_PYPI = "https://pypi.org"
DOCKER_HUB = "https://registry-1.docker.io"
NPMJS = "https://registry.npmjs.org"
MAVEN_CENTRAL = "https://repo.maven.apache.org/maven2"
# Docker Hub's hosts besides its registry: the token service its registry names in its
# challenge, and the API personal and organization access tokens are made with.
DOCKER_HUB_AUTH = "https://auth.docker.io"
DOCKER_HUB_API = "https://hub.docker.com"
# The user a format's upstream expects when the annotation and the source name none.
_DEFAULT_USERNAMES = {PYTHON: "__token__"}


@dataclass(frozen=True)
class Served:
    """The format of the repositories a secret feeds, and the upstream URLs they proxy."""

    format: str = PYTHON
    upstream_urls: tuple[str, ...] = ()

    @property
    def docker_hub(self) -> bool:
        return self.format == DOCKER and DOCKER_HUB in self.upstream_urls

    def implied_hosts(self) -> tuple[str, ...]:
        """URLs a job may contact because its repositories proxy them: their upstreams, and for
        Docker Hub its token service and its API."""
        extra = (DOCKER_HUB_AUTH, DOCKER_HUB_API) if self.docker_hub else ()
        return (*self.upstream_urls, *extra)


def served_by(secret: str, repositories: Sequence[RemoteRepository]) -> Served:
    """What the repositories have in common; a ConfigError when their formats differ."""
    formats = sorted({repository.format for repository in repositories})
    if len(formats) > 1:
        listing = "; ".join(f"{r.name} is {r.format}" for r in repositories)
        raise ConfigError(
            f"the repositories of secret {secret} have different formats ({listing})",
            remedy="give each format its own secret: one token is checked one way and sent "
            "with one username",
            key=PREFIX + "repositories",
        )
    return Served(
        formats[0] if formats else PYTHON,
        tuple(dict.fromkeys(r.upstream_url for r in repositories if r.upstream_url)),
    )


def username(configured: str | None, source_default: str | None, served: Served) -> str:
    """The username the repositories send: the annotation, else the source's (the Docker Hub
    namespace a token is minted for, say), else the format's; a ConfigError if none."""
    chosen = configured or source_default or _DEFAULT_USERNAMES.get(served.format)
    if chosen is None:
        raise ConfigError(
            f"{PREFIX}username is not set, and {served.format} upstreams have no usual username",
            remedy=f"set {PREFIX}username to the user the upstream expects with the token "
            "(README: Formats)",
            key=PREFIX + "username",
        )
    return chosen
