"""The upstream side of a rotation, as the invariant checks need to see it: which tokens it would
accept, which it issued and still honours, which passed a probe, and which a call revokes."""

from __future__ import annotations

import re
import secrets as random_secrets
from datetime import UTC, datetime
from typing import Protocol

import pypitoken

from emulator import Call
from emulator.token_authority import TokenAuthority
from emulator.upstream_proxy import UPSTREAM, UpstreamProxy, UpstreamRequest

_PROBE = re.compile(r"/simple(/|$)")
_GITLAB_REVOKE = re.compile(r"/access_tokens/(?P<id>\d+)$")
_REALM_PROBE = re.compile(r"/token$")  # a Docker registry's token service (the realm)
_DOCKERHUB_REVOKE = re.compile(r"/v2/access-tokens/(?P<id>[^/]+)$")


class Upstream(Protocol):
    def accepts(self, token: str) -> bool:
        """Would the upstream let a repository in with this token now?"""

    def live_tokens(self) -> set[str]:
        """Tokens the upstream issued during this case and still honours."""

    def tested_tokens(self) -> set[str]:
        """Tokens the upstream answered a probe of its index for with success."""

    def issued_token(self, value: str) -> bool:
        """Is `value` a repository credential of this upstream (not a session of its API)?"""

    def revokes(self, call: Call) -> str | None:
        """The token `call` revokes upstream, if it is a revocation."""


def sent_token(call: Call) -> str | None:
    """The credential an upstream call carries, if `call` is one."""
    return call.request.password if isinstance(call.request, UpstreamRequest) else None


def probed_tokens(proxy: UpstreamProxy, probe: re.Pattern[str] = _PROBE) -> set[str]:
    """Credentials the server behind `proxy` accepted on a GET of a path `probe` finds: a
    package index's simple API, or a registry's token service."""
    return {
        e.request.password
        for e in proxy.exchanges()
        if e.request.method == "GET"
        and probe.search(e.request.path.split("?")[0])
        and e.request.password
        and e.status == 200
    }


class PypiUpstream:
    """pypi.org's side of the pypi sources. Root tokens are minted here and their keys kept, as
    PyPI's database keeps them; a token is accepted when its macaroon verifies against its root's
    key and its caveats hold now, as PyPI checks it. The index the function probes is a real
    pypiserver behind a recording proxy. Derived tokens are made offline (PyPI issues nothing
    during a rotation) and cannot be revoked through an API."""

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

    def live_tokens(self) -> set[str]:
        return set()

    def issued_token(self, value: str) -> bool:
        return True  # the index hands out no sessions: whatever reaches it is a credential

    def tested_tokens(self) -> set[str]:
        return probed_tokens(self.proxy)

    def revokes(self, call: Call) -> str | None:
        return None


class GitLabUpstream:
    """GitLab's side of the gitlab source: the local token authority, whose live tokens are the
    index's credentials, reached through a recording proxy. The authority serves the whole test
    session, so only the tokens issued since `start()` count."""

    api = "gitlab"
    revocation = _GITLAB_REVOKE

    def __init__(self, authority: TokenAuthority, proxy: UpstreamProxy) -> None:
        self.authority = authority
        self.proxy = proxy
        self._start = 0

    def start(self) -> None:
        self._start = len(self.authority.issued(self.api))

    def accepts(self, token: str) -> bool:
        return token in self.live_tokens()

    def live_tokens(self) -> set[str]:
        issued = self.authority.issued(self.api)[self._start :]
        return {t.value for t in issued if not t.revoked}

    def tested_tokens(self) -> set[str]:
        return probed_tokens(self.proxy)

    def issued_token(self, value: str) -> bool:
        return value in {t.value for t in self.authority.issued(self.api)}

    def revokes(self, call: Call) -> str | None:
        request = call.request
        if call.method != f"{UPSTREAM}.DELETE" or not isinstance(request, UpstreamRequest):
            return None
        match = self.revocation.search(request.path.split("?")[0])
        issued = {t.id: t.value for t in self.authority.issued(self.api)}
        return issued.get(match.group("id")) if match else None


class DockerHubUpstream(GitLabUpstream):
    """Docker Hub's side of the dockerhub source: the token authority's Docker Hub API behind
    `proxy`, its tokens live on a registry's token server, which the function's check asks
    through `realm_proxy`. The API's login sessions (bearer JWTs) are no repository credential."""

    api = "dockerhub"
    revocation = _DOCKERHUB_REVOKE

    def __init__(
        self, authority: TokenAuthority, proxy: UpstreamProxy, realm_proxy: UpstreamProxy
    ) -> None:
        super().__init__(authority, proxy)
        self.realm_proxy = realm_proxy

    def tested_tokens(self) -> set[str]:
        return probed_tokens(self.realm_proxy, _REALM_PROBE)
