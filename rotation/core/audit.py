"""One audit run over projects: every managed secret's findings (audit_findings), read in
parallel (status_reads). The function logs the result, the command line prints it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rotation.core.audit_findings import Finding, findings, token_expires_in_days
from rotation.core.errors import RotationError
from rotation.core.managed_secret import Services, utc_now
from rotation.core.model import SecretSnapshot
from rotation.core.ports import Topics
from rotation.core.settings import Settings
from rotation.core.status_reads import managed_in, read_all


@dataclass(frozen=True)
class SecretAudit:
    secret: str
    source: str | None = None
    findings: list[Finding] = field(default_factory=list)
    token_expires_in_days: float | None = None
    error: RotationError | None = None  # the secret could not be read, so it was not audited


@dataclass(frozen=True)
class AuditRun:
    projects: list[str]
    secrets: list[SecretAudit]

    @property
    def findings(self) -> list[Finding]:
        return [finding for audit in self.secrets for finding in audit.findings]

    @property
    def errors(self) -> list[SecretAudit]:
        return [audit for audit in self.secrets if audit.error is not None]


def audit(
    projects: Sequence[str],
    services: Services,
    settings: Settings,
    topics: Topics,
    now: Callable[[], datetime] = utc_now,
) -> AuditRun:
    """Every managed secret of the projects, audited; a project that cannot be listed raises."""
    listed: list[str | SecretSnapshot] = [
        snapshot for project in projects for snapshot in managed_in(project, services)
    ]
    return AuditRun(list(projects), audit_secrets(listed, services, settings, topics, now))


def audit_secrets(
    secrets: Sequence[str | SecretSnapshot],
    services: Services,
    settings: Settings,
    topics: Topics,
    now: Callable[[], datetime] = utc_now,
) -> list[SecretAudit]:
    """These secrets (by name, or as listed), audited, in the order given."""
    reads = read_all(secrets, services, settings, now, topics=topics)
    moment = now()
    audits = []
    for read in reads:
        if read.status is None:
            audits.append(SecretAudit(read.secret, error=read.error))
            continue
        audits.append(
            SecretAudit(
                read.secret,
                read.status.source,
                findings(read.status, settings, moment),
                token_expires_in_days(read.status, moment),
            )
        )
    return audits
