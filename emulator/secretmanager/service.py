"""google.cloud.secretmanager.v1.SecretManagerService: its RPC table under one lock, and the
in-process API other emulated services and tests use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from google.cloud import secretmanager_v1 as sm
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf import empty_pb2

from emulator.core import Clock, Projects
from emulator.grpc_server import Rpc
from emulator.pubsub import PubSub
from emulator.secretmanager.iam_policy import PolicyRpcs
from emulator.secretmanager.notifications import Notifier
from emulator.secretmanager.schedule import Schedule, run_due
from emulator.secretmanager.secrets import SecretRpcs
from emulator.secretmanager.table import SecretTable
from emulator.secretmanager.versions import VersionRpcs

T = TypeVar("T")
_Handler = Callable[[Any], Any]


def _rpc_table(
    secrets: SecretRpcs, versions: VersionRpcs, policies: PolicyRpcs
) -> list[tuple[str, Any, Any, _Handler]]:
    """(method, request type, response type, handler) for every method served."""
    return [
        ("CreateSecret", sm.CreateSecretRequest, sm.Secret, secrets.create_secret),
        ("GetSecret", sm.GetSecretRequest, sm.Secret, secrets.get_secret),
        ("ListSecrets", sm.ListSecretsRequest, sm.ListSecretsResponse, secrets.list_secrets),
        ("UpdateSecret", sm.UpdateSecretRequest, sm.Secret, secrets.update_secret),
        ("DeleteSecret", sm.DeleteSecretRequest, empty_pb2.Empty, secrets.delete_secret),
        ("AddSecretVersion", sm.AddSecretVersionRequest, sm.SecretVersion, versions.add_version),
        ("GetSecretVersion", sm.GetSecretVersionRequest, sm.SecretVersion, versions.get_version),
        (
            "AccessSecretVersion",
            sm.AccessSecretVersionRequest,
            sm.AccessSecretVersionResponse,
            versions.access_version,
        ),
        (
            "ListSecretVersions",
            sm.ListSecretVersionsRequest,
            sm.ListSecretVersionsResponse,
            versions.list_versions,
        ),
        ("EnableSecretVersion", sm.EnableSecretVersionRequest, sm.SecretVersion, versions.enable),
        (
            "DisableSecretVersion",
            sm.DisableSecretVersionRequest,
            sm.SecretVersion,
            versions.disable,
        ),
        (
            "DestroySecretVersion",
            sm.DestroySecretVersionRequest,
            sm.SecretVersion,
            versions.destroy,
        ),
        (
            "GetIamPolicy",
            iam_policy_pb2.GetIamPolicyRequest,
            policy_pb2.Policy,
            policies.get_policy,
        ),
        (
            "SetIamPolicy",
            iam_policy_pb2.SetIamPolicyRequest,
            policy_pb2.Policy,
            policies.set_policy,
        ),
        (
            "TestIamPermissions",
            iam_policy_pb2.TestIamPermissionsRequest,
            iam_policy_pb2.TestIamPermissionsResponse,
            policies.test_permissions,
        ),
    ]


class SecretManager:
    """google.cloud.secretmanager.v1.SecretManagerService, global secrets only; one lock."""

    service_name = "google.cloud.secretmanager.v1.SecretManagerService"

    def __init__(self, clock: Clock, projects: Projects, pubsub: PubSub) -> None:
        self._lock = threading.Lock()
        self._table = SecretTable(clock, projects)
        self._notifier = Notifier(clock, pubsub)
        self._schedule = Schedule(self._table, self._notifier)
        self._secret_rpcs = SecretRpcs(self._table, self._notifier)
        self._version_rpcs = VersionRpcs(self._table, self._notifier)
        self._policy_rpcs = PolicyRpcs(self._table)
        clock.on_change(self.run_scheduler)
        pubsub.on_topic_created(self.run_scheduler)

    @property
    def aliases_of_retired(self) -> str:
        """ALIASES_ANY_STATE or ALIASES_ENABLED_ONLY (emulator.secretmanager.model)."""
        return self._table.aliases_of_retired

    @aliases_of_retired.setter
    def aliases_of_retired(self, value: str) -> None:
        self._table.aliases_of_retired = value

    def rpcs(self) -> Sequence[Rpc]:
        methods = _rpc_table(self._secret_rpcs, self._version_rpcs, self._policy_rpcs)
        return [
            Rpc(name, req, resp, self._serialized(handler)) for name, req, resp, handler in methods
        ]

    def run_scheduler(self) -> None:
        """Announce due rotations, expire secrets, finish scheduled destructions."""
        with self._lock:
            run_due(self._table, self._notifier)

    def payloads(self) -> set[str]:
        """Every payload added since the last reset, destroyed ones included, as text: the values
        tests scan their output for."""
        with self._lock:
            return set(self._table.payloads)

    def version_states(self, secret: str) -> dict[int, str]:
        """Version number -> state name, read in process without an API call (for test observers)."""
        with self._lock:
            entry = self._table.entry(secret)
            return {number: v.version.state.name for number, v in entry.versions.items()}

    def payload(self, version_name: str) -> bytes:
        """A version's payload, read in process for a caller already authorized (Artifact
        Registry's service agent): only while the version is enabled, as AccessSecretVersion."""
        with self._lock:
            self._schedule.run()
            request = sm.AccessSecretVersionRequest(name=version_name)
            return self._version_rpcs.access_version(request).payload.data

    def iam_policy(self, secret: str) -> policy_pb2.Policy | None:
        """A copy of the secret's IAM policy, None when there is no such secret (for IAM checks)."""
        with self._lock:
            return self._policy_rpcs.policy_or_none(secret)

    def grant(self, secret: str, role: str, member: str) -> None:
        """Add a binding of `role` for `member` to the secret's policy, as an administrator would."""
        with self._lock:
            self._policy_rpcs.grant(secret, role, member)

    def version_data(self, secret: str, number: int) -> bytes | None:
        """A version's payload, read in process (for test observers); None once destroyed."""
        with self._lock:
            version = self._table.entry(secret).versions.get(number)
            return None if version is None else version.data

    def secrets(self) -> list[sm.Secret]:
        """Copies of every stored secret, annotations and labels included (for tests)."""
        with self._lock:
            return [sm.Secret(entry.secret) for entry in self._table.secrets.values()]

    def undelivered(self) -> int:
        """How many notifications wait for their topic (for tests)."""
        with self._lock:
            return self._notifier.undelivered()

    def reset(self) -> None:
        with self._lock:
            self._table.reset()
            self._notifier.reset()

    def _serialized(self, handler: Callable[[Any], T]) -> Callable[[Any], T]:
        """The handler under the lock, after whatever time made due."""

        def call(request: Any) -> T:
            with self._lock:
                self._schedule.run()
                return handler(request)

        return call
