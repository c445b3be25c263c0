"""What the `status` and `plan` tests share: the repository their secrets use, a count of the
calls that would change something, and readings of the status table and of a plan's checks."""

from __future__ import annotations

from tests.support import World, repository_name

REPO = repository_name("pypi")
WRITES = (
    "SecretManagerService.UpdateSecret",
    "SecretManagerService.AddSecretVersion",
    "SecretManagerService.DisableSecretVersion",
    "SecretManagerService.DestroySecretVersion",
    "SecretManagerService.SetIamPolicy",
    "ArtifactRegistry.UpdateRepository",
)


def writes(world: World) -> int:
    return sum(world.emulator.control.counts[method] for method in WRITES)


def lines_of(text: str) -> dict[str, str]:
    """First word of each line -> the rest, squeezed: a stable view of the status table."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip():
            key, _, rest = line.strip().partition(" ")
            found.setdefault(key, " ".join(rest.split()))
    return found


def checks_of(planned: dict) -> dict[str, dict]:
    return {f"{c['check']} {c['subject']}": c for c in planned["checks"]}
