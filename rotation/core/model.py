"""The plain data a rotation works on: secrets, their versions, and remote repositories, as
read from Google (the adapters in rotation.gcp build them)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

_VERSION_NAME = re.compile(r"^projects/([^/]+)/secrets/([^/]+)/versions/([^/]+)$")


@dataclass(frozen=True)
class SecretSnapshot:
    """A secret as read at one moment; `etag` makes a later write fail if anybody changed it."""

    name: str
    etag: str
    annotations: dict[str, str]
    aliases: dict[str, int]
    rotation_period: timedelta | None
    destroys_with_ttl: bool
    next_rotation_time: datetime | None = None
    topics: tuple[str, ...] = ()

    @property
    def project_number(self) -> str:
        return self.name.split("/")[1]

    def version_name(self, version: int) -> str:
        return f"{self.name}/versions/{version}"


@dataclass(frozen=True)
class VersionInfo:
    number: int
    enabled: bool
    state: str = "ENABLED"  # ENABLED, DISABLED or DESTROYED
    created_at: datetime | None = None


def version_number(version_name: str) -> int:
    return int(version_name.rsplit("/", 1)[-1])


@dataclass(frozen=True)
class RemoteRepository:
    name: str
    username: str
    password_secret_version: str
    upstream_url: str = ""  # what the repository proxies; "" when not read
    format: str = "PYTHON"  # Artifact Registry's Repository.Format: PYTHON, DOCKER, NPM, MAVEN

    @property
    def project(self) -> str:
        return self.name.split("/")[1]


@dataclass(frozen=True)
class SecretVersionRef:
    """A `projects/P/secrets/S/versions/V` name split into its parts (P may be an id or a number)."""

    project: str
    secret_id: str
    version: str

    @classmethod
    def parse(cls, name: str) -> SecretVersionRef | None:
        match = _VERSION_NAME.match(name)
        return cls(*match.groups()) if match else None


def same_version(first: str, second: str, project_number: Callable[[str], str]) -> bool:
    """Whether two version names name the same version, by parts: a project id and its number
    are the same project (`project_number` resolves either to the number)."""
    if first == second:
        return True
    a, b = SecretVersionRef.parse(first), SecretVersionRef.parse(second)
    if a is None or b is None or (a.secret_id, a.version) != (b.secret_id, b.version):
        return False
    return a.project == b.project or project_number(a.project) == project_number(b.project)
