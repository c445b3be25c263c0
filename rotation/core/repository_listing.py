"""Repositories read by listing their location once, for a run that reads many secrets (`status`
and `audit` over a project): a fleet's repositories usually share a few locations, so one listing
each replaces a read per repository. A repository the listing does not hold (not remote, no
password, gone) and a location that cannot be listed are read one by one, as without it."""

from __future__ import annotations

import threading

from rotation.core.errors import PermanentError
from rotation.core.model import RemoteRepository
from rotation.core.ports import Repositories


def location_of(repository: str) -> str:
    """`projects/P/locations/L` of `projects/P/locations/L/repositories/R`."""
    return repository.split("/repositories/", 1)[0]


class ListedRepositories:
    """The `Repositories` port over another, each location listed at most once (thread-safe)."""

    def __init__(self, inner: Repositories) -> None:
        self._inner = inner
        self._listed: dict[str, dict[str, RemoteRepository] | None] = {}
        self._lock = threading.Lock()
        self._listing: dict[str, threading.Lock] = {}

    def get(self, name: str) -> RemoteRepository:
        listed = self._location(location_of(name))
        found = listed.get(name) if listed is not None else None
        return found if found is not None else self._inner.get(name)

    def list_remote(self, location: str) -> list[RemoteRepository]:
        listed = self._location(location)
        if listed is None:
            return self._inner.list_remote(location)  # raises what the listing raised
        return list(listed.values())

    def repoint(self, name: str, username: str, version_name: str) -> RemoteRepository:
        return self._inner.repoint(name, username, version_name)

    def _location(self, location: str) -> dict[str, RemoteRepository] | None:
        """The location's repositories by name, None if it cannot be listed."""
        with self._lock:
            lock = self._listing.setdefault(location, threading.Lock())
        with lock:
            if location not in self._listed:
                try:
                    found = {r.name: r for r in self._inner.list_remote(location)}
                except PermanentError:
                    found = None
                self._listed[location] = found
            return self._listed[location]
