"""The ArtifactRegistry service's repository methods over an in-memory store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, timedelta
from typing import Any, Literal

from google.cloud import artifactregistry_v1 as ar
from google.longrunning.operations_pb2 import Operation
from google.protobuf import empty_pb2
from google.protobuf.message import Message

from emulator.artifactregistry.messages import (
    copy_message,
    drop_input_only,
    needs_upstream_validation,
    validate,
    wrap_repository,
)
from emulator.artifactregistry.names import (
    RepositoryName,
    check_repository_id,
    parse_name,
    parse_parent,
)
from emulator.artifactregistry.operations import done_operation
from emulator.artifactregistry.paging import decode_page_token, encode_page_token, page_size
from emulator.artifactregistry.store import RepositoryStore
from emulator.artifactregistry.update_mask import apply_path, check_updatable
from emulator.core import ApiError, Clock, Projects, invalid
from emulator.grpc_server import Rpc

SecretProjectForm = Literal["as given", "id", "number"]


class ArtifactRegistry:
    """google.devtools.artifactregistry.v1.ArtifactRegistry, for repositories only;
    `validate_upstream` checks a remote repository's upstream and credentials."""

    service_name = "google.devtools.artifactregistry.v1.ArtifactRegistry"

    def __init__(
        self,
        projects: Projects,
        clock: Clock,
        validate_upstream: Callable[[ar.Repository], None],
    ) -> None:
        self._projects = projects
        self._clock = clock
        self._validate_upstream = validate_upstream
        self._store = RepositoryStore()
        # A test switch: how stored credentials name the secret version's project: as the
        # request gave it, or normalised to the project's "id" or "number" (production may
        # normalise it; nothing documents either way).
        self.secret_project_form: SecretProjectForm = "as given"

    def rpcs(self) -> Sequence[Rpc]:
        return (
            Rpc("CreateRepository", ar.CreateRepositoryRequest, Operation, self.create_repository),
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
            Rpc("DeleteRepository", ar.DeleteRepositoryRequest, Operation, self.delete_repository),
        )

    def reset(self) -> None:
        self._store.clear()
        self.secret_project_form = "as given"

    def repositories(self) -> list[ar.Repository]:
        """Copies of every stored repository, by name (for tests)."""
        return self._store.all()

    def find(self, project: str, repository_id: str) -> ar.Repository | None:
        """The repository `repository_id` of a project (id or number) in any location, as a
        LOCATION-python.pkg.dev/PROJECT/REPOSITORY URL names it."""
        try:
            project_id = self._projects.resolve(project).project_id
        except ApiError:
            return None
        return self._store.first(project_id, repository_id)

    def create_repository(self, request: ar.CreateRepositoryRequest) -> Operation:
        project_id, location = parse_parent(self._projects, request.parent)
        check_repository_id(request.repository_id)
        name = RepositoryName(project_id, location, request.repository_id)
        repository = copy_message(ar.Repository.pb(request.repository))
        repository.name = str(name)
        if repository.mode == ar.Repository.Mode.MODE_UNSPECIFIED:
            repository.mode = ar.Repository.Mode.STANDARD_REPOSITORY
        drop_input_only(repository)
        validate(repository)
        self._check_upstream(repository, request.repository.remote_repository_config)
        self._normalise(repository)
        now = self._clock.now()
        repository.create_time.FromDatetime(now)
        repository.update_time.FromDatetime(now)
        return done_operation(project_id, location, self._store.add(name, repository))

    def get_repository(self, request: ar.GetRepositoryRequest) -> ar.Repository:
        name = parse_name(self._projects, request.name)
        return wrap_repository(self._store.get(name))

    def list_repositories(self, request: ar.ListRepositoriesRequest) -> ar.ListRepositoriesResponse:
        project_id, location = parse_parent(self._projects, request.parent)
        if request.filter:
            raise invalid("The emulator does not support filter in ListRepositories.")
        size = page_size(request.page_size)
        prefix = f"projects/{project_id}/locations/{location}/repositories/"
        after = decode_page_token(request.page_token, prefix)
        matching = self._store.under(prefix)
        remaining = [repository for name, repository in matching if name > after]
        page = [wrap_repository(repository) for repository in remaining[:size]]
        next_token = encode_page_token(page[-1].name) if len(remaining) > size else ""
        return ar.ListRepositoriesResponse(repositories=page, next_page_token=next_token)

    def update_repository(self, request: ar.UpdateRepositoryRequest) -> ar.Repository:
        name = parse_name(self._projects, request.repository.name)
        paths = list(request.update_mask.paths)
        if not paths:
            raise invalid("update_mask is required and must name at least one field.")
        source = ar.Repository.pb(request.repository)
        for path in paths:
            check_updatable(source, path)
        candidate = _with_paths(self._store.get(name), source, paths)
        # Not in one step with storing: validation reads Secret Manager and calls the upstream,
        # which may reach back into the emulator (a proxied upstream, the data path).
        self._check_upstream(candidate, request.repository.remote_repository_config)

        def change(stored: Message) -> Message:
            updated = _with_paths(stored, source, paths)
            self._normalise(updated)
            previous = updated.update_time.ToDatetime(tzinfo=UTC)
            now = max(self._clock.now(), previous + timedelta(microseconds=1))
            updated.update_time.FromDatetime(now)
            return updated

        return self._store.replace(name, change)

    def delete_repository(self, request: ar.DeleteRepositoryRequest) -> Operation:
        """Long-running, like CreateRepository; its result is Empty (the client's
        `delete_repository` docstring). The emulator finishes it before answering."""
        name = parse_name(self._projects, request.name)
        self._store.delete(name)
        return done_operation(name.project_id, name.location, empty_pb2.Empty())

    def _check_upstream(self, repository: Any, requested: ar.RemoteRepositoryConfig) -> None:
        """Validate a remote repository's credentials upstream, unless the request opts out."""
        if needs_upstream_validation(repository, requested):
            self._validate_upstream(wrap_repository(repository))

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


def _with_paths(repository: Message, source: Message, paths: list[str]) -> Message:
    """`repository` (a copy) with the mask's paths applied from `source`, checked."""
    for path in paths:
        apply_path(source, repository, path)
    drop_input_only(repository)
    validate(repository)
    return repository
