"""The OIDC token Pub/Sub attaches to a push: a JWT Google signs for the subscription's account.

Claims as the doc page "Authenticate push subscriptions" (cloud.google.com/pubsub/docs/
authenticate-push-subscriptions) shows them: `iss` https://accounts.google.com, `aud` the
configured audience or else the push endpoint, `email`, `email_verified`, `sub`, `iat`, `exp`
(one hour). The emulator signs with its own key; `certs()` is what a receiver verifies with
(`google.auth.jwt.decode(token, certs=...)`), as Google's published certificates would be.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt, jwt

ISSUER = "https://accounts.google.com"
_LIFETIME_SECONDS = 3600


class OidcSigner:
    def __init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._key_id = secrets.token_hex(20)
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self._signer = crypt.RSASigner.from_string(private, key_id=self._key_id)  # type: ignore[no-untyped-call]
        self._public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def token(self, email: str, audience: str, now: datetime) -> str:
        issued = int(now.timestamp())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "email": email,
            "email_verified": True,
            # Google's `sub` is the account's unique id; the emulator derives a stable number.
            "sub": str(int(hashlib.sha256(email.encode()).hexdigest()[:15], 16)),
            "iat": issued,
            "exp": issued + _LIFETIME_SECONDS,
        }
        return str(jwt.encode(self._signer, claims).decode())  # type: ignore[no-untyped-call]

    def certs(self) -> dict[str, str]:
        return {self._key_id: self._public.decode()}
