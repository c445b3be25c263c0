"""Fixtures of the minting source tests: an HTTP client with a generous deadline, a rig of each
minting source, and one of gitlab."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.sources.minting import TIMEOUT, Rig, make_rig
from tests.upstreams import CASES, GITLAB


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=TIMEOUT) as client:
        yield client


@pytest.fixture(params=CASES, ids=[case.source for case in CASES])
def rig(request, emulator, authority, private_index, http) -> Rig:
    return make_rig(request.param, emulator, authority, private_index, http)


@pytest.fixture
def gitlab_rig(emulator, authority, private_index, http) -> Rig:
    return make_rig(GITLAB, emulator, authority, private_index, http)
