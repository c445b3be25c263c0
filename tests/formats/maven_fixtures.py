"""The Maven tests' fixtures: the layout serving the artifact, a token authority minting for it,
and a function allowed to reach the authority (tests/formats/conftest.py imports them)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from emulator.cloud_function import LocalFunction
from emulator.maven_layout import MavenLayout
from emulator.token_authority import TokenAuthority
from tests.formats.maven_support import ARTIFACT, GROUP, VERSION
from tests.redaction import SCAN


@pytest.fixture(scope="session")
def maven_layout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MavenLayout]:
    """The private upstream, serving one artifact."""
    with MavenLayout(tmp_path_factory.mktemp("maven-layout")) as layout:
        layout.publish(GROUP, ARTIFACT, VERSION)
        yield layout


@pytest.fixture(scope="session")
def maven_authority_session(maven_layout: MavenLayout) -> Iterator[TokenAuthority]:
    """A token authority whose tokens are live on the layout."""
    with TokenAuthority(maven_layout) as authority:
        yield authority
        SCAN.values.update(authority.issued_values())


@pytest.fixture
def maven_authority(maven_authority_session: TokenAuthority) -> Iterator[TokenAuthority]:
    maven_authority_session.reset()
    yield maven_authority_session
    SCAN.values.update(maven_authority_session.issued_values())


@pytest.fixture(scope="session")
def maven_function(start_function, maven_authority_session: TokenAuthority) -> LocalFunction:
    """The function, allowed to call the authority's webhook (the layout it may call as the
    repository's upstream)."""
    return start_function(ALLOWED_UPSTREAM_HOSTS=urlsplit(maven_authority_session.url).netloc)
