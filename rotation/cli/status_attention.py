"""What in a secret's status needs an operator: `status` exits with EXIT_ATTENTION (3) when any
managed secret it read has one, so a script can alert on it. The same findings as the audit's
(core.audit_findings), in words."""

from __future__ import annotations

from datetime import datetime

from rotation.core.audit_findings import findings
from rotation.core.settings import Settings
from rotation.core.status_model import SecretStatus


def attention(status: SecretStatus, settings: Settings, now: datetime) -> list[str]:
    """Each thing that needs an operator, in words; empty when all is well (a secret never
    rotated yet, whose repositories use the token stored first, is well)."""
    return [finding.detail for finding in findings(status, settings, now)]
