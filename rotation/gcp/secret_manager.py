"""Thin adapter over Secret Manager: the few operations a rotation needs, in its own terms."""

from __future__ import annotations

from typing import Any

import google_crc32c
from google.api_core import exceptions as google_exceptions
from google.cloud import secretmanager_v1
from google.iam.v1 import policy_pb2
from google.protobuf import field_mask_pb2, json_format

from rotation.core.errors import RotationBusy, SecretChanged, TransientError
from rotation.core.model import SecretSnapshot, VersionInfo, version_number
from rotation.core.token import Token
from rotation.gcp import clients
from rotation.gcp.deadlines import DEFAULT_POLICIES, CallPolicies
from rotation.gcp.errors import google_call


class SecretStore:
    def __init__(self, client: Any = None, calls: CallPolicies = DEFAULT_POLICIES) -> None:
        self._client = client or clients.secret_manager()
        self._read = calls.read.options()
        self._idempotent_write = calls.idempotent_write.options()
        self._write = calls.write.options()

    def get(self, name: str) -> SecretSnapshot:
        with google_call(f"reading secret {name}"):
            return _snapshot(self._client.get_secret(name=name, **self._read))

    def notification_body(self, name: str) -> dict[str, Any]:
        """The secret as Secret Manager's notifications carry it: its proto3 JSON (camelCase)."""
        with google_call(f"reading secret {name}"):
            secret = self._client.get_secret(name=name, **self._read)
        return dict(json_format.MessageToDict(secretmanager_v1.Secret.pb(secret)))

    def in_project(self, project: str) -> list[SecretSnapshot]:
        """Every secret of a project (for the operator's command line; the function lists none)."""
        with google_call(f"listing the secrets of project {project}"):
            found = self._client.list_secrets(parent=f"projects/{project}", **self._read)
            return [_snapshot(s) for s in found]

    def write(
        self,
        snapshot: SecretSnapshot,
        annotations: dict[str, str] | None = None,
        aliases: dict[str, int] | None = None,
    ) -> SecretSnapshot:
        """Replace annotations and/or aliases if nobody changed the secret since `snapshot`."""
        secret = secretmanager_v1.Secret(name=snapshot.name, etag=snapshot.etag)
        paths = []
        if annotations is not None:
            secret.annotations = annotations
            paths.append("annotations")
        if aliases is not None:
            secret.version_aliases = aliases
            paths.append("version_aliases")
        with google_call(f"updating secret {snapshot.name}"):
            try:
                updated = self._client.update_secret(
                    secret=secret, update_mask=field_mask_pb2.FieldMask(paths=paths), **self._write
                )
            except (google_exceptions.FailedPrecondition, google_exceptions.Aborted):
                raise SecretChanged(
                    f"secret {snapshot.name} changed while this delivery worked on it"
                ) from None
        return _snapshot(updated)

    def add_version(self, name: str, token: Token) -> int:
        data = token.reveal().encode()
        with google_call(f"adding a version to secret {name}"):
            version = self._client.add_secret_version(
                parent=name,
                payload=secretmanager_v1.SecretPayload(
                    data=data, data_crc32c=google_crc32c.value(data)
                ),
                **self._write,
            )
        return version_number(version.name)

    def access(self, version_name: str) -> Token:
        return self.read(version_name)[1]

    def read(self, version_name: str) -> tuple[str, Token]:
        """The version's name as Secret Manager answers it (`latest` or an alias resolved to a
        number) and its token."""
        with google_call(f"reading secret version {version_name}"):
            response = self._client.access_secret_version(name=version_name, **self._read)
        data = response.payload.data
        if (
            response.payload.data_crc32c
            and google_crc32c.value(data) != response.payload.data_crc32c
        ):
            raise TransientError(
                f"secret version {version_name} arrived corrupted (crc32c mismatch)"
            )
        return response.name or version_name, Token(data.decode())

    def versions(self, name: str) -> list[VersionInfo]:
        """Every version, destroyed ones included (they still hold their number), newest first."""
        enabled = secretmanager_v1.SecretVersion.State.ENABLED
        with google_call(f"listing versions of secret {name}"):
            versions = self._client.list_secret_versions(parent=name, **self._read)
            found = [
                VersionInfo(
                    version_number(v.name), v.state == enabled, v.state.name, v.create_time or None
                )
                for v in versions
            ]
        return sorted(found, key=lambda v: v.number, reverse=True)

    def retire_version(self, version_name: str, destroy: bool) -> None:
        """Disable the version, or destroy it where the secret's destroy TTL makes that a delay."""
        with google_call(f"retiring secret version {version_name}"):
            try:
                if destroy:
                    self._client.destroy_secret_version(name=version_name, **self._idempotent_write)
                else:
                    self._client.disable_secret_version(name=version_name, **self._idempotent_write)
            except google_exceptions.FailedPrecondition as refused:
                refusal = str(refused.message)
            else:
                return
        # Already disabled or destroyed answers FAILED_PRECONDITION too: only that counts as done.
        number = version_number(version_name)
        secret = version_name.rsplit("/versions/", 1)[0]
        if any(v.number == number and v.enabled for v in self.versions(secret)):
            raise TransientError(f"retiring secret version {version_name} was refused: {refusal}")

    def get_policy(self, name: str) -> policy_pb2.Policy:
        with google_call(f"reading the IAM policy of secret {name}"):
            return self._client.get_iam_policy(
                request={"resource": name, "options": {"requested_policy_version": 3}},
                **self._read,
            )

    def set_policy(self, name: str, policy: policy_pb2.Policy) -> policy_pb2.Policy:
        with google_call(f"writing the IAM policy of secret {name}"):
            try:
                return self._client.set_iam_policy(
                    request={"resource": name, "policy": policy}, **self._write
                )
            except (google_exceptions.Aborted, google_exceptions.FailedPrecondition):
                raise RotationBusy(
                    f"the IAM policy of secret {name} changed while it was being edited"
                ) from None


def _snapshot(secret: secretmanager_v1.Secret) -> SecretSnapshot:
    rotation = secret.rotation if "rotation" in secret else None
    return SecretSnapshot(
        name=secret.name,
        etag=secret.etag,
        annotations=dict(secret.annotations),
        aliases={alias: int(version) for alias, version in secret.version_aliases.items()},
        rotation_period=rotation.rotation_period or None if rotation else None,
        destroys_with_ttl="version_destroy_ttl" in secret and bool(secret.version_destroy_ttl),
        next_rotation_time=rotation.next_rotation_time or None if rotation else None,
        topics=tuple(topic.name for topic in secret.topics),
    )
