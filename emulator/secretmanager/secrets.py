"""The RPCs on secrets: CreateSecret, GetSecret, ListSecrets, UpdateSecret and DeleteSecret."""

from __future__ import annotations

import re

import grpc
from google.cloud import secretmanager_v1 as sm
from google.iam.v1 import policy_pb2
from google.protobuf import empty_pb2, field_mask_pb2

from emulator.core import ApiError, invalid
from emulator.secretmanager.listing import matches, page
from emulator.secretmanager.model import ALIASES_ENABLED_ONLY, ENABLED, StoredSecret
from emulator.secretmanager.notifications import Notifier
from emulator.secretmanager.table import SecretTable
from emulator.secretmanager.validation import check_etag, failed_precondition, validate_secret

UPDATABLE_PATHS = frozenset(
    {
        "labels",
        "annotations",
        "version_aliases",
        "topics",
        "rotation",
        "rotation.next_rotation_time",
        "rotation.rotation_period",
        "version_destroy_ttl",
        "expire_time",
        "ttl",
    }
)

_PARENT = re.compile(r"projects/([^/]+)")
_SECRET_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")


def _parent_project(parent: str) -> str:
    """The project id or number of a `projects/*` parent."""
    match = _PARENT.fullmatch(parent)
    if match is None:
        raise invalid(f"Invalid parent {parent!r}: expected projects/*.")
    return match.group(1)


class SecretRpcs:
    """Handlers of the secret RPCs; the caller holds the service's lock around every call."""

    def __init__(self, table: SecretTable, notifier: Notifier) -> None:
        self._table = table
        self._notifier = notifier

    def create_secret(self, request: sm.CreateSecretRequest) -> sm.Secret:
        project = _parent_project(request.parent)
        if not _SECRET_ID.fullmatch(request.secret_id):
            raise invalid(f"Invalid secret_id {request.secret_id!r}.")
        number = self._table.projects.resolve(project).number
        name = f"projects/{number}/secrets/{request.secret_id}"
        if name in self._table.secrets:
            raise ApiError(grpc.StatusCode.ALREADY_EXISTS, f"Secret [{name}] already exists.")
        secret = sm.Secret(request.secret)
        replication = secret.replication
        if "automatic" not in replication and "user_managed" not in replication:
            raise invalid("Secret.replication is required.")
        now = self._table.clock.now()
        if "ttl" in secret:
            secret.expire_time = now + secret.ttl
        validate_secret(secret, (), now, new_rotation=True)
        secret.name, secret.create_time, secret.etag = name, now, self._table.etag()
        entry = StoredSecret(secret, policy_pb2.Policy(version=1, etag=self._table.policy_etag()))
        self._table.secrets[name] = entry
        self._notifier.configure_topics(entry, ())
        self._notifier.publish(entry, "SECRET_CREATE", secret)
        return sm.Secret(secret)

    def get_secret(self, request: sm.GetSecretRequest) -> sm.Secret:
        return sm.Secret(self._table.entry(request.name).secret)

    def list_secrets(self, request: sm.ListSecretsRequest) -> sm.ListSecretsResponse:
        number = self._table.projects.resolve(_parent_project(request.parent)).number
        prefix = f"projects/{number}/secrets/"
        secrets = [
            entry.secret
            for name, entry in self._table.secrets.items()
            if name.startswith(prefix)
            and matches(
                request.filter,
                {"name": name, **{f"labels.{k}": v for k, v in entry.secret.labels.items()}},
                prefixes=("labels.",),
            )
        ]
        found, token = page(secrets, request.page_size, request.page_token)
        return sm.ListSecretsResponse(
            secrets=[sm.Secret(s) for s in found], next_page_token=token, total_size=len(secrets)
        )

    def update_secret(self, request: sm.UpdateSecretRequest) -> sm.Secret:
        entry = self._table.entry(request.secret.name)
        paths = list(request.update_mask.paths)
        if not paths:
            raise invalid("update_mask is required.")
        unsupported = sorted(set(paths) - UPDATABLE_PATHS)
        if unsupported:
            raise invalid(f"Unsupported update_mask paths: {', '.join(unsupported)}.")
        check_etag(request.secret.etag, entry.secret.etag, entry.secret.name)
        now = self._table.clock.now()
        source = sm.Secret(request.secret)
        if "ttl" in paths:
            paths = ["expire_time" if path == "ttl" else path for path in paths]
            if "ttl" in source:
                source.expire_time = now + source.ttl
        updated = sm.Secret(entry.secret)
        field_mask_pb2.FieldMask(paths=paths).MergeMessage(
            sm.Secret.pb(source),
            sm.Secret.pb(updated),
            replace_message_field=True,
            replace_repeated_field=True,
        )
        new_rotation = bool({"rotation", "rotation.next_rotation_time"} & set(paths))
        validate_secret(updated, entry.versions.keys(), now, new_rotation)
        if "version_aliases" in paths:
            self._refuse_aliases_of_retired(entry, updated)
        before = {topic.name for topic in entry.secret.topics}
        updated.etag = self._table.etag()
        entry.secret = updated
        self._notifier.configure_topics(entry, before)
        self._notifier.publish(entry, "SECRET_UPDATE", updated)
        return sm.Secret(updated)

    def delete_secret(self, request: sm.DeleteSecretRequest) -> empty_pb2.Empty:
        entry = self._table.entry(request.name)
        check_etag(request.etag, entry.secret.etag, entry.secret.name)
        del self._table.secrets[entry.secret.name]
        self._notifier.publish(entry, "SECRET_DELETE", entry.secret, {"deleteType": "REQUESTED"})
        return empty_pb2.Empty()

    def _refuse_aliases_of_retired(self, entry: StoredSecret, updated: sm.Secret) -> None:
        """Under ALIASES_ENABLED_ONLY, an alias may name an enabled version only."""
        if self._table.aliases_of_retired != ALIASES_ENABLED_ONLY:
            return
        for alias, number in updated.version_aliases.items():
            state = entry.versions[number].version.state
            if state != ENABLED:
                raise failed_precondition(
                    f"Version alias {alias!r} cannot point to version {number}, which is in "
                    f"{state.name} state."
                )
