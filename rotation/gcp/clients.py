"""Google API clients, built once per process.

Each client honours its `*_EMULATOR_HOST` variable: when set, a channel to that host (see
`_emulator_channel`); when unset, the default endpoint and Application Default Credentials.
"""

from __future__ import annotations

import functools
import os
from typing import Any, TypeVar

import google.auth
import grpc
from google.api_core.gapic_v1.client_info import ClientInfo
from google.auth.credentials import AnonymousCredentials
from google.auth.transport.grpc import secure_authorized_channel
from google.auth.transport.requests import Request
from google.cloud import artifactregistry_v1, resourcemanager_v3, secretmanager_v1

from rotation import __version__

ClientT = TypeVar("ClientT")
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
# The variable naming each API's emulator (host:port); unset, the client goes to Google.
SECRET_MANAGER_HOST = "SECRET_MANAGER_EMULATOR_HOST"
ARTIFACT_REGISTRY_HOST = "ARTIFACT_REGISTRY_EMULATOR_HOST"
RESOURCE_MANAGER_HOST = "RESOURCE_MANAGER_EMULATOR_HOST"
PUBSUB_HOST = "PUBSUB_EMULATOR_HOST"
EMULATOR_HOST_VARIABLES = (
    SECRET_MANAGER_HOST,
    ARTIFACT_REGISTRY_HOST,
    RESOURCE_MANAGER_HOST,
    PUBSUB_HOST,
)


USER_AGENT = f"ar-token-rotator/{__version__}"
# The operator's command line, told apart from the function in Google's request logs.
CLI_USER_AGENT = f"ar-token-rotator-cli/{__version__}"


def user_agent() -> str:
    """Names this tool in Google's and the upstreams' request logs (and the emulator's, where
    tests set AR_TOKEN_ROTATOR_USER_AGENT to tell their own calls from the function's)."""
    return os.environ.get("AR_TOKEN_ROTATOR_USER_AGENT", USER_AGENT)


def _build(client_class: type[ClientT], transport_class: Any, env_variable: str) -> ClientT:
    client_info = ClientInfo(user_agent=user_agent())  # type: ignore[no-untyped-call]
    host = os.environ.get(env_variable)
    if not host:
        return client_class(client_info=client_info)  # type: ignore[call-arg]
    channel = _emulator_channel(host)
    transport = transport_class(
        channel=channel,
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_info=client_info,
    )
    return client_class(transport=transport)  # type: ignore[call-arg]


def _emulator_channel(host: str) -> grpc.Channel:
    """The channel to an emulator. With GOOGLE_APPLICATION_CREDENTIALS set (a service-account
    key file whose token URI is the emulator's), google-auth's own flow runs: the channel carries
    the account's access token, over gRPC's local credentials (a secure channel on loopback; gRPC
    sends call credentials over secure channels only). Without it: an insecure, anonymous channel.
    Only the explicit file counts: the rest of ADC's search (gcloud's file, the metadata server)
    would find a real Google identity, or wait for a metadata server that is not there."""
    key_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not key_file:
        return grpc.insecure_channel(host)
    credentials, _ = google.auth.load_credentials_from_file(  # type: ignore[no-untyped-call]
        key_file, scopes=[CLOUD_PLATFORM_SCOPE]
    )
    return secure_authorized_channel(
        credentials,
        Request(),  # type: ignore[no-untyped-call]
        host,
        ssl_credentials=grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
    )


@functools.cache
def secret_manager() -> secretmanager_v1.SecretManagerServiceClient:
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    return _build(
        secretmanager_v1.SecretManagerServiceClient,
        SecretManagerServiceGrpcTransport,
        SECRET_MANAGER_HOST,
    )


@functools.cache
def artifact_registry() -> artifactregistry_v1.ArtifactRegistryClient:
    from google.cloud.artifactregistry_v1.services.artifact_registry.transports import (
        ArtifactRegistryGrpcTransport,
    )

    return _build(
        artifactregistry_v1.ArtifactRegistryClient,
        ArtifactRegistryGrpcTransport,
        ARTIFACT_REGISTRY_HOST,
    )


@functools.cache
def projects() -> resourcemanager_v3.ProjectsClient:
    from google.cloud.resourcemanager_v3.services.projects.transports import ProjectsGrpcTransport

    return _build(resourcemanager_v3.ProjectsClient, ProjectsGrpcTransport, RESOURCE_MANAGER_HOST)


@functools.cache
def publisher() -> Any:
    """Pub/Sub's publisher: the command line's `republish`, and the audit's topic reads. Imported
    only when first used, so the function's cold start does not load google-cloud-pubsub
    (ModuleNotFoundError where it is not installed)."""
    from google.pubsub_v1 import PublisherClient
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

    return _build(PublisherClient, PublisherGrpcTransport, PUBSUB_HOST)


def reset() -> None:
    """Forget the cached clients (tests that move the emulator between hosts call this)."""
    for factory in (secret_manager, artifact_registry, projects, publisher):
        factory.cache_clear()
