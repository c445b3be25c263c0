"""The function's audit run: the projects an audit message names (or ALLOWED_PROJECTS), each
managed secret audited (core.audit), and the result as log events: one per finding (its `event`
is the finding's name), `audit_checked` per secret, `audit_completed` per run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rotation.core import logs
from rotation.core.audit import AuditRun, SecretAudit, audit
from rotation.core.audit_message import audit_projects
from rotation.core.errors import PermanentError
from rotation.core.events import MalformedEvent, loggable_id
from rotation.core.managed_secret import Services
from rotation.core.ports import Topics
from rotation.core.settings import Settings
from rotation.function import wiring
from rotation.gcp.deadlines import call_policies
from rotation.gcp.pubsub import TopicDirectory


def handle_audit(cloud_event: Any) -> None:
    """The audit message: a malformed one, or a project that cannot be listed, is logged and
    acknowledged; a transient failure raises, so Pub/Sub redelivers it (the audit only reads)."""
    try:
        projects = audit_projects(cloud_event)
    except MalformedEvent as error:
        logs.error(
            f"malformed audit message acknowledged without action: {error}",
            event="malformed_event",
            cloud_event_id=loggable_id(cloud_event),
        )
        return
    config = wiring.settings()
    topics = TopicDirectory(calls=call_policies(config))  # one per run: topics looked up once
    try:
        run_audit(projects, wiring.services(), config, topics, wiring.clock())
    except PermanentError as error:
        logs.error(
            f"audit failed: {error}",
            event="audit_failed",
            error_type=type(error).__name__,
            remedy=error.remedy or None,
        )


def run_audit(
    requested: list[str],
    services: Services,
    settings: Settings,
    topics: Topics,
    now: Callable[[], datetime],
) -> AuditRun | None:
    """Audit and log; None when there is no project to audit (nothing named, none allowed)."""
    projects = _projects(requested, services, settings)
    if not projects:
        logs.warning(
            "no project to audit: the message names none allowed, or none and ALLOWED_PROJECTS "
            "is empty",
            event="audit_skipped",
            remedy='name the projects in the message ({"projects": [...]}) or set ALLOWED_PROJECTS',
        )
        return None
    run = audit(projects, services, settings, topics, now)
    for checked in run.secrets:
        _log(checked)
    logs.info(
        f"audit of {len(run.secrets)} managed secret(s): {len(run.findings)} finding(s)",
        event="audit_completed",
        secrets=len(run.secrets),
        findings=len(run.findings),
        projects=run.projects,
        unreadable=len(run.errors) or None,
    )
    return run


def _projects(requested: list[str], services: Services, settings: Settings) -> list[str]:
    """The requested projects this function may act on (all of ALLOWED_PROJECTS if none)."""
    allowed = settings.allowed_projects
    if not requested:
        return sorted(allowed)
    chosen = []
    for project in requested:
        if settings.allows(project, services.projects.number):
            chosen.append(project)
        else:
            logs.warning(
                f"project {project} is outside ALLOWED_PROJECTS; not audited",
                event="project_not_allowed",
                project=project,
            )
    return chosen


def _log(checked: SecretAudit) -> None:
    if checked.error is not None:
        remedy = checked.error.remedy if isinstance(checked.error, PermanentError) else None
        logs.error(
            f"secret {checked.secret} could not be audited: {checked.error}",
            event="audit_failed",
            secret=checked.secret,
            error_type=type(checked.error).__name__,
            remedy=remedy or "the next audit tries again",
        )
        return
    for finding in checked.findings:
        logs.log(
            finding.severity,
            f"{finding.finding}: {finding.detail}",
            event=finding.finding,
            secret=finding.secret,
            finding=finding.finding,
            remedy=finding.remedy,
            detail=finding.detail,
        )
    logs.info(
        f"audited: {len(checked.findings)} finding(s)",
        event="audit_checked",
        secret=checked.secret,
        source=checked.source,
        findings=len(checked.findings),
        token_expires_in_days=checked.token_expires_in_days,
    )
