"""What in a secret's status needs an operator: `status` exits with EXIT_ATTENTION (3) when any
managed secret it read has one of these, so a script can alert on it."""

from __future__ import annotations

from rotation.cli.status import SecretStatus
from rotation.core.state import CURRENT, Phase


def attention(status: SecretStatus) -> list[str]:
    """Each thing that needs an operator, in words; empty when all is well (a secret never
    rotated yet, whose repositories use the token stored first, is well)."""
    rotation = status.rotation
    found = []
    if rotation.unfinished:
        stopped = f", stopped at step {rotation.failed_step}" if rotation.failed_step else ""
        found.append(
            f"rotation {rotation.rotation} is unfinished (phase {rotation.phase}{stopped})"
        )
    elif rotation.phase == Phase.FAILED.value:
        found.append(f"the last rotation, {rotation.rotation}, failed: {rotation.error}")
    found += [
        f"service agent {a.member} cannot read the secret" for a in status.agents if not a.can_read
    ]
    if not rotation.unfinished and any(v.alias == CURRENT for v in status.versions):
        found += [
            f"repository {r.name} is not on the current version"
            for r in status.repositories
            if r.version is not None and r.alias != CURRENT
        ]
    found += status.problems
    return found
