"""A secret that opted in, read once with its configuration and its source: what a rotation and
an operator's command on one secret start from."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rotation.core import config, formats
from rotation.core.annotation_values import PREFIX
from rotation.core.config import RotationConfig
from rotation.core.errors import ConfigError
from rotation.core.formats import Served
from rotation.core.model import RemoteRepository, SecretSnapshot
from rotation.core.ports import AgentAccess, Projects, Repositories, Secrets
from rotation.core.secret_record import SecretRecord
from rotation.core.settings import Settings
from rotation.core.source import SourceContext, TokenSource
from rotation.core.state import RotationState
from rotation.core.token import Token


@dataclass
class Services:
    """The adapters the work on a secret talks through; one set per function instance (or
    command)."""

    secrets: Secrets
    repositories: Repositories
    projects: Projects
    access: AgentAccess
    sources: dict[str, TokenSource]


def utc_now() -> datetime:
    return datetime.now(UTC)


def source_keys(sources: Mapping[str, TokenSource]) -> dict[str, frozenset[str]]:
    return {name: source.keys for name, source in sources.items()}


@dataclass(frozen=True)
class Work:
    """Who works on a secret: its `kind` ("rotation", "rollback", ...) for what it raises, its
    `id` in the logs, and its `attempt`: the lease holder's id, new for each delivery."""

    kind: str
    id: str
    attempt: str

    @classmethod
    def new(cls, kind: str, work_id: str = "") -> Work:
        attempt = f"{kind}-{uuid.uuid4().hex}"
        return cls(kind, work_id or attempt, attempt)

    def fields(self, secret: str | None, step: str, **extra: object) -> dict[str, object]:
        """What every log line of the work on `secret` carries."""
        return {"secret": secret, "rotation": self.id, "step": step, **extra}


@dataclass
class ManagedSecret:
    """One managed secret and what works on it: `record` is the secret as last read or written,
    `work` names the rotation or command for its logs and its lease."""

    record: SecretRecord
    config: RotationConfig
    source: TokenSource
    services: Services
    settings: Settings
    now: Callable[[], datetime]
    work: Work
    secret_reads: dict[str, Token] = field(default_factory=dict)  # see SourceContext
    # What the secret's repositories proxy, once they are read (`serve`).
    served: Served = field(default_factory=Served)

    @classmethod
    def read(
        cls,
        name: str,
        services: Services,
        settings: Settings,
        work: Work,
        now: Callable[[], datetime] = utc_now,
    ) -> ManagedSecret | SecretRecord:
        """The secret with its configuration, or only its record if it did not opt in. Raises
        ConfigError (naming every problem) for a configuration it cannot use."""
        record = SecretRecord(services.secrets, services.secrets.get(name), work.kind, work.attempt)
        annotations = record.snapshot.annotations
        if not config.is_opted_in(annotations):
            return record
        parsed, problems = config.parse(annotations, settings, source_keys(services.sources))
        source = services.sources.get(parsed.source)
        if source is not None:
            with problems.check():
                source.validate(parsed)
        problems.raise_any(record.name)
        return cls(record, parsed, services.sources[parsed.source], services, settings, now, work)

    @classmethod
    def require(
        cls,
        name: str,
        services: Services,
        settings: Settings,
        work: Work,
        now: Callable[[], datetime] = utc_now,
    ) -> ManagedSecret:
        """read(), for an operator's command: a secret that did not opt in is a usage error."""
        found = cls.read(name, services, settings, work, now)
        if isinstance(found, SecretRecord):
            raise not_managed(found.name)
        return found

    @property
    def snapshot(self) -> SecretSnapshot:
        return self.record.snapshot

    @property
    def state(self) -> RotationState:
        return self.record.state

    @property
    def name(self) -> str:
        return self.record.name

    def fields(self, step: str, **extra: object) -> dict[str, object]:
        """What every log line of the work carries."""
        return self.work.fields(self.name, step, **extra)

    def serve(self, repositories: Sequence[RemoteRepository]) -> None:
        """Learn the format and upstreams of the repositories the secret feeds (read now); a
        ConfigError if their formats differ or no username suits them."""
        self.served = formats.served_by(self.name, repositories)
        self.username()

    def username(self) -> str:
        """The username the secret's repositories send upstream with its token."""
        return formats.username(
            self.config.username, self.source.default_username(self.config), self.served
        )

    def source_context(
        self, *, resumed: bool = False, valid_for: timedelta | None = None
    ) -> SourceContext:
        return SourceContext(
            self.snapshot,
            self.config,
            self.services.secrets,
            self.state.rotation or "",
            self.now(),
            resumed=resumed,
            valid_for=valid_for,
            secret_reads=self.secret_reads,
            served=self.served,
            username=self.username(),
        )


def not_managed(name: str) -> ConfigError:
    return ConfigError(
        f"secret {name} has no {PREFIX}source annotation, so ar-token-rotator does not manage it",
        remedy="name a secret that opted in, or add its token-rotator.* annotations "
        "(README: Configuration)",
    )
