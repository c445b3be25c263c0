"""Docker Hub as the fault matrix sees it: the token authority's Docker Hub API and a registry's
token service, each behind a recording proxy, and a distribution registry in token mode whose
challenge names the proxied token service as its realm, so the function's Docker check (and
Artifact Registry's validation of a new credential) goes through the proxy too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from emulator.core import Control
from emulator.docker_auth import DockerTokenServer
from emulator.docker_registry import DockerRegistry
from emulator.token_authority import TokenAuthority
from emulator.upstream_proxy import UpstreamProxy
from tests.redaction import SCAN
from tests.reliability.upstreams import DockerHubUpstream


class ProxiedRealm(DockerTokenServer):
    """A token server whose realm, as its registry announces it, is `realm_url` when set."""

    realm_url = ""

    @property
    def realm(self) -> str:
        return self.realm_url or super().realm


@dataclass
class DockerHub:
    upstream: DockerHubUpstream
    registry: DockerRegistry

    @property
    def proxies(self) -> tuple[UpstreamProxy, UpstreamProxy]:
        return self.upstream.proxy, self.upstream.realm_proxy


@contextmanager
def docker_hub(control: Control, workdir: Path) -> Iterator[DockerHub]:
    """Started once for the matrix: token server, authority, both proxies, registry."""
    (workdir / "token-server").mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        token_server = stack.enter_context(ProxiedRealm(workdir / "token-server"))
        realm = stack.enter_context(UpstreamProxy(token_server.realm.rsplit("/", 1)[0], control))
        token_server.realm_url = f"{realm.url}/token"
        authority = stack.enter_context(TokenAuthority(token_server))
        api = stack.enter_context(UpstreamProxy(authority.url, control))
        registry = DockerRegistry(workdir / "registry", "token", token_server)
        stack.callback(registry.stop)
        try:
            yield DockerHub(DockerHubUpstream(authority, api, realm), registry)
        finally:
            SCAN.values.update(authority.issued_values())
