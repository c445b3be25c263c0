"""The stored repositories, by name, behind one lock; nothing stored is changed in place."""

from __future__ import annotations

import threading
from collections.abc import Callable

import grpc
from google.cloud import artifactregistry_v1 as ar
from google.protobuf.message import Message

from emulator.artifactregistry.messages import copy_message, wrap_repository
from emulator.artifactregistry.names import RepositoryName
from emulator.core import ApiError, not_found


class RepositoryStore:
    """Repository messages by name. What is stored is never changed afterwards (an update stores
    a new message), so readers may hold a stored message outside the lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._repositories: dict[RepositoryName, Message] = {}

    def clear(self) -> None:
        with self._lock:
            self._repositories.clear()

    def all(self) -> list[ar.Repository]:
        """Copies of every stored repository, by name."""
        with self._lock:
            stored = sorted(self._repositories.items(), key=lambda item: str(item[0]))
        return [wrap_repository(repository) for _, repository in stored]

    def first(self, project_id: str, repository_id: str) -> ar.Repository | None:
        """A copy of the repository `repository_id` of a project, in any location."""
        with self._lock:
            for name, repository in self._repositories.items():
                if name.project_id == project_id and name.repository_id == repository_id:
                    return wrap_repository(repository)
        return None

    def under(self, prefix: str) -> list[tuple[str, Message]]:
        """The stored repositories whose names start with `prefix`, by name."""
        with self._lock:
            return sorted(
                (
                    (str(name), repository)
                    for name, repository in self._repositories.items()
                    if str(name).startswith(prefix)
                ),
                key=lambda item: item[0],
            )

    def get(self, name: RepositoryName) -> Message:
        """A copy of the stored repository; NOT_FOUND if there is none."""
        with self._lock:
            return copy_message(self._stored(name))

    def add(self, name: RepositoryName, repository: Message) -> ar.Repository:
        with self._lock:
            if name in self._repositories:
                raise ApiError(grpc.StatusCode.ALREADY_EXISTS, f"Repository {name} already exists.")
            self._repositories[name] = repository
            return wrap_repository(repository)

    def replace(self, name: RepositoryName, change: Callable[[Message], Message]) -> ar.Repository:
        """Store what `change` makes of a copy of the stored repository, in one step."""
        with self._lock:
            updated = change(copy_message(self._stored(name)))
            self._repositories[name] = updated
            return wrap_repository(updated)

    def delete(self, name: RepositoryName) -> None:
        with self._lock:
            self._stored(name)
            del self._repositories[name]

    def _stored(self, name: RepositoryName) -> Message:
        repository = self._repositories.get(name)
        if repository is None:
            raise not_found(f"Repository {name}")
        return repository
