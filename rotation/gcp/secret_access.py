"""Step 2: make sure every Artifact Registry service agent that will read the secret may read it.

Only unconditional bindings of a role that contains `secretmanager.versions.access` count; a
condition might not hold when Artifact Registry reads the secret, so it is not taken as proof.
"""

from __future__ import annotations

from collections.abc import Iterable

from google.iam.v1 import policy_pb2

from rotation.core import logs
from rotation.core.agents import ACCESSOR_ROLE, grant_command
from rotation.core.errors import AccessMissing, RotationBusy
from rotation.core.model import SecretSnapshot
from rotation.gcp.resource_manager import ProjectDirectory
from rotation.gcp.secret_manager import SecretStore

READER_ROLES = frozenset({ACCESSOR_ROLE, "roles/secretmanager.admin", "roles/owner"})
_GRANT_ATTEMPTS = 3


def readers(policy: policy_pb2.Policy) -> set[str]:
    return {
        member
        for binding in policy.bindings
        if binding.role in READER_ROLES and not binding.HasField("condition")
        for member in binding.members
    }


class AccessChecker:
    def __init__(self, secrets: SecretStore, projects: ProjectDirectory) -> None:
        self._secrets = secrets
        self._projects = projects

    def missing(self, secret: SecretSnapshot, agents: Iterable[str]) -> set[str]:
        """The agents that may read `secret` neither by a secret-level nor a project-level binding."""
        missing = set(agents) - readers(self._secrets.get_policy(secret.name))
        if missing:
            project_policy = self._projects.policy(secret.project_number)
            if project_policy is not None:
                missing -= readers(project_policy)
        return missing

    def ensure(self, secret: SecretSnapshot, agents: Iterable[str], grant: bool) -> None:
        """Return when every agent can read `secret`; grant it at secret level if allowed."""
        missing = self.missing(secret, agents)
        if not missing:
            return
        if not grant:
            commands = "; ".join(grant_command(secret.name, member) for member in sorted(missing))
            raise AccessMissing(
                f"Artifact Registry service agent(s) {', '.join(sorted(missing))} cannot read secret "
                f"{secret.name}; no repository was changed",
                remedy=f"run: {commands} (or set token-rotator.grant-access=true), then republish the event",
            )
        self._grant(secret.name, missing)

    def _grant(self, secret: str, members: set[str]) -> None:
        for _ in range(_GRANT_ATTEMPTS):
            policy = self._secrets.get_policy(secret)
            binding = next(
                (
                    b
                    for b in policy.bindings
                    if b.role == ACCESSOR_ROLE and not b.HasField("condition")
                ),
                None,
            )
            if binding is None:
                binding = policy.bindings.add(role=ACCESSOR_ROLE)
            binding.members.extend(sorted(members - set(binding.members)))
            try:
                self._secrets.set_policy(secret, policy)
            except RotationBusy:
                continue
            logs.info(
                "granted secret access to service agents", secret=secret, members=sorted(members)
            )
            return
        raise RotationBusy(
            f"the IAM policy of secret {secret} kept changing while access was granted"
        )
