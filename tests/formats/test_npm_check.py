"""The function's npm check (rotation/checks/npm_registry.py) against the real verdaccio: a
package document, or `/-/whoami`, which verdaccio answers 200 `{}` for a credential it does not
hold."""

from __future__ import annotations

import secrets

import httpx
import pytest

from emulator.npm_registry import VerdaccioServer
from rotation.checks.npm_registry import check
from rotation.core.errors import TokenRejected
from rotation.core.token import Token
from tests.formats.npm_support import PACKAGE

PATHS = [f"/{PACKAGE}", "/-/whoami"]


@pytest.fixture
def credential(verdaccio: VerdaccioServer) -> tuple[str, str]:
    username, token = f"user-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    verdaccio.allow(username, token)
    return username, token


@pytest.mark.parametrize("path", PATHS, ids=["package document", "whoami"])
def test_a_live_token_passes(verdaccio, credential, path):
    username, token = credential
    with httpx.Client(timeout=10) as http:
        check(http, verdaccio.url + path, username, Token(token))


@pytest.mark.parametrize("path", PATHS, ids=["package document", "whoami"])
def test_a_revoked_token_is_refused(verdaccio, credential, path):
    username, token = credential
    verdaccio.revoke(username, token)
    with httpx.Client(timeout=10) as http, pytest.raises(TokenRejected) as refused:
        check(http, verdaccio.url + path, username, Token(token))
    assert ("HTTP 401" in str(refused.value)) == (path != "/-/whoami")
    assert token not in str(refused.value)
