"""Token sources, by the name used in the `token-rotator.source` annotation."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from rotation.sources.artifactory import Artifactory
from rotation.sources.base import NewToken, SourceContext, TokenSource
from rotation.sources.gitlab import GitLab
from rotation.sources.pypi import PypiDerived, PypiStaged
from rotation.sources.webhook import Webhook

SOURCES: dict[str, Callable[[httpx.Client], TokenSource]] = {
    PypiDerived.name: PypiDerived,
    PypiStaged.name: PypiStaged,
    GitLab.name: GitLab,
    Artifactory.name: Artifactory,
    Webhook.name: Webhook,
}

__all__ = ["SOURCES", "NewToken", "SourceContext", "TokenSource"]
