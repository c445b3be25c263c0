"""A real Docker registry upstream on loopback: Debian's `docker-registry` (the CNCF distribution
registry, 2.8), storing on the filesystem of a temporary directory, in one of two auth modes.

`htpasswd`: distribution reads only bcrypt lines and keeps one password per user (the last line
for a user wins: registry/auth/htpasswd/htpasswd.go), so a user has one live password at a
time, as with a registry account's password. It rereads the file when its mtime changes. The
hashes come from passlib's bcrypt, whose `os_crypt` backend (the C library's crypt, here
libxcrypt) works on this machine; 4 rounds, since the registry checks the hash on every request.

`token`: distribution's token auth, whose realm is a `DockerTokenServer` (emulator/docker_auth):
the registry answers 401 with a Bearer challenge and accepts the JWTs that server signs. A user
may hold several live tokens there, as on Docker Hub.

Either way the registry is a `CredentialHolder`: `allow` and `revoke` change who it accepts.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import threading
from pathlib import Path
from typing import Literal

import httpx
from passlib.hash import bcrypt

from emulator.child_server import ChildServer, free_port
from emulator.docker_auth import DockerTokenServer
from emulator.oci_image import OciImage, build_oci_image

REGISTRY = "/usr/bin/docker-registry"
AuthMode = Literal["htpasswd", "token"]
_BCRYPT = bcrypt.using(rounds=4)
_SKOPEO_SECONDS = 60


class BcryptPasswords:
    """The registry's htpasswd file: one bcrypt line per user, replaced in one rename."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._hashes: dict[str, str] = {}
        self._write()

    def set(self, username: str, password: str) -> None:
        with self._lock:
            self._hashes[username] = _BCRYPT.hash(password)
            self._write()

    def remove(self, username: str, password: str) -> None:
        """Forget the user's password if it is this one (the registry keeps no other)."""
        with self._lock:
            if username in self._hashes and _BCRYPT.verify(password, self._hashes[username]):
                del self._hashes[username]
                self._write()

    def _write(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text("".join(f"{u}:{h}\n" for u, h in self._hashes.items()))
        os.replace(temporary, self.path)


class DockerRegistry(ChildServer):
    """docker-registry on 127.0.0.1:`port`; `token_server` (started) is required for `token`."""

    name = "the docker registry"

    def __init__(
        self, workdir: Path, auth: AuthMode, token_server: DockerTokenServer | None = None
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.auth = auth
        self.token_server = token_server
        self.passwords = BcryptPasswords(workdir / "registry.htpasswd")
        port = free_port()
        config = workdir / "config.yml"
        config.write_text(json.dumps(self._config(port)))  # JSON is YAML
        super().__init__([REGISTRY, "serve", str(config)], workdir / "registry.log", port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def allow(self, username: str, password: str) -> None:
        if self.token_server is not None:
            self.token_server.allow(username, password)
        else:
            self.passwords.set(username, password)

    def revoke(self, username: str, password: str) -> None:
        if self.token_server is not None:
            self.token_server.revoke(username, password)
        else:
            self.passwords.remove(username, password)

    def ready(self) -> bool:
        try:
            httpx.get(f"{self.url}/v2/", timeout=1)
        except httpx.HTTPError:
            return False
        return True

    def push_image(self, name: str, tag: str, content: bytes, username: str) -> OciImage:
        """Build a small image and push it as `name:tag` with skopeo, as a publisher with a
        credential of its own (allowed here for good)."""
        image = build_oci_image(self.workdir / "images" / name.replace("/", "_"), tag, content)
        password = secrets.token_urlsafe(24)
        self.allow(username, password)
        authfile = self.workdir / "push-auth.json"
        encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
        authfile.write_text(json.dumps({"auths": {self.host: {"auth": encoded}}}))
        command = [
            "skopeo",
            "--insecure-policy",
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            "--dest-authfile",
            str(authfile),
            f"oci:{image.directory}:{tag}",
            f"docker://{self.host}/{name}:{tag}",
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_SKOPEO_SECONDS, check=False
        )
        authfile.unlink()
        if done.returncode != 0:
            raise RuntimeError(f"skopeo could not push {name}:{tag}: {done.stderr[-2000:]}")
        return image

    def _config(self, port: int) -> dict[str, object]:
        auth: dict[str, object]
        if self.auth == "htpasswd":
            auth = {"htpasswd": {"realm": "emulated-registry", "path": str(self.passwords.path)}}
        else:
            if self.token_server is None:
                raise ValueError("token auth needs a DockerTokenServer")
            auth = {
                "token": {
                    "realm": self.token_server.realm,
                    "service": self.token_server.service,
                    "issuer": self.token_server.issuer,
                    "rootcertbundle": str(self.token_server.certificate_path),
                }
            }
        return {
            "version": 0.1,
            "log": {"level": "warn", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(self.workdir / "storage")}},
            "http": {"addr": f"127.0.0.1:{port}", "secret": secrets.token_hex(16)},
            "auth": auth,
        }
