"""Every gRPC call's identity and authorization: the bearer token names the principal, the
authorizer decides. A call without a token is the configured anonymous principal, or refused
with UNAUTHENTICATED as production refuses it when there is none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.authorization import Authorizer, invalid_credentials, unauthenticated
from emulator.grpc_server import Metadata
from emulator.identity import Identities

_BEARER = "bearer "


@dataclass
class CallGate:
    identities: Identities
    authorizer: Authorizer
    # Who a call without credentials is: None refuses it (production). The Pub/Sub client under
    # PUBSUB_EMULATOR_HOST always calls this way, and so do the emulator's other clients when no
    # credential file is configured.
    anonymous: str | None

    def __call__(self, method: str, metadata: Metadata, request: Any) -> None:
        self.authorizer.authorize(method, self.principal(metadata), request)

    def principal(self, metadata: Metadata) -> str:
        for key, value in metadata:
            if key == "authorization" and isinstance(value, str):
                if not value.lower().startswith(_BEARER):
                    raise invalid_credentials()
                member = self.identities.principal(value[len(_BEARER) :].strip())
                if member is None:
                    raise invalid_credentials()
                return member
        if self.anonymous is None:
            raise unauthenticated()
        return self.anonymous
