"""An htpasswd file that may hold several live credentials per user, as real token upstreams do.

GitLab and Artifactory accept every unrevoked token of a user at once, which is what lets a
rotation overlap the old and the new token. Apache's htpasswd (and passlib's HtpasswdFile) keep
one hash per user, so this file keeps one line per credential instead; the user `*` stands for a
token the upstream accepts with any username (GitLab's package registry ignores the username).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

from passlib.apache import htpasswd_context
from passlib.hash import apr_md5_crypt

ANY_USER = "*"


class CredentialHolder(Protocol):
    """An upstream on loopback whose live credentials a token authority manages (a package
    index, a registry, a Maven layout): what it mints is allowed there, what it revokes removed."""

    @property
    def port(self) -> int: ...

    def allow(self, username: str, password: str) -> None: ...

    def revoke(self, username: str, password: str) -> None: ...


class CredentialFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._lines: list[tuple[str, str]] = []
        if not path.exists():
            self._write([])

    def add(self, username: str, password: str) -> None:
        with self._lock:
            self._write([*self._read(), (username, apr_md5_crypt.hash(password))])

    def remove(self, username: str, password: str) -> None:
        """Forget one credential of `username`."""
        with self._lock:
            self._write(
                [
                    (user, hashed)
                    for user, hashed in self._read()
                    if user != username or not htpasswd_context.verify(password, hashed)
                ]
            )

    def check(self, username: str, password: str) -> bool:
        """pypiserver's `auther`: rereads the file when it changed, like its own htpasswd support."""
        with self._lock:
            return any(
                user in (username, ANY_USER) and htpasswd_context.verify(password, hashed)
                for user, hashed in self._read()
            )

    def _read(self) -> list[tuple[str, str]]:
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            pairs = (line.partition(":") for line in self.path.read_text().splitlines())
            self._lines = [(user, hashed) for user, colon, hashed in pairs if colon]
            self._stamp = stamp
        return list(self._lines)

    def _write(self, lines: list[tuple[str, str]]) -> None:
        """Replace the file in one rename, so a reader in another process never sees half of it."""
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text("".join(f"{user}:{hashed}\n" for user, hashed in lines))
        os.replace(temporary, self.path)
        self._stamp = None
