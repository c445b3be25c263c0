"""Token sources, by the name used in the `token-rotator.source` annotation."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from rotation.core.source import NewToken, SourceContext, TokenSource
from rotation.sources.artifactory import Artifactory
from rotation.sources.dockerhub import DockerHub
from rotation.sources.gitlab import GitLab
from rotation.sources.pypi import PypiDerived, PypiStaged
from rotation.sources.webhook import IdTokenFetcher, Webhook

SOURCES: dict[str, Callable[[httpx.Client], TokenSource]] = {
    PypiDerived.name: PypiDerived,
    PypiStaged.name: PypiStaged,
    GitLab.name: GitLab,
    Artifactory.name: Artifactory,
    DockerHub.name: DockerHub,
    Webhook.name: Webhook,
}

# Each source's own annotation keys, by its name (see config.known_keys).
SOURCE_KEYS: dict[str, frozenset[str]] = {
    source.name: source.keys
    for source in (PypiDerived, PypiStaged, GitLab, Artifactory, DockerHub, Webhook)
}


def build_sources(http: httpx.Client, id_token: IdTokenFetcher) -> dict[str, TokenSource]:
    """One of each source, sharing the HTTP client; the webhook signs with `id_token`."""
    sources = {name: build(http) for name, build in SOURCES.items()}
    sources[Webhook.name] = Webhook(http, id_token)
    return sources


__all__ = ["SOURCES", "SOURCE_KEYS", "NewToken", "SourceContext", "TokenSource", "build_sources"]
