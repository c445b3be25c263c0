"""One gRPC server for every emulated service, built from plain handler tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any, Protocol

import grpc

from emulator.core import ApiError, Control


@dataclass(frozen=True)
class Rpc:
    """One unary method: its name, its proto-plus (or protobuf) request and response types, its handler."""

    name: str
    request_type: Any
    response_type: Any
    handler: Callable[[Any], Any]


class Service(Protocol):
    service_name: str  # full proto name, e.g. google.cloud.secretmanager.v1.SecretManagerService

    def rpcs(self) -> Sequence[Rpc]: ...


def _codec(message_type: Any) -> tuple[Callable[[bytes], Any], Callable[[Any], bytes]]:
    if hasattr(message_type, "deserialize"):  # proto-plus
        return message_type.deserialize, message_type.serialize
    return message_type.FromString, lambda message: message.SerializeToString()


Metadata = Sequence[tuple[str, str | bytes]]
# Decides whether a call may run: (Service.Method, the call's metadata, the request); raises
# ApiError (UNAUTHENTICATED, PERMISSION_DENIED) when it may not.
Gate = Callable[[str, Metadata, Any], None]


def _wrap(
    control: Control, gate: Gate, method: str, handler: Callable[[Any], Any]
) -> Callable[[Any, Any], Any]:
    def call(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            applied = control.before_call(method, _caller(context), request)
            gate(method, tuple(context.invocation_metadata() or ()), request)
            response = handler(request)
            applied()
            return response
        except ApiError as error:
            context.abort(error.code, error.message)

    return call


def _caller(context: grpc.ServicerContext) -> str:
    """Who is calling, as the Google clients say it: the first word of x-goog-api-client."""
    for key, value in context.invocation_metadata() or ():
        if key == "x-goog-api-client" and isinstance(value, str):
            return value.split(" ", 1)[0]
    return ""


def build_server(
    services: Sequence[Service], control: Control, port: int, gate: Gate
) -> tuple[grpc.Server, int]:
    """Return a started-ready server and the port it bound (0 picks a free one).

    The port has gRPC's local credentials: plaintext on loopback, so clients with an insecure
    channel (the Pub/Sub client under PUBSUB_EMULATOR_HOST) connect as before, while clients with
    `grpc.local_channel_credentials()` count as a secure channel and so send their call
    credentials (a bearer token): gRPC sends those only over a secure channel."""
    # Calls served at once: Google serves a fleet's parallel reads without such a bound; with
    # latency injected, a few dozen would cap a caller's parallelism at the emulator, not its own.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=128))
    for service in services:
        short = service.service_name.rsplit(".", 1)[-1]
        handlers = {}
        for rpc in service.rpcs():
            deserialize, _ = _codec(rpc.request_type)
            _, serialize = _codec(rpc.response_type)
            handlers[rpc.name] = grpc.unary_unary_rpc_method_handler(
                _wrap(control, gate, f"{short}.{rpc.name}", rpc.handler),
                request_deserializer=deserialize,
                response_serializer=serialize,
            )
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(service.service_name, handlers),)
        )
    bound = server.add_secure_port(
        f"127.0.0.1:{port}",
        grpc.local_server_credentials(grpc.LocalConnectionType.LOCAL_TCP),
    )
    return server, bound
