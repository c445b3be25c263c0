"""Secret Manager v1: secrets, versions, aliases, etags, IAM, notifications and rotation schedule.

Every mutating call publishes the notification the real service sends to each of the secret's
topics (see shared/reference/google-cloud.md). Names are answered with the project NUMBER.

Time-driven work (rotation announcements, expiry, delayed version destruction) runs whenever
the emulator clock moves, at the start of every call, and on `run_scheduler()`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import google_crc32c
import grpc
from google.cloud import secretmanager_v1 as sm
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf import empty_pb2, field_mask_pb2, json_format

from emulator.core import ApiError, Clock, Projects, invalid
from emulator.grpc_server import Rpc
from emulator.iam import check_binding, copy_policy, updated_policy
from emulator.pubsub import PubSub

State = sm.SecretVersion.State
# mypy reads proto-plus enum members as plain ints; these are typed as the enum.
ENABLED, DISABLED, DESTROYED = State(State.ENABLED), State(State.DISABLED), State(State.DESTROYED)
T = TypeVar("T")
# Whether an alias may point at a DISABLED or DESTROYED version is undocumented (FIDELITY.md):
# ALIASES_ANY_STATE lets it; ALIASES_ENABLED_ONLY refuses an alias update naming such a version,
# and disabling or destroying a version an alias names. Tests run the function under both.
ALIASES_ANY_STATE = "any-state"
ALIASES_ENABLED_ONLY = "enabled-only"

MAX_PAYLOAD_BYTES = 64 * 1024
MAX_TOPICS = 10
MAX_ALIASES = 50
MAX_LABELS = 64
MAX_ANNOTATIONS_BYTES = 16 * 1024
MAX_PAGE_SIZE = 25_000
# With page_size 0 "the server decides the number of results to return" (ListSecretsRequest,
# ListSecretVersionsRequest): a small page makes every caller page, as it must in production.
DEFAULT_PAGE_SIZE = 10
MIN_ROTATION_LEAD = timedelta(minutes=5)
MIN_ROTATION_PERIOD = timedelta(hours=1)
MAX_ROTATION_PERIOD = timedelta(seconds=3_153_600_000)  # 100 years
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
_SECRET_NAME = re.compile(r"projects/([^/]+)/secrets/([^/]+)")
_VERSION_NAME = re.compile(r"(projects/[^/]+/secrets/[^/]+)/versions/([^/]+)")
_SECRET_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")
_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
_ANNOTATION_KEY = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")
_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")
_TOPIC = re.compile(r"projects/[^/]+/topics/[^/]+")
_FILTER_TERM = re.compile(r"(-)?([A-Za-z0-9_.-]+)([:=])(.+)")


@dataclass
class _Version:
    version: sm.SecretVersion
    data: bytes | None  # None once destroyed


@dataclass
class _Secret:
    secret: sm.Secret
    policy: policy_pb2.Policy
    versions: dict[int, _Version] = field(default_factory=dict)
    last_number: int = 0


def crc32c(data: bytes) -> int:
    return int(google_crc32c.value(data))


def _to_json(message: Any) -> bytes:
    """Proto3 JSON (camelCase, enum names), as in a notification body."""
    return str(json_format.MessageToJson(type(message).pb(message), indent=None)).encode()


def _failed_precondition(message: str) -> ApiError:
    return ApiError(grpc.StatusCode.FAILED_PRECONDITION, message)


def _check_etag(given: str, current: str, name: str) -> None:
    if given and given != current:
        raise _failed_precondition(
            f"The etag {given} does not match the current etag {current} of [{name}]."
        )


def _page(items: list[T], page_size: int, page_token: str) -> tuple[list[T], str]:
    if not 0 <= page_size <= MAX_PAGE_SIZE:
        raise invalid(f"page_size must be between 0 and {MAX_PAGE_SIZE}.")
    if page_token and not page_token.isdigit():
        raise invalid("Invalid page token.")
    start = int(page_token or 0)
    end = start + (page_size or DEFAULT_PAGE_SIZE)
    return items[start:end], str(end) if end < len(items) else ""


def _matches(expression: str, fields: Mapping[str, str], prefixes: tuple[str, ...] = ()) -> bool:
    """A small part of the list filter syntax: `key:value` (contains) and `key=value` terms,
    each optionally negated with `NOT` or `-`, all ANDed. Unknown keys are INVALID_ARGUMENT."""
    negate = False
    for word in expression.split():
        if word in ("AND", "NOT"):
            negate = word == "NOT"
            continue
        term = _FILTER_TERM.fullmatch(word)
        if term is None:
            raise invalid(f"Invalid filter: {expression}")
        minus, key, operator, value = term.groups()
        if key not in fields and not any(key.startswith(prefix) for prefix in prefixes):
            raise invalid(f"Invalid filter: unknown field {key}")
        actual, value = fields.get(key), value.strip('"')
        hit = actual is not None and (
            actual == value if operator == "=" else value.lower() in actual.lower()
        )
        if hit == (negate or bool(minus)):
            return False
        negate = False
    return True


def _validate(
    secret: sm.Secret, numbers: Collection[int], now: datetime, new_rotation: bool
) -> None:
    """Field rules of the real service; `new_rotation` checks next_rotation_time's 5-minute lead."""
    if len(secret.labels) > MAX_LABELS:
        raise invalid(f"A secret may have at most {MAX_LABELS} labels.")
    for key, value in secret.labels.items():
        if not _LABEL_KEY.fullmatch(key) or not _LABEL_VALUE.fullmatch(value):
            raise invalid(f"Invalid label {key}={value}.")
    for key in secret.annotations:
        if not _ANNOTATION_KEY.fullmatch(key):
            raise invalid(f"Invalid annotation key {key!r}.")
    size = sum(len(k.encode()) + len(v.encode()) for k, v in secret.annotations.items())
    if size >= MAX_ANNOTATIONS_BYTES:
        raise invalid("The total size of annotation keys and values must be less than 16 KiB.")
    _validate_aliases(secret.version_aliases, numbers)
    if len(secret.topics) > MAX_TOPICS:
        raise invalid(f"A secret may have at most {MAX_TOPICS} topics.")
    for topic in secret.topics:
        if not _TOPIC.fullmatch(topic.name):
            raise invalid(f"Invalid topic name {topic.name!r}: expected projects/*/topics/*.")
    _validate_rotation(secret, now, new_rotation)
    if "expire_time" in secret and secret.expire_time <= now:
        raise invalid("expire_time must be in the future.")
    if secret.version_destroy_ttl < timedelta(0):
        raise invalid("version_destroy_ttl must not be negative.")


def _validate_aliases(aliases: Mapping[str, int], numbers: Collection[int]) -> None:
    if len(aliases) > MAX_ALIASES:
        raise invalid(f"A secret may have at most {MAX_ALIASES} version aliases.")
    for alias, number in aliases.items():
        if not _ALIAS.fullmatch(alias) or alias in ("latest", "NEW"):
            raise invalid(f"Invalid version alias {alias!r}.")
        if number not in numbers:
            raise invalid(
                f"Version alias {alias!r} points to version {number}, which does not exist."
            )


def _validate_rotation(secret: sm.Secret, now: datetime, new_rotation: bool) -> None:
    rotation = secret.rotation
    if "rotation" not in secret or not (rotation.next_rotation_time or rotation.rotation_period):
        return
    if not secret.topics:
        raise invalid("A secret with a rotation policy must have at least one topic.")
    if rotation.rotation_period and not rotation.next_rotation_time:
        raise invalid("rotation.next_rotation_time must be set when rotation_period is set.")
    if rotation.rotation_period and not (
        MIN_ROTATION_PERIOD <= rotation.rotation_period <= MAX_ROTATION_PERIOD
    ):
        raise invalid("rotation.rotation_period must be between 3600s and 100 years.")
    if new_rotation and rotation.next_rotation_time < now + MIN_ROTATION_LEAD:
        raise invalid("rotation.next_rotation_time must be at least 5 minutes in the future.")


def _replication_status(replication: sm.Replication) -> sm.ReplicationStatus:
    if "user_managed" in replication:
        replicas = [
            sm.ReplicationStatus.UserManagedStatus.ReplicaStatus(location=replica.location)
            for replica in replication.user_managed.replicas
        ]
        return sm.ReplicationStatus(
            user_managed=sm.ReplicationStatus.UserManagedStatus(replicas=replicas)
        )
    return sm.ReplicationStatus(automatic=sm.ReplicationStatus.AutomaticStatus())


class SecretManager:
    """google.cloud.secretmanager.v1.SecretManagerService, global secrets only; one lock."""

    service_name = "google.cloud.secretmanager.v1.SecretManagerService"

    def __init__(self, clock: Clock, projects: Projects, pubsub: PubSub) -> None:
        self._clock = clock
        self._projects = projects
        self._pubsub = pubsub
        self._lock = threading.Lock()
        self._secrets: dict[str, _Secret] = {}  # canonical name -> secret, in creation order
        self._payloads: set[str] = set()
        self._last_stamp = 0
        # Notifications no topic took yet, oldest first: tried again before every call, on every
        # clock move and whenever a topic is created, instead of being dropped.
        self._undelivered: list[tuple[str, bytes, dict[str, str]]] = []
        self.aliases_of_retired = ALIASES_ANY_STATE
        clock.on_change(self.run_scheduler)
        pubsub.on_topic_created(self.run_scheduler)

    def rpcs(self) -> Sequence[Rpc]:
        table: list[tuple[str, Any, Any, Callable[[Any], Any]]] = [
            ("CreateSecret", sm.CreateSecretRequest, sm.Secret, self._create_secret),
            ("GetSecret", sm.GetSecretRequest, sm.Secret, self._get_secret),
            ("ListSecrets", sm.ListSecretsRequest, sm.ListSecretsResponse, self._list_secrets),
            ("UpdateSecret", sm.UpdateSecretRequest, sm.Secret, self._update_secret),
            ("DeleteSecret", sm.DeleteSecretRequest, empty_pb2.Empty, self._delete_secret),
            ("AddSecretVersion", sm.AddSecretVersionRequest, sm.SecretVersion, self._add_version),
            ("GetSecretVersion", sm.GetSecretVersionRequest, sm.SecretVersion, self._get_version),
            (
                "AccessSecretVersion",
                sm.AccessSecretVersionRequest,
                sm.AccessSecretVersionResponse,
                self._access_version,
            ),
            (
                "ListSecretVersions",
                sm.ListSecretVersionsRequest,
                sm.ListSecretVersionsResponse,
                self._list_versions,
            ),
            ("EnableSecretVersion", sm.EnableSecretVersionRequest, sm.SecretVersion, self._enable),
            (
                "DisableSecretVersion",
                sm.DisableSecretVersionRequest,
                sm.SecretVersion,
                self._disable,
            ),
            (
                "DestroySecretVersion",
                sm.DestroySecretVersionRequest,
                sm.SecretVersion,
                self._destroy,
            ),
            ("GetIamPolicy", iam_policy_pb2.GetIamPolicyRequest, policy_pb2.Policy, self._get_iam),
            ("SetIamPolicy", iam_policy_pb2.SetIamPolicyRequest, policy_pb2.Policy, self._set_iam),
            (
                "TestIamPermissions",
                iam_policy_pb2.TestIamPermissionsRequest,
                iam_policy_pb2.TestIamPermissionsResponse,
                self._test_iam,
            ),
        ]
        return [
            Rpc(name, req, resp, self._serialized(handler)) for name, req, resp, handler in table
        ]

    def run_scheduler(self) -> None:
        """Announce due rotations, expire secrets, finish scheduled destructions."""
        with self._lock:
            self._run_due()

    def payloads(self) -> set[str]:
        """Every payload added since the last reset, destroyed ones included, as text: the values
        tests scan their output for."""
        with self._lock:
            return set(self._payloads)

    def version_states(self, secret: str) -> dict[int, str]:
        """Version number -> state name, read in process without an API call (for test observers)."""
        with self._lock:
            entry = self._entry(secret)
            return {number: v.version.state.name for number, v in entry.versions.items()}

    def payload(self, version_name: str) -> bytes:
        """A version's payload, read in process for a caller already authorized (Artifact
        Registry's service agent): only while the version is enabled, as AccessSecretVersion."""
        with self._lock:
            self._run_due()
            return self._access_version(
                sm.AccessSecretVersionRequest(name=version_name)
            ).payload.data

    def iam_policy(self, secret: str) -> policy_pb2.Policy | None:
        """A copy of the secret's IAM policy, None when there is no such secret (for IAM checks)."""
        with self._lock:
            try:
                return copy_policy(self._entry(secret).policy)
            except ApiError:
                return None

    def grant(self, secret: str, role: str, member: str) -> None:
        """Add a binding of `role` for `member` to the secret's policy, as an administrator would."""
        binding = policy_pb2.Binding(role=role, members=[member])
        check_binding(binding)
        with self._lock:
            entry = self._entry(secret)
            entry.policy.bindings.append(binding)
            entry.policy.etag = self._policy_etag()

    def version_data(self, secret: str, number: int) -> bytes | None:
        """A version's payload, read in process (for test observers); None once destroyed."""
        with self._lock:
            version = self._entry(secret).versions.get(number)
            return None if version is None else version.data

    def secrets(self) -> list[sm.Secret]:
        """Copies of every stored secret, annotations and labels included (for tests)."""
        with self._lock:
            return [sm.Secret(entry.secret) for entry in self._secrets.values()]

    def undelivered(self) -> int:
        """How many notifications wait for their topic (for tests)."""
        with self._lock:
            return len(self._undelivered)

    def reset(self) -> None:
        with self._lock:
            self._secrets.clear()
            self._payloads.clear()
            self._undelivered.clear()
            self.aliases_of_retired = ALIASES_ANY_STATE

    # --- plumbing ---------------------------------------------------------------------------

    def _serialized(self, handler: Callable[[Any], T]) -> Callable[[Any], T]:
        def call(request: Any) -> T:
            with self._lock:
                self._run_due()
                return handler(request)

        return call

    def _stamp(self) -> int:
        """Microseconds of the emulator clock, strictly increasing: the source of every etag."""
        micros = int(self._clock.now().timestamp() * 1_000_000)
        self._last_stamp = max(self._last_stamp + 1, micros)
        return self._last_stamp

    def _etag(self) -> str:
        return f'"{self._stamp():x}"'

    def _secret_name(self, name: str) -> str:
        match = _SECRET_NAME.fullmatch(name)
        if match is None:
            raise invalid(f"Invalid secret name {name!r}: expected projects/*/secrets/*.")
        return f"projects/{self._projects.resolve(match.group(1)).number}/secrets/{match.group(2)}"

    def _entry(self, name: str) -> _Secret:
        canonical = self._secret_name(name)
        entry = self._secrets.get(canonical)
        if entry is None:
            raise ApiError(
                grpc.StatusCode.NOT_FOUND, f"Secret [{canonical}] not found or has no versions."
            )
        return entry

    def _resolve(self, name: str) -> tuple[_Secret, _Version]:
        """A version by number, `latest` (the newest, whatever its state) or alias."""
        match = _VERSION_NAME.fullmatch(name)
        if match is None:
            raise invalid(
                f"Invalid version name {name!r}: expected projects/*/secrets/*/versions/*."
            )
        entry = self._entry(match.group(1))
        ref = match.group(2)
        if ref == "latest":
            number = entry.last_number if entry.versions else 0
        elif ref.isdigit():
            number = int(ref)
        else:
            number = entry.secret.version_aliases.get(ref, 0)
        version = entry.versions.get(number)
        if version is None:
            raise ApiError(
                grpc.StatusCode.NOT_FOUND,
                f"Secret Version [{entry.secret.name}/versions/{ref}] not found.",
            )
        return entry, version

    def _publish(
        self, entry: _Secret, event: str, body: Any, extra: Mapping[str, str] | None = None
    ) -> None:
        attributes = {
            "eventType": event,
            "dataFormat": "JSON_API_V1",
            "secretId": entry.secret.name,
            "timestamp": self._clock.now().isoformat(timespec="microseconds"),
            **(extra or {}),
        }
        data = _to_json(body)
        for topic in entry.secret.topics:
            self._notify(topic.name, data, attributes)

    def _notify(self, topic: str, data: bytes, attributes: dict[str, str]) -> None:
        """Publish, or keep the notification to try again, after any older one for the topic."""
        waiting = any(queued == topic for queued, _, _ in self._undelivered)
        if waiting or self._pubsub.publish(topic, data, attributes) is None:
            self._undelivered.append((topic, data, attributes))

    def _retry_undelivered(self) -> None:
        queued, self._undelivered = self._undelivered, []
        for topic, data, attributes in queued:
            self._notify(topic, data, attributes)

    def _publish_version(self, entry: _Secret, event: str, version: _Version) -> None:
        self._publish(entry, event, version.version, {"versionId": version.version.name})

    def _configure_topics(self, entry: _Secret, before: Collection[str]) -> None:
        """The TOPIC_CONFIGURED test message, to each topic the secret did not have before."""
        for topic in entry.secret.topics:
            if topic.name not in before:
                self._notify(topic.name, b"", {"eventType": "TOPIC_CONFIGURED"})

    def _run_due(self) -> None:
        self._retry_undelivered()
        now = self._clock.now()
        for name, entry in list(self._secrets.items()):
            if "expire_time" in entry.secret and entry.secret.expire_time <= now:
                del self._secrets[name]
                self._publish(entry, "SECRET_DELETE", entry.secret, {"deleteType": "EXPIRATION"})
                continue
            self._rotate_if_due(entry, now)
            for version in entry.versions.values():
                scheduled = version.version.scheduled_destroy_time
                if scheduled and scheduled <= now:
                    self._destroy_now(version, now)
                    self._publish_version(entry, "SECRET_VERSION_DESTROY", version)

    def _rotate_if_due(self, entry: _Secret, now: datetime) -> None:
        """Move next_rotation_time first, then announce; a jump over several periods announces once
        and lands on the first time of the schedule after now. Without a period it fires once."""
        rotation = entry.secret.rotation
        due = rotation.next_rotation_time
        if not due or due > now:
            return
        period = rotation.rotation_period
        if period:
            rotation.next_rotation_time = due + period * ((now - due) // period + 1)
        else:
            del rotation.next_rotation_time
        entry.secret.etag = self._etag()
        self._publish(entry, "SECRET_ROTATE", entry.secret)

    def _destroy_now(self, version: _Version, now: datetime) -> None:
        version.version.state = DESTROYED
        version.version.destroy_time = now
        del version.version.scheduled_destroy_time
        version.version.etag = self._etag()
        version.data = None

    # --- secrets ----------------------------------------------------------------------------

    def _create_secret(self, request: sm.CreateSecretRequest) -> sm.Secret:
        parent = _PARENT.fullmatch(request.parent)
        if parent is None:
            raise invalid(f"Invalid parent {request.parent!r}: expected projects/*.")
        if not _SECRET_ID.fullmatch(request.secret_id):
            raise invalid(f"Invalid secret_id {request.secret_id!r}.")
        number = self._projects.resolve(parent.group(1)).number
        name = f"projects/{number}/secrets/{request.secret_id}"
        if name in self._secrets:
            raise ApiError(grpc.StatusCode.ALREADY_EXISTS, f"Secret [{name}] already exists.")
        secret = sm.Secret(request.secret)
        replication = secret.replication
        if "automatic" not in replication and "user_managed" not in replication:
            raise invalid("Secret.replication is required.")
        now = self._clock.now()
        if "ttl" in secret:
            secret.expire_time = now + secret.ttl
        _validate(secret, (), now, new_rotation=True)
        secret.name, secret.create_time, secret.etag = name, now, self._etag()
        entry = _Secret(secret, policy_pb2.Policy(version=1, etag=self._policy_etag()))
        self._secrets[name] = entry
        self._configure_topics(entry, ())
        self._publish(entry, "SECRET_CREATE", secret)
        return sm.Secret(secret)

    def _get_secret(self, request: sm.GetSecretRequest) -> sm.Secret:
        return sm.Secret(self._entry(request.name).secret)

    def _list_secrets(self, request: sm.ListSecretsRequest) -> sm.ListSecretsResponse:
        parent = _PARENT.fullmatch(request.parent)
        if parent is None:
            raise invalid(f"Invalid parent {request.parent!r}: expected projects/*.")
        prefix = f"projects/{self._projects.resolve(parent.group(1)).number}/secrets/"
        secrets = [
            entry.secret
            for name, entry in self._secrets.items()
            if name.startswith(prefix)
            and _matches(
                request.filter,
                {"name": name, **{f"labels.{k}": v for k, v in entry.secret.labels.items()}},
                prefixes=("labels.",),
            )
        ]
        page, token = _page(secrets, request.page_size, request.page_token)
        return sm.ListSecretsResponse(
            secrets=[sm.Secret(s) for s in page], next_page_token=token, total_size=len(secrets)
        )

    def _update_secret(self, request: sm.UpdateSecretRequest) -> sm.Secret:
        entry = self._entry(request.secret.name)
        paths = list(request.update_mask.paths)
        if not paths:
            raise invalid("update_mask is required.")
        unsupported = sorted(set(paths) - UPDATABLE_PATHS)
        if unsupported:
            raise invalid(f"Unsupported update_mask paths: {', '.join(unsupported)}.")
        _check_etag(request.secret.etag, entry.secret.etag, entry.secret.name)
        now = self._clock.now()
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
        _validate(updated, entry.versions.keys(), now, new_rotation)
        if "version_aliases" in paths and self.aliases_of_retired == ALIASES_ENABLED_ONLY:
            for alias, number in updated.version_aliases.items():
                state = entry.versions[number].version.state
                if state != ENABLED:
                    raise _failed_precondition(
                        f"Version alias {alias!r} cannot point to version {number}, which is in "
                        f"{state.name} state."
                    )
        before = {topic.name for topic in entry.secret.topics}
        updated.etag = self._etag()
        entry.secret = updated
        self._configure_topics(entry, before)
        self._publish(entry, "SECRET_UPDATE", updated)
        return sm.Secret(updated)

    def _delete_secret(self, request: sm.DeleteSecretRequest) -> empty_pb2.Empty:
        entry = self._entry(request.name)
        _check_etag(request.etag, entry.secret.etag, entry.secret.name)
        del self._secrets[entry.secret.name]
        self._publish(entry, "SECRET_DELETE", entry.secret, {"deleteType": "REQUESTED"})
        return empty_pb2.Empty()

    # --- versions ---------------------------------------------------------------------------

    def _add_version(self, request: sm.AddSecretVersionRequest) -> sm.SecretVersion:
        entry = self._entry(request.parent)
        payload = request.payload
        if len(payload.data) > MAX_PAYLOAD_BYTES:
            raise invalid(f"Secret payload is larger than the limit of {MAX_PAYLOAD_BYTES} bytes.")
        checksum = "data_crc32c" in payload
        if checksum and payload.data_crc32c != crc32c(payload.data):
            raise invalid("Data integrity check failed: checksum mismatch (payload.data_crc32c).")
        entry.last_number += 1
        version = _Version(
            sm.SecretVersion(
                name=f"{entry.secret.name}/versions/{entry.last_number}",
                create_time=self._clock.now(),
                state=ENABLED,
                etag=self._etag(),
                client_specified_payload_checksum=checksum,
                replication_status=_replication_status(entry.secret.replication),
            ),
            payload.data,
        )
        entry.versions[entry.last_number] = version
        self._payloads.add(payload.data.decode(errors="replace"))
        self._publish_version(entry, "SECRET_VERSION_ADD", version)
        return sm.SecretVersion(version.version)

    def _get_version(self, request: sm.GetSecretVersionRequest) -> sm.SecretVersion:
        return sm.SecretVersion(self._resolve(request.name)[1].version)

    def _access_version(
        self, request: sm.AccessSecretVersionRequest
    ) -> sm.AccessSecretVersionResponse:
        _, version = self._resolve(request.name)
        if version.data is None or version.version.state != ENABLED:
            raise _failed_precondition(
                f"Secret Version [{version.version.name}] is in {version.version.state.name} state."
            )
        return sm.AccessSecretVersionResponse(
            name=version.version.name,
            payload=sm.SecretPayload(data=version.data, data_crc32c=crc32c(version.data)),
        )

    def _list_versions(
        self, request: sm.ListSecretVersionsRequest
    ) -> sm.ListSecretVersionsResponse:
        entry = self._entry(request.parent)
        versions = [
            v.version
            for _, v in sorted(entry.versions.items(), reverse=True)
            if _matches(request.filter, {"name": v.version.name, "state": v.version.state.name})
        ]
        page, token = _page(versions, request.page_size, request.page_token)
        return sm.ListSecretVersionsResponse(
            versions=[sm.SecretVersion(v) for v in page],
            next_page_token=token,
            total_size=len(versions),
        )

    def _changeable(self, name: str, etag: str) -> tuple[_Secret, _Version]:
        """The version a state call names, by number only, after its etag check; a destroyed
        one is final. Enable, Disable and Destroy document only `projects/*/secrets/*/versions/*`,
        and the Secret proto says access by alias works on GetSecretVersion and
        AccessSecretVersion only."""
        match = _VERSION_NAME.fullmatch(name)
        if match is not None and not match.group(2).isdigit():
            raise invalid(
                f"Invalid version name {name!r}: enable, disable and destroy take a version "
                "number, not an alias or `latest`."
            )
        entry, version = self._resolve(name)
        _check_etag(etag, version.version.etag, version.version.name)
        if version.version.state == DESTROYED:
            raise _failed_precondition(
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
        version.version.etag = self._etag()
        self._publish_version(entry, event, version)
        return sm.SecretVersion(version.version)

    def _enable(self, request: sm.EnableSecretVersionRequest) -> sm.SecretVersion:
        return self._set_state(request, ENABLED, "SECRET_VERSION_ENABLE")

    def _refuse_if_aliased(self, name: str) -> None:
        """Under ALIASES_ENABLED_ONLY, a version an alias names may not be disabled or destroyed."""
        if self.aliases_of_retired != ALIASES_ENABLED_ONLY:
            return
        entry, version = self._resolve(name)
        number = int(version.version.name.rsplit("/", 1)[1])
        aliases = sorted(a for a, n in entry.secret.version_aliases.items() if n == number)
        if aliases:
            raise _failed_precondition(
                f"Secret Version [{version.version.name}] is named by version alias(es) "
                f"{', '.join(aliases)}; move them first."
            )

    def _disable(self, request: sm.DisableSecretVersionRequest) -> sm.SecretVersion:
        self._changeable(request.name, request.etag)
        self._refuse_if_aliased(request.name)
        return self._set_state(request, DISABLED, "SECRET_VERSION_DISABLE")

    def _destroy(self, request: sm.DestroySecretVersionRequest) -> sm.SecretVersion:
        """With the secret's version_destroy_ttl set, only disable and schedule the destruction."""
        entry, version = self._changeable(request.name, request.etag)
        self._refuse_if_aliased(request.name)
        now = self._clock.now()
        ttl = entry.secret.version_destroy_ttl
        if ttl:
            version.version.state = DISABLED
            version.version.scheduled_destroy_time = now + ttl
            version.version.etag = self._etag()
            self._publish_version(entry, "SECRET_VERSION_DESTROY_SCHEDULED", version)
        else:
            self._destroy_now(version, now)
            self._publish_version(entry, "SECRET_VERSION_DESTROY", version)
        return sm.SecretVersion(version.version)

    # --- IAM (the emulator has no caller identity: nothing is enforced) ---------------------

    def _policy_etag(self) -> bytes:
        return self._stamp().to_bytes(8, "big")

    def _get_iam(self, request: iam_policy_pb2.GetIamPolicyRequest) -> policy_pb2.Policy:
        return copy_policy(self._entry(request.resource).policy)

    def _set_iam(self, request: iam_policy_pb2.SetIamPolicyRequest) -> policy_pb2.Policy:
        entry = self._entry(request.resource)
        entry.policy = updated_policy(entry.policy, request, self._policy_etag())
        return copy_policy(entry.policy)

    def _test_iam(
        self, request: iam_policy_pb2.TestIamPermissionsRequest
    ) -> iam_policy_pb2.TestIamPermissionsResponse:
        """Every permission asked for: without a caller identity, the caller holds them all."""
        self._entry(request.resource)
        return iam_policy_pb2.TestIamPermissionsResponse(permissions=list(request.permissions))
