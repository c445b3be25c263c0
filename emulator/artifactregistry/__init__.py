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

from emulator.artifactregistry.names import RepositoryName
from emulator.artifactregistry.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from emulator.artifactregistry.service import ArtifactRegistry, SecretProjectForm

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "ArtifactRegistry",
    "RepositoryName",
    "SecretProjectForm",
]
