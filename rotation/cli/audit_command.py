"""`audit`: every managed secret of a project checked as the function's daily audit checks it
(core.audit_findings), as text or JSON; exit 3 when there is any finding, so CI can alert on it."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rotation.cli.report import EXIT_ATTENTION, EXIT_OK, note
from rotation.cli.secret_names import project_of
from rotation.cli.status_command import failed_code, unreadable
from rotation.core.audit import AuditRun, SecretAudit, audit
from rotation.function import wiring
from rotation.gcp.deadlines import call_policies
from rotation.gcp.pubsub import TopicDirectory


def audit_command(args: argparse.Namespace) -> int:
    settings = wiring.settings()
    project = project_of(args.project, "give --project, the project whose secrets to audit")
    run = audit(
        [project],
        wiring.services(),
        settings,
        TopicDirectory(calls=call_policies(settings)),
        wiring.clock(),
    )
    if not run.secrets:
        note(f"no secret of project {project} has a token-rotator.source annotation")
    code = EXIT_OK
    results: list[dict[str, Any]] = []
    for checked in run.secrets:
        if checked.error is not None:
            code = max(code, failed_code(checked.error))
            results.append(unreadable(checked.secret, checked.error, code))
        elif args.json:
            results.append(_as_json(checked))
        else:
            print("\n".join(_lines(checked)))
    if args.json:
        print(json.dumps({"projects": run.projects, "secrets": results}, indent=2))
    else:
        print(_summary(run))
    if code == EXIT_OK and run.findings:
        return EXIT_ATTENTION
    return code


def _as_json(checked: SecretAudit) -> dict[str, Any]:
    return {
        "secret": checked.secret,
        "source": checked.source,
        "token_expires_in_days": checked.token_expires_in_days,
        "findings": [finding.as_dict() for finding in checked.findings],
    }


def _lines(checked: SecretAudit) -> list[str]:
    expiry = checked.token_expires_in_days
    expires = f"token expires in {expiry:g} days" if expiry is not None else "token expiry unknown"
    verdict = f"{len(checked.findings)} finding(s)" if checked.findings else "ok"
    lines = [f"{checked.secret} ({checked.source}, {expires}): {verdict}"]
    for finding in checked.findings:
        lines.append(f"  {finding.severity:7} {finding.finding}: {finding.detail}")
        lines.append(f"          remedy: {finding.remedy}")
    return lines


def _summary(run: AuditRun) -> str:
    audited = len(run.secrets) - len(run.errors)
    unread = f", {len(run.errors)} could not be read" if run.errors else ""
    return (
        f"audited {audited} managed secret(s) of {', '.join(run.projects)}{unread}: "
        f"{len(run.findings)} finding(s)"
    )
