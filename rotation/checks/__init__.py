"""How a new token is tried upstream before any repository is pointed at it: one module per
format, each a `check(http, url, username, token)` that returns if the upstream accepts the
token, raises TokenRejected if it refuses it and TransientError if it cannot tell.

The URL is `token-rotator.check-url` (or a source's default): a Python index's root, a Docker
registry's root, an npm package document or `/-/whoami`, a Maven repository's root or a
`maven-metadata.xml`.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from rotation.checks import docker_registry, maven_repository, npm_registry, pypi_index
from rotation.core.formats import DOCKER, MAVEN, NPM, PYTHON
from rotation.core.token import Token

Check = Callable[[httpx.Client, str, str, Token], None]

CHECKS: dict[str, Check] = {
    PYTHON: pypi_index.check,
    DOCKER: docker_registry.check,
    NPM: npm_registry.check,
    MAVEN: maven_repository.check,
}


def check_upstream(http: httpx.Client, format_: str, url: str, username: str, token: Token) -> None:
    """Try the token at `url` the way upstreams of `format_` are asked."""
    CHECKS[format_](http, url, username, token)
