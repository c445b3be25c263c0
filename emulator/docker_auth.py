"""A Docker registry token server on loopback: the role auth.docker.io plays for Docker Hub.

    GET /token?service=SERVICE&scope=repository:NAME:pull[,push]   (basic auth, or none)
        -> 200 {"token": JWT, "access_token": JWT, "expires_in": 300, "issued_at": RFC 3339}
        -> 401 {"details": "incorrect username or password"} for a credential it does not accept

It accepts every live credential of a `CredentialFile` (several per user, as Docker Hub accepts
every unrevoked personal access token), so a token authority can mint and revoke them; without
credentials it hands out an anonymous token that grants nothing, as Docker Hub does for a
private repository. The registry (distribution's `auth: token`) trusts the self-signed
certificate this server signs with: distribution 2.8 (registry/auth/token/token.go,
VerifySigningKey) takes the signing key from the JWT header's `x5c` chain, verified against
`rootcertbundle`, or from a `kid` naming a key of that bundle by its libtrust fingerprint; this
server sends `x5c`. Times are the real clock's: the registry checks `nbf` and `exp` against it.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from emulator.credentials import CredentialFile
from emulator.serving import BackgroundServer, StartStop

TOKEN_SECONDS = 300
# The registry (Go) reads the machine's real clock, which a shifted test clock (`make
# test-shifted-clocks`: libfaketime in this process only) does not move. Tokens and the signing
# certificate are therefore valid from long before this process's now to long after it, so they
# verify whatever the two clocks say; `expires_in` still says TOKEN_SECONDS.
_CLOCK_SLACK = timedelta(days=2 * 366)
GRANTABLE = frozenset({"pull", "push"})
ISSUER = "emulated-docker-token-server"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signing_pair() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SLACK)
        .not_valid_after(now + _CLOCK_SLACK)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _access(scopes: list[str]) -> list[dict[str, Any]]:
    """The `access` claim for `scope` parameters (`repository:NAME:ACTIONS`, space-separated)."""
    granted = []
    for scope in " ".join(scopes).split():
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        wanted = sorted(GRANTABLE & set(actions.split(",")))
        if kind == "repository" and name and wanted:
            granted.append({"type": kind, "name": name, "actions": wanted})
    return granted


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, colon, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (username, password) if colon else None


class DockerTokenServer(StartStop):
    """Serves /token on 127.0.0.1 (a free port); a `CredentialHolder` of its credential file.
    `certificate_path` is the registry's `rootcertbundle`."""

    def __init__(self, workdir: Path, service: str = "emulated-registry") -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.service = service
        self.issuer = ISSUER
        self.credentials = CredentialFile(workdir / "token-server.htpasswd")
        self._key, certificate = _signing_pair()
        self._x5c = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()
        self.certificate_path = workdir / "token-signing.pem"
        self.certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        self._server = BackgroundServer(_handler_for(self), name="docker-token-server")
        self.logins = 0  # requests whose credential was accepted

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def realm(self) -> str:
        return f"{self._server.url}/token"

    def start(self) -> DockerTokenServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def allow(self, username: str, password: str) -> None:
        self.credentials.add(username, password)

    def revoke(self, username: str, password: str) -> None:
        self.credentials.remove(username, password)

    def answer(self, query: dict[str, list[str]], authorization: str) -> tuple[int, dict[str, Any]]:
        """The token endpoint's status and JSON body for one request."""
        subject, access = "", []
        if authorization:
            credentials = _basic_credentials(authorization)
            if credentials is None or not self.credentials.check(*credentials):
                return HTTPStatus.UNAUTHORIZED, {"details": "incorrect username or password"}
            subject, access = credentials[0], _access(query.get("scope", []))
            self.logins += 1
        service = query.get("service", [self.service])[0]
        token = self._sign(subject, service, access)
        issued_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        body = {
            "token": token,
            "access_token": token,
            "expires_in": TOKEN_SECONDS,
            "issued_at": issued_at,
        }
        return HTTPStatus.OK, body

    def _sign(self, subject: str, service: str, access: list[dict[str, Any]]) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": service,  # a string: distribution 2.8's ClaimSet takes no list here
            "exp": now + int(_CLOCK_SLACK.total_seconds()),
            "nbf": now - int(_CLOCK_SLACK.total_seconds()),
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": access,
        }
        signing_input = ".".join(_b64url(json.dumps(part).encode()) for part in (header, claims))
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"


def _handler_for(server: DockerTokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/token":
                status, body = server.answer(
                    parse_qs(url.query), self.headers.get("Authorization", "")
                )
            else:
                status, body = HTTPStatus.NOT_FOUND, {"details": "not found"}
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read their output for leaked tokens and want no noise."""

    return Handler
