"""The RPCs on secret versions: add, get, access, list, enable, disable and destroy."""

from __future__ import annotations

from typing import Any

import google_crc32c
from google.cloud import secretmanager_v1 as sm

from emulator.core import invalid
from emulator.secretmanager.listing import matches, page
from emulator.secretmanager.model import (
    ALIASES_ENABLED_ONLY,
    DESTROYED,
    DISABLED,
    ENABLED,
    StoredSecret,
    StoredVersion,
)
from emulator.secretmanager.notifications import Notifier
from emulator.secretmanager.table import VERSION_NAME, SecretTable
from emulator.secretmanager.validation import check_etag, failed_precondition

MAX_PAYLOAD_BYTES = 64 * 1024


def crc32c(data: bytes) -> int:
    return int(google_crc32c.value(data))


def replication_status(replication: sm.Replication) -> sm.ReplicationStatus:
    """A new version's status mirrors its secret's replication: one status per user-managed
    replica (`SecretVersion.replication_status`, resources.proto), or automatic."""
    if "user_managed" in replication:
        replicas = [
            sm.ReplicationStatus.UserManagedStatus.ReplicaStatus(location=replica.location)
            for replica in replication.user_managed.replicas
        ]
        return sm.ReplicationStatus(
            user_managed=sm.ReplicationStatus.UserManagedStatus(replicas=replicas)
        )
    return sm.ReplicationStatus(automatic=sm.ReplicationStatus.AutomaticStatus())


class VersionRpcs:
    """Handlers of the version RPCs; the caller holds the service's lock around every call."""

    def __init__(self, table: SecretTable, notifier: Notifier) -> None:
        self._table = table
        self._notifier = notifier

    def add_version(self, request: sm.AddSecretVersionRequest) -> sm.SecretVersion:
        entry = self._table.entry(request.parent)
        payload = request.payload
        if len(payload.data) > MAX_PAYLOAD_BYTES:
            raise invalid(f"Secret payload is larger than the limit of {MAX_PAYLOAD_BYTES} bytes.")
        checksum = "data_crc32c" in payload
        if checksum and payload.data_crc32c != crc32c(payload.data):
            raise invalid("Data integrity check failed: checksum mismatch (payload.data_crc32c).")
        entry.last_number += 1
        version = StoredVersion(
            sm.SecretVersion(
                name=f"{entry.secret.name}/versions/{entry.last_number}",
                create_time=self._table.clock.now(),
                state=ENABLED,
                etag=self._table.etag(),
                client_specified_payload_checksum=checksum,
                replication_status=replication_status(entry.secret.replication),
            ),
            payload.data,
        )
        entry.versions[entry.last_number] = version
        self._table.payloads.add(payload.data.decode(errors="replace"))
        self._notifier.publish_version(entry, "SECRET_VERSION_ADD", version)
        return sm.SecretVersion(version.version)

    def get_version(self, request: sm.GetSecretVersionRequest) -> sm.SecretVersion:
        return sm.SecretVersion(self._table.resolve(request.name)[1].version)

    def access_version(
        self, request: sm.AccessSecretVersionRequest
    ) -> sm.AccessSecretVersionResponse:
        _, version = self._table.resolve(request.name)
        if version.data is None or version.version.state != ENABLED:
            raise failed_precondition(
                f"Secret Version [{version.version.name}] is in {version.version.state.name} state."
            )
        return sm.AccessSecretVersionResponse(
            name=version.version.name,
            payload=sm.SecretPayload(data=version.data, data_crc32c=crc32c(version.data)),
        )

    def list_versions(self, request: sm.ListSecretVersionsRequest) -> sm.ListSecretVersionsResponse:
        entry = self._table.entry(request.parent)
        versions = [
            v.version
            for _, v in sorted(entry.versions.items(), reverse=True)
            if matches(request.filter, {"name": v.version.name, "state": v.version.state.name})
        ]
        found, token = page(versions, request.page_size, request.page_token)
        return sm.ListSecretVersionsResponse(
            versions=[sm.SecretVersion(v) for v in found],
            next_page_token=token,
            total_size=len(versions),
        )

    def enable(self, request: sm.EnableSecretVersionRequest) -> sm.SecretVersion:
        return self._set_state(request, ENABLED, "SECRET_VERSION_ENABLE")

    def disable(self, request: sm.DisableSecretVersionRequest) -> sm.SecretVersion:
        self._changeable(request.name, request.etag)
        self._refuse_if_aliased(request.name)
        return self._set_state(request, DISABLED, "SECRET_VERSION_DISABLE")

    def destroy(self, request: sm.DestroySecretVersionRequest) -> sm.SecretVersion:
        """With the secret's version_destroy_ttl set, only disable and schedule the destruction."""
        entry, version = self._changeable(request.name, request.etag)
        self._refuse_if_aliased(request.name)
        now = self._table.clock.now()
        ttl = entry.secret.version_destroy_ttl
        if ttl:
            version.version.state = DISABLED
            version.version.scheduled_destroy_time = now + ttl
            version.version.etag = self._table.etag()
            self._notifier.publish_version(entry, "SECRET_VERSION_DESTROY_SCHEDULED", version)
        else:
            version.destroy(now, self._table.etag())
            self._notifier.publish_version(entry, "SECRET_VERSION_DESTROY", version)
        return sm.SecretVersion(version.version)

    def _changeable(self, name: str, etag: str) -> tuple[StoredSecret, StoredVersion]:
        """The version a state call names, by number only, after its etag check; a destroyed
        one is final. Enable, Disable and Destroy document only `projects/*/secrets/*/versions/*`,
        and the Secret proto says access by alias works on GetSecretVersion and
        AccessSecretVersion only."""
        match = VERSION_NAME.fullmatch(name)
        if match is not None and not match.group(2).isdigit():
            raise invalid(
                f"Invalid version name {name!r}: enable, disable and destroy take a version "
                "number, not an alias or `latest`."
            )
        entry, version = self._table.resolve(name)
        check_etag(etag, version.version.etag, version.version.name)
        if version.version.state == DESTROYED:
            raise failed_precondition(
                f"Secret Version [{version.version.name}] is in DESTROYED state."
            )
        return entry, version

    def _set_state(
        self, request: Any, state: sm.SecretVersion.State, event: str
    ) -> sm.SecretVersion:
        """Enable or disable; either one also cancels a scheduled destruction, as documented."""
        entry, version = self._changeable(request.name, request.etag)
        version.version.state = state
        del version.version.scheduled_destroy_time
        version.version.etag = self._table.etag()
        self._notifier.publish_version(entry, event, version)
        return sm.SecretVersion(version.version)

    def _refuse_if_aliased(self, name: str) -> None:
        """Under ALIASES_ENABLED_ONLY, a version an alias names may not be disabled or destroyed."""
        if self._table.aliases_of_retired != ALIASES_ENABLED_ONLY:
            return
        entry, version = self._table.resolve(name)
        number = int(version.version.name.rsplit("/", 1)[1])
        aliases = sorted(a for a, n in entry.secret.version_aliases.items() if n == number)
        if aliases:
            raise failed_precondition(
                f"Secret Version [{version.version.name}] is named by version alias(es) "
                f"{', '.join(aliases)}; move them first."
            )
