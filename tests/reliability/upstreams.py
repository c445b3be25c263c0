"""The upstream side of a rotation, as the invariant checks need to see it: which tokens it would
accept, which it has seen in use, which passed a probe, and which a call revokes."""

from __future__ import annotations

import secrets as random_secrets
from datetime import UTC, datetime
from typing import Protocol

import pypitoken

from emulator import Call
from emulator.upstream_proxy import UpstreamProxy, UpstreamRequest


class Upstream(Protocol):
    def accepts(self, token: str) -> bool:
        """Would the upstream let a repository in with this token now?"""

    def sent_tokens(self) -> set[str]:
        """Tokens that left the function for the upstream, or that the upstream handed out."""

    def tested_tokens(self) -> set[str]:
        """Tokens the upstream answered a probe for with success."""

    def revokes(self, call: Call) -> str | None:
        """The token `call` revokes upstream, if it is a revocation."""


class PypiUpstream:
    """pypi.org's side of the pypi sources. Root tokens are minted here and their keys kept, as
    PyPI's database keeps them; a token is accepted when its macaroon verifies against its root's
    key and its caveats hold now, as PyPI checks it. The index the function probes is a real
    pypiserver behind a recording proxy. PyPI tokens cannot be revoked through an API."""

    def __init__(self, proxy: UpstreamProxy) -> None:
        self.proxy = proxy
        self._keys: dict[str, str] = {}

    @property
    def index_url(self) -> str:
        return f"{self.proxy.url}/simple"

    def root_token(self) -> str:
        identifier, key = random_secrets.token_hex(8), random_secrets.token_hex(32)
        self._keys[identifier] = key
        return pypitoken.Token.create(domain="pypi.org", identifier=identifier, key=key).dump()

    def accepts(self, token: str) -> bool:
        try:
            loaded = pypitoken.Token.load(token)
            key = self._keys.get(loaded.identifier)
            if key is None:
                return False
            loaded.check(
                key=key, project_name="any", project_id="any", user_id="any", now=datetime.now(UTC)
            )
        except pypitoken.PyPITokenException:
            return False
        return True

    def sent_tokens(self) -> set[str]:
        return {e.request.password for e in self.proxy.exchanges() if e.request.password}

    def tested_tokens(self) -> set[str]:
        return {
            e.request.password
            for e in self.proxy.exchanges()
            if e.request.password and e.status == 200
        }

    def revokes(self, call: Call) -> str | None:
        return None


def sent_token(call: Call) -> str | None:
    """The credential an upstream call carries, if `call` is one."""
    return call.request.password if isinstance(call.request, UpstreamRequest) else None
