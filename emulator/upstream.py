"""A real PyPI-compatible upstream index on loopback: pypiserver with an htpasswd file.

`authenticated_reads=False` behaves like pypi.org, which checks no token on list or download;
`True` refuses reads without a credential in the htpasswd file (401 none, 403 wrong, 200 right).
pypiserver rereads the file when it changes, so adding or removing a user takes effect at once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from passlib.apache import HtpasswdFile

from emulator.cloud_function import free_port, stop_process


class PypiServer:
    def __init__(self, workdir: Path, authenticated_reads: bool = True) -> None:
        self.packages = workdir / "packages"
        self.packages.mkdir(parents=True, exist_ok=True)
        self.htpasswd_path = workdir / "htpasswd"
        self.htpasswd = HtpasswdFile(str(self.htpasswd_path), new=True)
        self.htpasswd.save()
        self.port = free_port()
        actions = "list,download,update" if authenticated_reads else "update"
        self._log = (workdir / "pypiserver.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "pypi-server"),
                "run",
                "-i",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-a",
                actions,
                "-P",
                str(self.htpasswd_path),
                "--disable-fallback",
                "--server",
                "wsgiref",
                str(self.packages),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    @property
    def index_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple"

    def allow(self, username: str, password: str) -> None:
        self.htpasswd.set_password(username, password)
        self.htpasswd.save()

    def deny(self, username: str) -> None:
        self.htpasswd.delete(username)
        self.htpasswd.save()

    def _wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("pypi-server exited; see pypiserver.log")
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("pypi-server did not come up")

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()
