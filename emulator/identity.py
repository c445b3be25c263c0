"""Who calls: service-account keys the emulator issues, the OAuth token endpoint that trades a
signed JWT for an access token, and the access token -> principal lookup the gRPC server uses.

The real clients' own flow runs unmodified: google-auth reads a service-account credential file
whose `token_uri` is the emulator's, signs a JWT assertion with the file's private key, POSTs it
to that URI and sends the access token it gets back as `authorization: Bearer ...` on every call.
"""

from __future__ import annotations

import json
import secrets
import threading
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import exceptions as auth_exceptions
from google.auth import jwt

from emulator.routing import Request, Response

TOKEN_PATH = "/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_TOKEN_LIFETIME_SECONDS = 3600
# The audience google-auth signs every assertion for, whatever the file's token_uri says, and
# the one Google's token endpoint checks.
ASSERTION_AUDIENCE = "https://oauth2.googleapis.com/token"


def service_account_member(email: str) -> str:
    return f"serviceAccount:{email}"


class Identities:
    """The keys the emulator issued (key id -> email and public key) and the access tokens it
    handed out (token -> principal, as an IAM member string)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[str, bytes]] = {}
        self._tokens: dict[str, str] = {}
        self.token_uri = ""  # set once the HTTP port is bound

    def credential_file(self, email: str, path: Path) -> Path:
        """Write a service-account key file for `email` (a new key each time), as
        `gcloud iam service-accounts keys create` would, with the emulator as its token URI."""
        if not self.token_uri:
            raise RuntimeError("start the emulator before issuing credential files")
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_id = secrets.token_hex(20)
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        with self._lock:
            self._keys[key_id] = (email, public)
        document = {
            "type": "service_account",
            "project_id": email.split("@", 1)[1].split(".", 1)[0],
            "private_key_id": key_id,
            "private_key": private.decode(),
            "client_email": email,
            "client_id": str(int(key_id[:12], 16)),
            "token_uri": self.token_uri,
        }
        path.write_text(json.dumps(document))
        path.chmod(0o600)
        return path

    def principal(self, access_token: str) -> str | None:
        """The member an access token stands for; None for a token the emulator never issued."""
        with self._lock:
            return self._tokens.get(access_token)

    def token_endpoint(self, request: Request) -> Response:
        """OAuth 2.0 JWT bearer grant (RFC 7523), as https://oauth2.googleapis.com/token does it."""
        form = {name: values[0] for name, values in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != JWT_BEARER or "assertion" not in form:
            return _oauth_error("unsupported_grant_type", f"Use grant_type={JWT_BEARER}.")
        email = self._verified_issuer(form["assertion"])
        if email is None:
            return _oauth_error("invalid_grant", "Invalid JWT Signature.")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = service_account_member(email)
        return Response.json(
            {
                "access_token": token,
                "expires_in": _TOKEN_LIFETIME_SECONDS,
                "token_type": "Bearer",
            }
        )

    def _verified_issuer(self, assertion: str) -> str | None:
        """The assertion's issuer when a key the emulator issued to it signed the assertion for
        Google's token endpoint and it has not expired; None otherwise."""
        try:
            key_id = jwt.decode_header(assertion).get("kid", "")  # type: ignore[no-untyped-call]
        except (ValueError, auth_exceptions.GoogleAuthError):
            return None
        with self._lock:
            known = self._keys.get(key_id)
        if known is None:
            return None
        email, public = known
        try:
            claims = jwt.decode(  # type: ignore[no-untyped-call]
                assertion, certs={key_id: public}, audience=ASSERTION_AUDIENCE
            )
        except (ValueError, auth_exceptions.GoogleAuthError):
            return None
        return email if claims.get("iss") == email else None


def _oauth_error(error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, HTTPStatus.BAD_REQUEST)
