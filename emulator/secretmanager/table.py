"""The secrets in memory: lookup by any spelling of a name, and the stamps every etag comes from."""

from __future__ import annotations

import re

import grpc

from emulator.core import ApiError, Clock, Projects, invalid
from emulator.secretmanager.model import ALIASES_ANY_STATE, StoredSecret, StoredVersion

_SECRET_NAME = re.compile(r"projects/([^/]+)/secrets/([^/]+)")
VERSION_NAME = re.compile(r"(projects/[^/]+/secrets/[^/]+)/versions/([^/]+)")


class SecretTable:
    """What the service holds; the caller holds the service's lock around every use."""

    def __init__(self, clock: Clock, projects: Projects) -> None:
        self.clock = clock
        self.projects = projects
        self.secrets: dict[str, StoredSecret] = {}  # canonical name -> secret, in creation order
        self.payloads: set[str] = set()
        self.aliases_of_retired = ALIASES_ANY_STATE
        self._last_stamp = 0

    def reset(self) -> None:
        self.secrets.clear()
        self.payloads.clear()
        self.aliases_of_retired = ALIASES_ANY_STATE

    def etag(self) -> str:
        return f'"{self._stamp():x}"'

    def policy_etag(self) -> bytes:
        return self._stamp().to_bytes(8, "big")

    def secret_name(self, name: str) -> str:
        """The canonical name, with the project number, of a name with its id or number."""
        match = _SECRET_NAME.fullmatch(name)
        if match is None:
            raise invalid(f"Invalid secret name {name!r}: expected projects/*/secrets/*.")
        return f"projects/{self.projects.resolve(match.group(1)).number}/secrets/{match.group(2)}"

    def entry(self, name: str) -> StoredSecret:
        canonical = self.secret_name(name)
        entry = self.secrets.get(canonical)
        if entry is None:
            raise ApiError(
                grpc.StatusCode.NOT_FOUND, f"Secret [{canonical}] not found or has no versions."
            )
        return entry

    def resolve(self, name: str) -> tuple[StoredSecret, StoredVersion]:
        """A version by number, `latest` (the newest, whatever its state) or alias."""
        match = VERSION_NAME.fullmatch(name)
        if match is None:
            raise invalid(
                f"Invalid version name {name!r}: expected projects/*/secrets/*/versions/*."
            )
        entry = self.entry(match.group(1))
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

    @property
    def last_stamp(self) -> int:
        """The last stamp given out: it moves with every write."""
        return self._last_stamp

    def _stamp(self) -> int:
        """Microseconds of the emulator clock, strictly increasing: the source of every etag."""
        micros = int(self.clock.now().timestamp() * 1_000_000)
        self._last_stamp = max(self._last_stamp + 1, micros)
        return self._last_stamp
