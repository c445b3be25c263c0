"""A private Maven repository on loopback: a static Maven layout behind basic auth.

It is what a Maven remote repository's custom upstream is in tests and the demo, a
`CredentialHolder` a token authority mints for. Reads need a live credential of the
`CredentialFile`, which may hold several per user (a rotation overlaps the old and the new token):

    no Authorization header      -> 401 with `WWW-Authenticate: Basic realm="maven"`
    a credential that is not live -> 401 with the same challenge
    a live credential            -> 200 (a file, or an HTML listing of a directory), or 404

A wrong credential answers 401, not 403, as Apache httpd's basic auth, Nexus and Artifactory do
(RFC 9110 section 15.5.2: 401 means the credentials were refused; 403 means they were understood
and are not enough). Maven treats both as an authorization failure.
"""

from __future__ import annotations

import base64
import binascii
import html
import mimetypes
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from emulator.credentials import CredentialFile
from emulator.maven_artifacts import publish_artifact
from emulator.serving import BackgroundServer, StartStop

REALM = "maven"
_TYPES = {".jar": "application/java-archive", ".pom": "text/xml", ".xml": "text/xml"}


class MavenLayout(StartStop):
    """Serves `workdir/repository` on 127.0.0.1:`port` (0 picks a free port); a context manager.
    Every request it answered is in `requests` (method, path, status)."""

    def __init__(self, workdir: Path, port: int = 0) -> None:
        self.root = workdir / "repository"
        self.root.mkdir(parents=True, exist_ok=True)
        self.credentials = CredentialFile(workdir / "credentials.htpasswd")
        self.requests: list[tuple[str, str, int]] = []
        handler = _handler(self.root, self.credentials.check, self.requests.append)
        self._server = BackgroundServer(handler, port, name="maven-layout", quiet_errors=True)

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        """The repository's root, the `custom_repository.uri` of a remote repository."""
        return self._server.url

    def start(self) -> MavenLayout:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def allow(self, username: str, password: str) -> None:
        self.credentials.add(username, password)

    def revoke(self, username: str, password: str) -> None:
        self.credentials.remove(username, password)

    def publish(self, group: str, artifact: str, version: str) -> list[str]:
        """A small jar and its pom, with maven-metadata.xml and .sha1/.md5 of each; returns the
        paths it wrote, relative to the root (`com/example/tiny/1.0/tiny-1.0.jar`, ...)."""
        return publish_artifact(self.root, group, artifact, version)


Check = Callable[[str, str], bool]
Record = Callable[[tuple[str, str, int]], None]


def _handler(root: Path, check: Check, record: Record) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def _answer(self, body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            status, content, content_type, headers = _serve(root, path, self._authorized())
            record((self.command, path, status))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(content)

        def _authorized(self) -> bool | None:
            """None without credentials, else whether they are live."""
            scheme, _, encoded = (self.headers.get("Authorization") or "").partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                username, colon, password = base64.b64decode(encoded).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            return bool(colon) and check(username, password)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: `requests` records what tests need."""

    return Handler


def _serve(
    root: Path, path: str, authorized: bool | None
) -> tuple[int, bytes, str, dict[str, str]]:
    if not authorized:
        challenge = {"WWW-Authenticate": f'Basic realm="{REALM}"'}
        return HTTPStatus.UNAUTHORIZED, b"Unauthorized\n", "text/plain", challenge
    target = (root / path.lstrip("/")).resolve()
    if not target.is_relative_to(root.resolve()) or not target.exists():
        return HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain", {}
    if target.is_dir():
        return HTTPStatus.OK, _listing(target, path), "text/html; charset=utf-8", {}
    content_type = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
    modified = {"Last-Modified": formatdate(target.stat().st_mtime, usegmt=True)}
    return HTTPStatus.OK, target.read_bytes(), content_type or "text/plain", modified


def _listing(directory: Path, path: str) -> bytes:
    """An HTML index of a directory, like Maven Central's and Apache httpd's."""
    base = path if path.endswith("/") else path + "/"
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in directory.iterdir())
    links = "".join(f'<a href="{html.escape(name)}">{html.escape(name)}</a>\n' for name in names)
    return f"<html><body><h1>{html.escape(base)}</h1><pre>\n{links}</pre></body></html>\n".encode()
