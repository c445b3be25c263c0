"""Repository names and parents as requests give them, resolved to the project's ID."""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.core import Projects, invalid

_REPOSITORY_ID = re.compile(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?")
_PARENT = re.compile(r"projects/([^/]+)/locations/([^/]+)")
_NAME = re.compile(r"projects/([^/]+)/locations/([^/]+)/repositories/([^/]+)")


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


def check_repository_id(repository_id: str) -> None:
    if not _REPOSITORY_ID.fullmatch(repository_id):
        raise invalid(
            f"Invalid repository ID '{repository_id}': use 1-63 lowercase letters,"
            " digits and hyphens, starting with a letter and not ending with a hyphen."
        )


def parse_parent(projects: Projects, parent: str) -> tuple[str, str]:
    """The project ID and location of `projects/*/locations/*`."""
    match = _PARENT.fullmatch(parent)
    if match is None:
        raise invalid(f"Invalid parent '{parent}': expected projects/*/locations/*.")
    return projects.resolve(match[1]).project_id, match[2]


def parse_name(projects: Projects, name: str) -> RepositoryName:
    match = _NAME.fullmatch(name)
    if match is None:
        raise invalid(
            f"Invalid repository name '{name}': expected projects/*/locations/*/repositories/*."
        )
    return RepositoryName(projects.resolve(match[1]).project_id, match[2], match[3])
