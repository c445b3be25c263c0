"""Artifact Registry: the repository methods the rotation function and its tests use.

Names in answers carry the project ID, whether the request named the project by ID or number,
as the real service does. `UpdateRepository` requires an update mask: the real API's behaviour
without one is undocumented, and insisting on a mask keeps callers from overwriting fields they
did not mean to touch.

Creating or updating a remote repository that has upstream credentials validates them, as
production does unless the request sets `remote_repository_config.disable_upstream_validation`
(input only: never stored or answered). The emulator validates on every such create and update,
whatever the update touches, since production does not document when it skips validation.
"""

from __future__ import annotations

import base64
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any, Literal

import grpc
from google.cloud import artifactregistry_v1 as ar
from google.longrunning import operations_pb2
from google.protobuf import any_pb2, empty_pb2
from google.protobuf.message import Message

from emulator.core import ApiError, Clock, Projects, invalid, not_found
from emulator.grpc_server import Rpc

MAX_PAGE_SIZE = 1000  # ListRepositoriesRequest.page_size: "Maximum page size is 1,000."
# The default is undocumented; a small one makes every caller page, as it must in production.
DEFAULT_PAGE_SIZE = 10

SecretProjectForm = Literal["as given", "id", "number"]

_REPOSITORY_ID = re.compile(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?")
_PARENT = re.compile(r"projects/([^/]+)/locations/([^/]+)")
_NAME = re.compile(r"projects/([^/]+)/locations/([^/]+)/repositories/([^/]+)")
_SECRET_VERSION = re.compile(r"projects/[^/]+/secrets/[^/]+/versions/[^/]+")

# Mask paths naming one of these fields, or a field inside one, may be updated; the others
# (name, format, mode, the remote upstream, timestamps, ...) are fixed when the repository is made.
_UPDATABLE = (
    "description",
    "labels",
    "cleanup_policies",
    "cleanup_policy_dry_run",
    "docker_config",
    "maven_config",
    "virtual_repository_config",
    "vulnerability_scanning_config",
    "remote_repository_config.description",
    "remote_repository_config.upstream_credentials",
    "remote_repository_config.disable_upstream_validation",
)


@dataclass(frozen=True)
class RepositoryName:
    project_id: str
    location: str
    repository_id: str

    def __str__(self) -> str:
        return (
            f"projects/{self.project_id}/locations/{self.location}"
            f"/repositories/{self.repository_id}"
        )


class ArtifactRegistry:
    """google.devtools.artifactregistry.v1.ArtifactRegistry, for repositories only."""

    service_name = "google.devtools.artifactregistry.v1.ArtifactRegistry"

    def __init__(
        self,
        projects: Projects,
        clock: Clock,
        validate_upstream: Callable[[ar.Repository], None] | None = None,
    ) -> None:
        self._projects = projects
        self._clock = clock
        self._validate_upstream = validate_upstream
        self._lock = threading.Lock()
        self._repositories: dict[RepositoryName, Message] = {}
        # A test switch: how stored credentials name the secret version's project: as the
        # request gave it, or normalised to the project's "id" or "number" (production may
        # normalise it; nothing documents either way).
        self.secret_project_form: SecretProjectForm = "as given"

    def rpcs(self) -> Sequence[Rpc]:
        return (
            Rpc(
                "CreateRepository",
                ar.CreateRepositoryRequest,
                operations_pb2.Operation,
                self.create_repository,
            ),
            Rpc("GetRepository", ar.GetRepositoryRequest, ar.Repository, self.get_repository),
            Rpc(
                "ListRepositories",
                ar.ListRepositoriesRequest,
                ar.ListRepositoriesResponse,
                self.list_repositories,
            ),
            Rpc(
                "UpdateRepository",
                ar.UpdateRepositoryRequest,
                ar.Repository,
                self.update_repository,
            ),
            Rpc(
                "DeleteRepository",
                ar.DeleteRepositoryRequest,
                operations_pb2.Operation,
                self.delete_repository,
            ),
        )

    def reset(self) -> None:
        with self._lock:
            self._repositories.clear()
            self.secret_project_form = "as given"

    def repositories(self) -> list[ar.Repository]:
        """Copies of every stored repository, by name (for tests)."""
        with self._lock:
            stored = sorted(self._repositories.items(), key=lambda item: str(item[0]))
            return [_wrap(repository) for _, repository in stored]

    def find(self, project: str, repository_id: str) -> ar.Repository | None:
        """The repository `repository_id` of a project (id or number) in any location, as a
        LOCATION-python.pkg.dev/PROJECT/REPOSITORY URL names it."""
        try:
            project_id = self._projects.resolve(project).project_id
        except ApiError:
            return None
        with self._lock:
            for name, repository in self._repositories.items():
                if name.project_id == project_id and name.repository_id == repository_id:
                    return _wrap(repository)
        return None

    def create_repository(self, request: ar.CreateRepositoryRequest) -> operations_pb2.Operation:
        project_id, location = self._parse_parent(request.parent)
        if not _REPOSITORY_ID.fullmatch(request.repository_id):
            raise invalid(
                f"Invalid repository ID '{request.repository_id}': use 1-63 lowercase letters,"
                " digits and hyphens, starting with a letter and not ending with a hyphen."
            )
        name = RepositoryName(project_id, location, request.repository_id)
        repository = _copy(ar.Repository.pb(request.repository))
        repository.name = str(name)
        if repository.mode == ar.Repository.Mode.MODE_UNSPECIFIED:
            repository.mode = ar.Repository.Mode.STANDARD_REPOSITORY
        _drop_input_only(repository)
        _validate(repository)
        self._check_upstream(repository, request.repository.remote_repository_config)
        self._normalise(repository)
        now = self._clock.now()
        repository.create_time.FromDatetime(now)
        repository.update_time.FromDatetime(now)
        with self._lock:
            if name in self._repositories:
                raise ApiError(grpc.StatusCode.ALREADY_EXISTS, f"Repository {name} already exists.")
            self._repositories[name] = repository
            answer = _wrap(repository)
        return _done_operation(project_id, location, answer)

    def get_repository(self, request: ar.GetRepositoryRequest) -> ar.Repository:
        name = self._parse_name(request.name)
        with self._lock:
            return _wrap(self._stored(name))

    def list_repositories(self, request: ar.ListRepositoriesRequest) -> ar.ListRepositoriesResponse:
        project_id, location = self._parse_parent(request.parent)
        if request.filter:
            raise invalid("The emulator does not support filter in ListRepositories.")
        if request.page_size < 0:
            raise invalid("page_size must not be negative.")
        page_size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        prefix = f"projects/{project_id}/locations/{location}/repositories/"
        after = _decode_page_token(request.page_token, prefix)
        with self._lock:
            matching = sorted(
                (
                    (str(name), repository)
                    for name, repository in self._repositories.items()
                    if str(name).startswith(prefix)
                ),
                key=lambda item: item[0],
            )
        remaining = [repository for name, repository in matching if name > after]
        page = [_wrap(repository) for repository in remaining[:page_size]]
        next_token = _encode_page_token(page[-1].name) if len(remaining) > page_size else ""
        return ar.ListRepositoriesResponse(repositories=page, next_page_token=next_token)

    def update_repository(self, request: ar.UpdateRepositoryRequest) -> ar.Repository:
        name = self._parse_name(request.repository.name)
        paths = list(request.update_mask.paths)
        if not paths:
            raise invalid("update_mask is required and must name at least one field.")
        source = ar.Repository.pb(request.repository)
        for path in paths:
            _check_updatable(source, path)
        with self._lock:
            candidate = self._updated(name, source, paths)
        # Outside the lock: validation reads Secret Manager and calls the upstream, which may
        # reach back into the emulator (a proxied upstream, the data path).
        self._check_upstream(candidate, request.repository.remote_repository_config)
        with self._lock:
            updated = self._updated(name, source, paths)
            self._normalise(updated)
            previous = updated.update_time.ToDatetime(tzinfo=UTC)
            now = max(self._clock.now(), previous + timedelta(microseconds=1))
            updated.update_time.FromDatetime(now)
            self._repositories[name] = updated
            return _wrap(updated)

    def _updated(self, name: RepositoryName, source: Message, paths: list[str]) -> Message:
        """The stored repository with the mask's paths applied, checked; not stored."""
        updated = _copy(self._stored(name))
        for path in paths:
            _apply_path(source, updated, path)
        _drop_input_only(updated)
        _validate(updated)
        return updated

    def _check_upstream(self, repository: Any, requested: ar.RemoteRepositoryConfig) -> None:
        """Validate a remote repository's credentials upstream, unless the request opts out."""
        credentials = repository.remote_repository_config.upstream_credentials
        is_remote = repository.mode == ar.Repository.Mode.REMOTE_REPOSITORY
        if (
            is_remote
            and credentials.username_password_credentials.password_secret_version
            and not requested.disable_upstream_validation
            and self._validate_upstream is not None
        ):
            self._validate_upstream(_wrap(repository))

    def _normalise(self, repository: Any) -> None:
        """Name the secret version's project as `secret_project_form` says."""
        credentials = repository.remote_repository_config.upstream_credentials
        version = credentials.username_password_credentials.password_secret_version
        if self.secret_project_form == "as given" or not version:
            return
        _, project, *rest = version.split("/")
        found = self._projects.resolve(project)
        named = found.project_id if self.secret_project_form == "id" else str(found.number)
        credentials.username_password_credentials.password_secret_version = "/".join(
            ["projects", named, *rest]
        )

    def delete_repository(self, request: ar.DeleteRepositoryRequest) -> operations_pb2.Operation:
        """Long-running, like CreateRepository; its result is Empty (the client's
        `delete_repository` docstring). The emulator finishes it before answering."""
        name = self._parse_name(request.name)
        with self._lock:
            self._stored(name)
            del self._repositories[name]
        return _done_operation(name.project_id, name.location, empty_pb2.Empty())

    def _stored(self, name: RepositoryName) -> Message:
        repository = self._repositories.get(name)
        if repository is None:
            raise not_found(f"Repository {name}")
        return repository

    def _parse_parent(self, parent: str) -> tuple[str, str]:
        match = _PARENT.fullmatch(parent)
        if match is None:
            raise invalid(f"Invalid parent '{parent}': expected projects/*/locations/*.")
        return self._projects.resolve(match[1]).project_id, match[2]

    def _parse_name(self, name: str) -> RepositoryName:
        match = _NAME.fullmatch(name)
        if match is None:
            raise invalid(
                f"Invalid repository name '{name}': expected projects/*/locations/*/repositories/*."
            )
        return RepositoryName(self._projects.resolve(match[1]).project_id, match[2], match[3])


def _validate(repository: Any) -> None:
    """Reject what the real service rejects on create and update, as far as the rotation cares."""
    if repository.format_ == ar.Repository.Format.FORMAT_UNSPECIFIED:
        raise invalid("Repository format is required.")
    remote = repository.remote_repository_config
    is_remote = repository.mode == ar.Repository.Mode.REMOTE_REPOSITORY
    if is_remote and not remote.WhichOneof("remote_source"):
        raise invalid("A remote repository needs remote_repository_config with an upstream.")
    if not is_remote and repository.HasField("remote_repository_config"):
        raise invalid("remote_repository_config is only allowed for remote repositories.")
    credentials = remote.upstream_credentials.username_password_credentials
    if credentials.username or credentials.password_secret_version:
        if not credentials.username:
            raise invalid("username_password_credentials.username is required.")
        if not _SECRET_VERSION.fullmatch(credentials.password_secret_version):
            raise invalid(
                "password_secret_version must be a secret version name,"
                f" projects/*/secrets/*/versions/*; got '{credentials.password_secret_version}'."
            )


def _drop_input_only(repository: Any) -> None:
    """`disable_upstream_validation` is input only: it is never stored, so never answered."""
    if repository.HasField("remote_repository_config"):
        repository.remote_repository_config.ClearField("disable_upstream_validation")


def _field_name(message: Message, segment: str) -> str | None:
    """The descriptor's name for a mask path segment (proto-plus renames `format` to `format_`)."""
    fields = message.DESCRIPTOR.fields_by_name
    for candidate in (segment, f"{segment}_"):
        if candidate in fields:
            return candidate
    return None


def _check_updatable(repository: Message, path: str) -> None:
    message: Any = repository
    segments = path.split(".")
    for index, segment in enumerate(segments):
        field = _field_name(message, segment)
        if field is None:
            raise invalid(f"Invalid update_mask path '{path}': unknown field '{segment}'.")
        descriptor = message.DESCRIPTOR.fields_by_name[field]
        is_last = index == len(segments) - 1
        if not is_last and (descriptor.message_type is None or descriptor.is_repeated):
            raise invalid(f"Invalid update_mask path '{path}': '{segment}' has no sub-fields.")
        if not is_last:
            message = getattr(message, field)
    if not any(path == root or path.startswith(f"{root}.") for root in _UPDATABLE):
        raise invalid(f"Field '{path}' cannot be updated.")


def _apply_path(source: Message, destination: Message, path: str) -> None:
    """Copy one checked mask path: the request's value replaces the stored one, unset clears it."""
    *parents, leaf = path.split(".")
    src: Any = source
    dst: Any = destination
    for segment in parents:
        field = _field_name(src, segment)
        assert field is not None  # paths are checked before they are applied
        src, dst = getattr(src, field), getattr(dst, field)
    field = _field_name(src, leaf)
    assert field is not None
    descriptor = src.DESCRIPTOR.fields_by_name[field]
    dst.ClearField(field)
    if descriptor.is_repeated:
        getattr(dst, field).MergeFrom(getattr(src, field))
    elif descriptor.message_type is not None:
        if src.HasField(field):
            getattr(dst, field).CopyFrom(getattr(src, field))
    else:
        setattr(dst, field, getattr(src, field))


def _copy(message: Message) -> Message:
    duplicate = type(message)()
    duplicate.CopyFrom(message)
    return duplicate


def _wrap(repository: Message) -> ar.Repository:
    wrapped: ar.Repository = ar.Repository.wrap(_copy(repository))
    return wrapped


def _done_operation(
    project_id: str, location: str, answer: ar.Repository | empty_pb2.Empty
) -> operations_pb2.Operation:
    """Create and DeleteRepository are long-running; the emulator finishes them before answering."""
    response = any_pb2.Any()
    response.Pack(answer if isinstance(answer, empty_pb2.Empty) else ar.Repository.pb(answer))
    metadata = any_pb2.Any()
    metadata.Pack(ar.OperationMetadata.pb(ar.OperationMetadata()))
    return operations_pb2.Operation(
        name=f"projects/{project_id}/locations/{location}/operations/{uuid.uuid4()}",
        done=True,
        response=response,
        metadata=metadata,
    )


def _encode_page_token(last_name: str) -> str:
    return base64.urlsafe_b64encode(last_name.encode()).decode()


def _decode_page_token(token: str, prefix: str) -> str:
    """The name the previous page ended with ("" for the first page); it must lie under `prefix`."""
    if not token:
        return ""
    try:
        after = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        after = ""
    if not after.startswith(prefix):
        raise invalid(f"Invalid page_token '{token}'.")
    return after
