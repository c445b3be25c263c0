"""A real PyPI-compatible upstream index on loopback: pypiserver, authenticating from a file.

`authenticated_reads=False` behaves like pypi.org, which checks no token on list or download;
`True` refuses reads without a live credential (401 none, 403 wrong, 200 right). The credentials
live in a file that pypiserver rereads when it changes, so allowing or revoking a token takes
effect at once; a user may hold several live tokens, as on GitLab or Artifactory.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from emulator.child_server import ChildServer, free_port
from emulator.credentials import CredentialFile
from emulator.wheels import build_wheel


class PypiServer(ChildServer):
    name = "the index server"

    def __init__(self, workdir: Path, authenticated_reads: bool = True) -> None:
        self.packages = workdir / "packages"
        self.packages.mkdir(parents=True, exist_ok=True)
        self.credentials = CredentialFile(workdir / "credentials.htpasswd")
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "emulator.index_server",
            "--port",
            str(port),
            "--credentials",
            str(self.credentials.path),
            str(self.packages),
        ]
        if not authenticated_reads:
            command.insert(-1, "--open-reads")
        super().__init__(command, workdir / "pypiserver.log", port)

    @property
    def index_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple"

    def publish(self, name: str, version: str) -> Path:
        """Build a small wheel and serve it."""
        return build_wheel(self.packages, name, version)

    def allow(self, username: str, password: str) -> None:
        self.credentials.add(username, password)

    def revoke(self, username: str, password: str) -> None:
        self.credentials.remove(username, password)

    def ready(self) -> bool:
        try:
            httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1)
        except httpx.HTTPError:
            return False
        return True
