"""What a rotation needs from Google, as interfaces: the adapters in rotation.gcp implement them,
and the core never imports a Google client."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from rotation.core.model import RemoteRepository, SecretSnapshot, VersionInfo
from rotation.core.token import Token


class SecretReader(Protocol):
    """What a token source may do with other secrets (root, staging, minting): read them."""

    def access(self, version_name: str) -> Token: ...

    def read(self, version_name: str) -> tuple[str, Token]:
        """The version's name as answered (`latest` or an alias resolved) and its token."""
        ...


class Secrets(SecretReader, Protocol):
    """Secret Manager: secrets with their annotations and aliases, and their versions."""

    def get(self, name: str) -> SecretSnapshot: ...

    def notification_body(self, name: str) -> dict[str, Any]: ...

    def in_project(self, project: str) -> list[SecretSnapshot]: ...

    def write(
        self,
        snapshot: SecretSnapshot,
        annotations: dict[str, str] | None = None,
        aliases: dict[str, int] | None = None,
    ) -> SecretSnapshot:
        """Replace annotations and/or aliases if nobody changed the secret since `snapshot`."""
        ...

    def add_version(self, name: str, token: Token) -> int: ...

    def versions(self, name: str) -> list[VersionInfo]: ...

    def retire_version(self, version_name: str, destroy: bool) -> None: ...


class Repositories(Protocol):
    """Artifact Registry's remote repositories."""

    def get(self, name: str) -> RemoteRepository: ...

    def list_remote(self, location: str) -> list[RemoteRepository]: ...

    def repoint(self, name: str, username: str, version_name: str) -> RemoteRepository: ...


class Projects(Protocol):
    """Resource Manager: a project id or number -> its number."""

    def number(self, project: str) -> str: ...


class AgentAccess(Protocol):
    """Whether Artifact Registry's service agents may read a secret, and granting it."""

    def missing(self, secret: SecretSnapshot, agents: Iterable[str]) -> set[str]: ...

    def ensure(self, secret: SecretSnapshot, agents: Iterable[str], grant: bool) -> None: ...
