"""The function's Maven check (rotation/checks/maven_repository.py) against the real layout with
basic auth: a GET of the root or of an artifact's maven-metadata.xml."""

from __future__ import annotations

import secrets

import httpx
import pytest

from emulator.maven_layout import MavenLayout
from rotation.checks.maven_repository import check
from rotation.core.errors import TokenRejected, TransientError
from rotation.core.token import Token
from tests.formats.maven_support import FILES


@pytest.fixture
def credential(maven_layout: MavenLayout) -> tuple[str, str]:
    username, token = f"user-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    maven_layout.allow(username, token)
    return username, token


@pytest.mark.parametrize("path", ["", "/" + FILES[0]], ids=["root", "maven-metadata.xml"])
def test_a_live_token_passes(maven_layout, credential, path):
    with httpx.Client(timeout=10) as http:
        check(http, maven_layout.url + path, credential[0], Token(credential[1]))


def test_a_revoked_token_is_refused(maven_layout, credential):
    username, token = credential
    maven_layout.revoke(username, token)
    with httpx.Client(timeout=10) as http, pytest.raises(TokenRejected, match="HTTP 401"):
        check(http, maven_layout.url + "/" + FILES[0], username, Token(token))


def test_a_missing_path_is_not_a_verdict(maven_layout, credential):
    username, token = credential
    missing = maven_layout.url + "/no/such/maven-metadata.xml"
    with httpx.Client(timeout=10) as http, pytest.raises(TransientError, match="HTTP 404"):
        check(http, missing, username, Token(token))
