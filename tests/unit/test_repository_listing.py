"""Repositories read by listing each location once, for runs over many secrets."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from rotation.core.errors import PermanentError
from rotation.core.model import RemoteRepository
from rotation.core.repository_listing import ListedRepositories, location_of

HERE = "projects/p/locations/l"
ELSEWHERE = "projects/q/locations/l"


class Store:
    """A fake Repositories port that counts its calls; `ELSEWHERE` may not be listed."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def get(self, name: str) -> RemoteRepository:
        with self.lock:
            self.calls.append(f"get {name}")
        if name.endswith("/gone"):
            raise PermanentError(f"repository {name} not found", remedy="check the name")
        return RemoteRepository(name, "u", "read-one-by-one")

    def list_remote(self, location: str) -> list[RemoteRepository]:
        with self.lock:
            self.calls.append(f"list {location}")
        if location == ELSEWHERE:
            raise PermanentError("permission denied", remedy="grant list")
        return [RemoteRepository(f"{location}/repositories/r{n}", "u", "listed") for n in range(3)]

    def repoint(self, name: str, username: str, version_name: str) -> RemoteRepository:
        raise AssertionError("not called")


def test_each_location_is_listed_once_however_many_read_it_at_once():
    store = Store()
    listed = ListedRepositories(store)
    names = [f"{HERE}/repositories/r{n % 3}" for n in range(60)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        found = list(pool.map(listed.get, names))
    assert [r.password_secret_version for r in found] == ["listed"] * 60
    assert store.calls == [f"list {HERE}"]
    assert len(listed.list_remote(HERE)) == 3
    assert store.calls == [f"list {HERE}"]


def test_one_not_in_the_listing_or_in_a_location_that_cannot_be_listed_is_read():
    store = Store()
    listed = ListedRepositories(store)
    assert listed.get(f"{HERE}/repositories/standard").password_secret_version == "read-one-by-one"
    with pytest.raises(PermanentError, match="not found"):
        listed.get(f"{HERE}/repositories/gone")
    assert listed.get(f"{ELSEWHERE}/repositories/r1").password_secret_version == "read-one-by-one"
    with pytest.raises(PermanentError, match="permission denied"):
        listed.list_remote(ELSEWHERE)
    assert store.calls.count(f"list {HERE}") == 1
    assert store.calls.count(f"list {ELSEWHERE}") == 2  # refused: asked again to raise its error


def test_location_of_a_repository():
    assert location_of(f"{HERE}/repositories/r") == HERE
