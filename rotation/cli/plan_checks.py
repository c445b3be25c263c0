"""`plan`'s checks: those a rotation makes before its source is asked for a token
(core.checks.preflight), each reported with its outcome rather than the first failure raised."""

from __future__ import annotations

from dataclasses import dataclass

from rotation.core import secret_users
from rotation.core.agents import ACCESSOR_ROLE, grant_command
from rotation.core.conflicts import conflict_error
from rotation.core.errors import PermanentError
from rotation.core.managed_secret import ManagedSecret
from rotation.core.model import RemoteRepository


@dataclass(frozen=True)
class PlannedCheck:
    """One check the rotation makes before the source is asked for a token (checks.preflight)."""

    check: str  # repository, conflict, access or source
    subject: str  # what was checked: a repository, the secret, the source's input secrets
    ok: bool
    detail: str
    remedy: str = ""


def access_step(secret: ManagedSecret, targets: list[RemoteRepository]) -> tuple[str, bool]:
    check = access_check(secret, targets)
    if not check.ok:
        return f"stop: {check.detail}, so no repository would change; {check.remedy}", False
    return check.detail, True


def preflight_checks(
    secret: ManagedSecret, listed: list[RemoteRepository]
) -> tuple[list[RemoteRepository], list[PlannedCheck]]:
    """checks.preflight's checks, each reported rather than the first failure raised: the
    targets as read, and every check with its outcome."""
    checks: list[PlannedCheck] = []
    targets: list[RemoteRepository] = []
    for target in listed:
        if target.password_secret_version:
            targets.append(target)
            checks.append(PlannedCheck("repository", target.name, True, "discovered, remote"))
            continue
        try:
            targets.append(secret.services.repositories.get(target.name))
        except PermanentError as error:
            checks.append(
                PlannedCheck("repository", target.name, False, str(error), remedy_of(error))
            )
            continue
        checks.append(PlannedCheck("repository", target.name, True, "exists, remote"))
    contested = secret_users.contested(secret, targets)
    if contested:
        conflict = conflict_error(secret.snapshot.name, contested)
        checks.append(
            PlannedCheck("conflict", secret.snapshot.name, False, str(conflict), conflict.remedy)
        )
    else:
        checks.append(
            PlannedCheck(
                "conflict", secret.snapshot.name, True, "no repository uses another secret"
            )
        )
    checks.append(access_check(secret, targets))
    checks.append(source_check(secret))
    return targets, checks


def access_check(secret: ManagedSecret, targets: list[RemoteRepository]) -> PlannedCheck:
    agents = secret_users.agents(secret, targets)
    missing = secret.services.access.missing(secret.snapshot, agents)
    subject = secret.snapshot.name
    if missing and not secret.config.grant_access:
        commands = "; ".join(grant_command(subject, m) for m in sorted(missing))
        return PlannedCheck(
            "access",
            subject,
            False,
            f"{', '.join(sorted(missing))} cannot read the secret",
            f"run {commands} (or set token-rotator.grant-access=true)",
        )
    if missing:
        detail = f"grant {ACCESSOR_ROLE} on the secret to {', '.join(sorted(missing))}"
    else:
        detail = f"{', '.join(sorted(agents))} can read the secret"
    return PlannedCheck("access", subject, True, detail)


def source_check(secret: ManagedSecret) -> PlannedCheck:
    inputs = [secret.source_context().secret_setting(k) for k in secret.source.input_secrets]
    subject = ", ".join(inputs) or f"source {secret.config.source}"
    try:
        secret.source.preflight(secret.source_context())
    except PermanentError as error:
        return PlannedCheck("source", subject, False, str(error), remedy_of(error))
    detail = "latest version enabled" if inputs else "nothing to read before minting"
    return PlannedCheck("source", subject, True, detail)


def checks_step(checks: list[PlannedCheck]) -> str:
    failed = [c for c in checks if not c.ok]
    if not failed:
        return f"all {len(checks)} checks pass before the source is asked for a token"
    said = "; ".join(
        f"{c.check} {c.subject}: {c.detail}" + (f" (remedy: {c.remedy})" if c.remedy else "")
        for c in failed
    )
    return (
        f"stop: {len(failed)} of {len(checks)} checks fail, so no token would be minted and "
        f"nothing would change: {said}"
    )


def remedy_of(error: PermanentError) -> str:
    return error.remedy or "see the error"
