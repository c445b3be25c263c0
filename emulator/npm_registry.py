"""A real npm upstream registry on loopback: verdaccio, refusing reads without a live credential.

verdaccio 6.8.0 runs from `emulator/verdaccio/node_modules` (`make verdaccio`, which `make test`
depends on) with a generated configuration: storage in `workdir`, no uplinks (it never reaches
the public registry), every package readable and publishable only by an authenticated user
(`$authenticated`: anonymous reads answer 401, as do reads with a credential it does not hold).
Its htpasswd plugin keeps one password per user; a token upstream keeps every unrevoked token of
a user live at once, so the local plugin `emulator/verdaccio/plugins/verdaccio-credential-file`
reads a `CredentialFile` instead, on every request: allowing or revoking a token takes effect at
once, and this server is a `CredentialHolder` a token authority can mint on.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path
from urllib.parse import quote

import httpx

from emulator.child_server import ROOT, ChildServer, free_port
from emulator.credentials import CredentialFile
from emulator.npm_tarballs import build_tarball, publish_document

VERDACCIO = ROOT / "emulator" / "verdaccio"
VERDACCIO_BIN = VERDACCIO / "node_modules" / "verdaccio" / "bin" / "verdaccio"
PLUGINS = VERDACCIO / "plugins"
PUBLISHER = "publisher"  # the user `publish` writes as; never a token the authority mints
_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def installed() -> bool:
    """Whether verdaccio and node are here (`make verdaccio`)."""
    return VERDACCIO_BIN.exists() and shutil.which("node") is not None


def configuration(storage: Path, credentials: Path) -> dict[str, object]:
    """verdaccio's config.yaml, as JSON (which YAML reads): the `**` pattern covers scoped names."""
    authenticated = {"access": "$authenticated", "publish": "$authenticated"}
    return {
        "storage": str(storage),
        "plugins": str(PLUGINS),
        "auth": {"credential-file": {"file": str(credentials)}},
        "uplinks": {},
        "packages": {"@*/*": authenticated, "**": authenticated},
        "web": {"enable": False},
        "log": {"type": "stdout", "format": "pretty", "level": "http"},
    }


class VerdaccioServer(ChildServer):
    name = "verdaccio"

    def __init__(self, workdir: Path) -> None:
        if not installed():
            raise RuntimeError(f"verdaccio is not installed in {VERDACCIO}: run `make verdaccio`")
        workdir.mkdir(parents=True, exist_ok=True)
        self.credentials = CredentialFile(workdir / "credentials.htpasswd")
        self._publisher_password = secrets.token_urlsafe(24)
        self.credentials.add(PUBLISHER, self._publisher_password)
        config = workdir / "config.yaml"
        settings = configuration(workdir / "storage", self.credentials.path)
        config.write_text(json.dumps(settings, indent=2))
        port = free_port()
        command = ["node", str(VERDACCIO_BIN), "--config", str(config)]
        command += ["--listen", f"127.0.0.1:{port}"]
        super().__init__(command, workdir / "verdaccio.log", port, start_seconds=60)

    @property
    def url(self) -> str:
        """The registry's URL, without a trailing slash (a remote repository's upstream)."""
        return f"http://127.0.0.1:{self.port}"

    def publish(self, name: str, version: str) -> bytes:
        """Publish a small package as `npm publish` does (`PUT /NAME`, a scoped name's slash
        encoded); returns its tarball."""
        tarball = build_tarball(name, version)
        answer = httpx.put(
            f"{self.url}/{quote(name, safe='@')}",
            json=publish_document(self.url, name, version, tarball),
            auth=(PUBLISHER, self._publisher_password),
            timeout=_TIMEOUT,
        )
        answer.raise_for_status()
        return tarball

    def allow(self, username: str, password: str) -> None:
        self.credentials.add(username, password)

    def revoke(self, username: str, password: str) -> None:
        self.credentials.remove(username, password)

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/-/ping", timeout=1).is_success
        except httpx.HTTPError:
            return False
