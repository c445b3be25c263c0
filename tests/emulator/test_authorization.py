"""The emulator enforces IAM on every call: who calls comes from what the real clients send (a
bearer token from a service-account key file whose token URI is the emulator), and each RPC
needs its permission on the resource, its project or the organization."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.api_core import exceptions
from google.auth import exceptions as auth_exceptions
from google.auth.transport.requests import Request
from google.cloud import artifactregistry_v1, secretmanager_v1
from google.iam.v1 import policy_pb2
from google.oauth2 import service_account

from emulator import Emulator
from rotation.gcp import clients
from tests.module_grants import MODULE_GRANTS
from tests.support import LOCATION, PROJECT, World, repository_name

CALLER = f"caller@{PROJECT}.iam.gserviceaccount.com"
MEMBER = f"serviceAccount:{CALLER}"


@pytest.fixture
def world(emulator: Emulator) -> World:
    return World(emulator)


@pytest.fixture
def caller(
    emulator, tmp_path, monkeypatch
) -> Iterator[secretmanager_v1.SecretManagerServiceClient]:
    """A Secret Manager client that calls as serviceAccount:CALLER (built after the world's
    administrator clients, which stay anonymous)."""
    key = emulator.credential_file(CALLER, tmp_path / "caller.json")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    clients.reset()
    yield clients.secret_manager()
    clients.reset()


def _secret(world: World) -> str:
    return world.secret("guarded", payload="x" * 20, rotation=False)


def test_a_caller_without_a_role_is_refused_in_googles_words(world, caller):
    secret = _secret(world)
    with pytest.raises(exceptions.PermissionDenied) as refused:
        caller.add_secret_version(parent=secret, payload={"data": b"y" * 20})
    assert refused.value.message == (
        f"Permission 'secretmanager.versions.add' denied for resource '{secret}'"
        " (or it may not exist)."
    )


def test_a_missing_secret_looks_the_same_as_a_forbidden_one(world, caller):
    missing = f"projects/{PROJECT}/secrets/no-such-secret"
    with pytest.raises(exceptions.PermissionDenied, match=r"\(or it may not exist\)"):
        caller.get_secret(name=missing)


def test_the_modules_custom_role_read_from_terraform_allows_what_it_lists(emulator, world, caller):
    secret = _secret(world)
    MODULE_GRANTS.define_roles(emulator, PROJECT, grant_access=False)
    role = MODULE_GRANTS.role_name(PROJECT, "secret", grant_access=False)
    emulator.secret_manager.grant(secret, role, MEMBER)

    caller.add_secret_version(parent=secret, payload={"data": b"y" * 20})
    caller.get_iam_policy(request={"resource": secret})
    with pytest.raises(
        exceptions.PermissionDenied, match=re.escape("secretmanager.secrets.setIamPolicy")
    ):
        caller.set_iam_policy(request={"resource": secret, "policy": {}})
    with pytest.raises(
        exceptions.PermissionDenied, match=re.escape("secretmanager.secrets.delete")
    ):
        caller.delete_secret(name=secret)


def test_a_grant_on_the_project_reaches_its_secrets(emulator, world, caller):
    secret = _secret(world)
    emulator.resource_manager.grant(PROJECT, "roles/secretmanager.secretAccessor", MEMBER)
    assert caller.access_secret_version(name=f"{secret}/versions/1").payload.data == b"x" * 20


def test_a_conditional_binding_grants_nothing(emulator, world, caller):
    secret = _secret(world)
    policy = world.sm.get_iam_policy(request={"resource": secret})
    policy.bindings.add(
        role="roles/secretmanager.secretAccessor",
        members=[MEMBER],
        condition={"expression": "true", "title": "always"},
    )
    world.sm.set_iam_policy(request={"resource": secret, "policy": policy})
    with pytest.raises(exceptions.PermissionDenied):
        caller.access_secret_version(name=f"{secret}/versions/1")


def test_a_repository_policy_grants_on_that_repository_only(emulator, world, tmp_path, monkeypatch):
    secret = _secret(world)
    granted, other = repository_name("granted"), repository_name("other")
    for name in (granted, other):
        world.repository(name, f"{secret}/versions/1", disable_upstream_validation=True)
    policy = world.ar.get_iam_policy(request={"resource": granted})
    policy.bindings.append(
        policy_pb2.Binding(role="roles/artifactregistry.reader", members=[MEMBER])
    )
    world.ar.set_iam_policy(request={"resource": granted, "policy": policy})
    key = emulator.credential_file(CALLER, tmp_path / "caller.json")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    clients.reset()
    ar = clients.artifact_registry()

    assert ar.get_repository(name=granted).name == granted
    with pytest.raises(
        exceptions.PermissionDenied, match=re.escape("artifactregistry.repositories.get")
    ):
        ar.get_repository(name=other)
    with pytest.raises(
        exceptions.PermissionDenied, match=re.escape("artifactregistry.repositories.update")
    ):
        ar.update_repository(
            repository=artifactregistry_v1.Repository(name=granted, description="x"),
            update_mask={"paths": ["description"]},
        )
    with pytest.raises(
        exceptions.PermissionDenied, match=re.escape("artifactregistry.repositories.list")
    ):
        ar.list_repositories(parent=f"projects/{PROJECT}/locations/{LOCATION}")


def test_without_an_anonymous_principal_a_call_without_credentials_is_unauthenticated(
    monkeypatch,
):
    with Emulator(anonymous=None) as strict:
        for name, value in strict.env().items():
            monkeypatch.setenv(name, value)
        clients.reset()
        with pytest.raises(exceptions.Unauthenticated, match="missing required authentication"):
            clients.secret_manager().list_secrets(parent=f"projects/{PROJECT}")
    clients.reset()


def test_a_token_the_emulator_never_issued_is_unauthenticated(emulator):
    import grpc
    from google.auth.transport.grpc import secure_authorized_channel
    from google.oauth2.credentials import Credentials

    channel = secure_authorized_channel(
        Credentials(token="never-issued"),
        Request(),
        emulator.grpc_target,
        ssl_credentials=grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
    )
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    client = secretmanager_v1.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=channel)
    )
    with pytest.raises(exceptions.Unauthenticated, match="invalid authentication credentials"):
        client.list_secrets(parent=f"projects/{PROJECT}")


def test_a_key_the_emulator_did_not_issue_gets_no_token(emulator, tmp_path: Path):
    issued = json.loads(emulator.credential_file(CALLER, tmp_path / "a.json").read_text())
    other = json.loads(emulator.credential_file(CALLER, tmp_path / "b.json").read_text())
    forged = {**issued, "private_key": other["private_key"]}  # key id of one, key of the other
    credentials = service_account.Credentials.from_service_account_info(
        forged, scopes=[clients.CLOUD_PLATFORM_SCOPE]
    )
    with pytest.raises(auth_exceptions.RefreshError, match="invalid_grant"):
        credentials.refresh(Request())
    genuine = service_account.Credentials.from_service_account_info(
        issued, scopes=[clients.CLOUD_PLATFORM_SCOPE]
    )
    genuine.refresh(Request())
    assert emulator.identities.principal(genuine.token) == MEMBER
