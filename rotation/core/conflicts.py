"""One repository, two secrets: a target repository that points at a version of another secret.

Two secrets whose annotations name the same repository would take it from each other at every
rotation. So a rotation takes a repository from another secret only when the annotation
`token-rotator.take-over-from` names that secret; otherwise it stops before minting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rotation.core.annotation_values import PREFIX, secret_reference
from rotation.core.config import RotationConfig
from rotation.core.errors import PermanentError
from rotation.core.model import RemoteRepository, SecretVersionRef

TAKE_OVER_KEY = "take-over-from"


@dataclass(frozen=True)
class Conflict:
    repository: str
    other_secret: str  # projects/P/secrets/S, as the repository names it


def secret_of(version_name: str) -> str | None:
    """The secret a version name belongs to: projects/P/secrets/S."""
    ref = SecretVersionRef.parse(version_name)
    return None if ref is None else f"projects/{ref.project}/secrets/{ref.secret_id}"


def same_secret(first: str, second: str, project_number: Callable[[str], str]) -> bool:
    """Whether two secret names name the same secret; a project id and its number are the same."""
    a_project, a_id = first.split("/")[1], first.split("/")[3]
    b_project, b_id = second.split("/")[1], second.split("/")[3]
    if a_id != b_id:
        return False
    return a_project == b_project or project_number(a_project) == project_number(b_project)


def allowed_takeovers(config: RotationConfig, secret: str) -> list[str]:
    """The secrets `token-rotator.take-over-from` names (comma-separated ids or full names)."""
    text = config.source_settings.get(TAKE_OVER_KEY, "")
    return [
        secret_reference(part.strip(), secret, TAKE_OVER_KEY)
        for part in text.split(",")
        if part.strip()
    ]


def conflicts(
    targets: Iterable[RemoteRepository],
    secret: str,
    allowed: list[str],
    project_number: Callable[[str], str],
) -> list[Conflict]:
    """The targets that point at a version of another secret not in `allowed`. Decides only."""
    found = []
    for target in targets:
        other = secret_of(target.password_secret_version)
        if other is None or same_secret(other, secret, project_number):
            continue
        if any(same_secret(other, name, project_number) for name in allowed):
            continue
        found.append(Conflict(target.name, other))
    return found


def conflict_error(secret: str, found: list[Conflict]) -> PermanentError:
    """One error naming every contested repository, both secrets, and the two ways out."""
    where = "; ".join(f"{c.repository} points at a version of {c.other_secret}" for c in found)
    others = ", ".join(dict.fromkeys(c.other_secret for c in found))
    return PermanentError(
        f"secret {secret} would take repositories from another secret: {where}; no token was "
        "minted and no repository was changed",
        remedy=f"if both secrets name the repository, remove it from {PREFIX}repositories of "
        f"one of them; to move it to {secret} on purpose, set {PREFIX}{TAKE_OVER_KEY}={others} "
        f"on {secret}, then republish",
    )
