"""The stored data of Secret Manager: a secret, its IAM policy, its versions and their states."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from google.cloud import secretmanager_v1 as sm
from google.iam.v1 import policy_pb2

State = sm.SecretVersion.State
# mypy reads proto-plus enum members as plain ints; these are typed as the enum.
ENABLED, DISABLED, DESTROYED = State(State.ENABLED), State(State.DISABLED), State(State.DESTROYED)
# Whether an alias may point at a DISABLED or DESTROYED version is undocumented (FIDELITY.md):
# ALIASES_ANY_STATE lets it; ALIASES_ENABLED_ONLY refuses an alias update naming such a version,
# and disabling or destroying a version an alias names. Tests run the function under both.
ALIASES_ANY_STATE = "any-state"
ALIASES_ENABLED_ONLY = "enabled-only"


@dataclass
class StoredVersion:
    version: sm.SecretVersion
    data: bytes | None  # None once destroyed

    def destroy(self, now: datetime, etag: str) -> None:
        """Destroy now: the payload is gone for good and any scheduled destruction is done."""
        self.version.state = DESTROYED
        self.version.destroy_time = now
        del self.version.scheduled_destroy_time
        self.version.etag = etag
        self.data = None


@dataclass
class StoredSecret:
    secret: sm.Secret
    policy: policy_pb2.Policy
    versions: dict[int, StoredVersion] = field(default_factory=dict)
    last_number: int = 0
