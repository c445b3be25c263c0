"""The function's Docker check (rotation/checks/docker_registry.py) against real registries: the
Bearer flow of a registry with token auth, the Basic challenge of one with htpasswd auth."""

from __future__ import annotations

import httpx
import pytest

from rotation.checks.docker_registry import check
from rotation.core.errors import TokenRejected, TransientError
from rotation.core.token import Token
from tests.formats.docker_support import Upstream


def test_a_live_token_passes_in_either_auth_mode(upstream: Upstream):
    username, token = upstream.credential()
    with httpx.Client(timeout=10) as http:
        check(http, upstream.registry.url, username, Token(token))


def test_a_revoked_token_is_refused_in_either_auth_mode(upstream: Upstream):
    username, token = upstream.credential()
    upstream.registry.revoke(username, token)
    with httpx.Client(timeout=10) as http, pytest.raises(TokenRejected) as refused:
        check(http, upstream.registry.url, username, Token(token))
    # Token auth refuses at the realm; htpasswd at the registry's /v2/ itself.
    who = "the registry's token service " if upstream.mode == "token" else "registry "
    assert str(refused.value).startswith(who)
    assert "HTTP 401" in str(refused.value)
    assert token not in str(refused.value)


def test_an_unreachable_registry_is_not_a_verdict():
    with httpx.Client(timeout=2) as http, pytest.raises(TransientError, match="could not be"):
        check(http, "http://127.0.0.1:9", "user", Token("anything"))


def test_a_server_that_is_no_registry_is_not_a_verdict(private_index):
    """pypiserver answers /v2/ with 404: no challenge, so nothing was decided about the token."""
    with httpx.Client(timeout=10) as http, pytest.raises(TransientError, match="challenge"):
        check(http, private_index.index_url.rsplit("/", 1)[0], "user", Token("anything"))
