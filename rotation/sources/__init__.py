"""Token sources, by the name used in the `token-rotator.source` annotation."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from rotation.sources.base import NewToken, SourceContext, TokenSource
from rotation.sources.pypi import PypiDerived, PypiStaged

SOURCES: dict[str, Callable[[httpx.Client], TokenSource]] = {
    PypiDerived.name: PypiDerived,
    PypiStaged.name: PypiStaged,
}

__all__ = ["SOURCES", "NewToken", "SourceContext", "TokenSource"]
