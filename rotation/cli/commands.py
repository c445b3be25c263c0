"""The operator's command line: `python -m rotation` or `ar-token-rotator`.

It runs the function's own code with Application Default Credentials, or against the emulator
when the `*_EMULATOR_HOST` variables are set. Results go to stdout; progress, logs and errors to
stderr. Exit codes: 0 done, 1 the operation failed, 2 bad usage or configuration, and for
`status` and `audit` 3: every secret was read and one has a finding (core.audit_findings).
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from google.auth.exceptions import DefaultCredentialsError

from rotation.cli.arguments import build_parser
from rotation.cli.audit_command import audit_command
from rotation.cli.emulator_pushes import unanswered_pushes
from rotation.cli.history import history_command
from rotation.cli.plan import plan
from rotation.cli.report import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    TRANSIENT_REMEDY,
    note,
    report,
)
from rotation.cli.republish import republish, wait
from rotation.cli.rollback_cleanup import Cleanup, Rollback
from rotation.cli.secret_names import secret_name
from rotation.cli.status_command import status_command
from rotation.core import logs
from rotation.core.decisions import Outcome
from rotation.core.errors import (
    ConfigError,
    PermanentError,
    RotationBusy,
    RotationError,
)
from rotation.core.events import SECRET_ROTATE, SecretEvent
from rotation.core.history import Trigger
from rotation.core.managed_secret import not_managed
from rotation.core.rotation import Rotation
from rotation.core.state import CURRENT, PREVIOUS
from rotation.function import wiring
from rotation.gcp import clients
from rotation.gcp.deadlines import call_policies
from rotation.gcp.pubsub import Publisher


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(
        {
            "status": status_command,
            "audit": audit_command,
            "plan": _plan,
            "rotate": _rotate,
            "republish": _republish,
            "rollback": _rollback,
            "cleanup": _cleanup,
            "history": history_command,
        }
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse has printed the usage error (or the help)
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    if "AR_TOKEN_ROTATOR_USER_AGENT" not in os.environ:
        # Google's request logs (and the role contract's count of the function's calls) tell
        # this command line's calls from the function's by the user agent.
        os.environ["AR_TOKEN_ROTATOR_USER_AGENT"] = clients.CLI_USER_AGENT
        clients.reset()
    with logs.console():
        return _run(args.command, args)


def _run(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """The command's exit code; every error this package raises, reported with its remedy."""
    try:
        return command(args)
    except ConfigError as error:
        return report(error, error.remedy, EXIT_USAGE)
    except PermanentError as error:
        return report(error, error.remedy, EXIT_FAILED)
    except RotationBusy as error:
        return report(
            error, "wait until it is done or its lease expires; `status` shows it", EXIT_FAILED
        )
    except RotationError as error:
        return report(error, TRANSIENT_REMEDY, EXIT_FAILED)
    except DefaultCredentialsError:
        return report(
            "no Google credentials found",
            "gcloud auth application-default login; or, for the emulator, set the "
            "*_EMULATOR_HOST variables",
            EXIT_USAGE,
        )


def _plan(args: argparse.Namespace) -> int:
    name = secret_name(args.secret, args.project)
    now = wiring.clock()
    event = SecretEvent(SECRET_ROTATE, "plan", now(), name, args.force)
    result = plan(event, wiring.services(), wiring.settings(), now)
    if args.json:
        print(json.dumps(asdict(result), indent=2))
        return EXIT_OK
    print(f"plan for {result.secret} (source {result.source}): {result.verdict}; nothing changed")
    width = max(len(step.step) for step in result.steps)
    for number, step in enumerate(result.steps, 1):
        print(f"  {number}. {step.step.ljust(width)}  {step.action}")
        if step.step == "checks":
            for check in result.checks:
                remedy = f" (remedy: {check.remedy})" if check.remedy else ""
                outcome = "ok" if check.ok else "FAILED"
                print(f"       {outcome:6} {check.check} {check.subject}: {check.detail}{remedy}")
    return EXIT_OK


def _rotate(args: argparse.Namespace) -> int:
    name = secret_name(args.secret, args.project)
    now = wiring.clock()
    event = SecretEvent(SECRET_ROTATE, f"cli-{uuid.uuid4().hex[:12]}", now(), name, args.force)
    note(f"rotating {name} from this machine (rotation {event.message_id})")
    services, settings = wiring.services(), wiring.settings()
    rotation = Rotation(event, services, settings, now, rerun="rotate", trigger=Trigger.COMMAND)
    outcome = rotation.run()
    if outcome is Outcome.NOT_OPTED_IN:
        raise not_managed(services.secrets.get(name).name)
    secret = rotation.secret
    assert secret is not None  # the rotation read a managed secret
    if outcome is not Outcome.COMPLETED:
        print(f"{secret.name}: {outcome.value.replace('_', ' ')}; nothing changed")
        return EXIT_OK
    aliases = secret.snapshot.aliases
    previous = f", previous {aliases[PREVIOUS]}" if PREVIOUS in aliases else ""
    print(
        f"{secret.name}: rotation {secret.state.completed_rotation} completed; "
        f"current {aliases[CURRENT]}{previous}"
    )
    return EXIT_OK


def _republish(args: argparse.Namespace) -> int:
    name = secret_name(args.secret, args.project)
    services, settings = wiring.services(), wiring.settings()
    try:
        publisher: Publisher | None = Publisher(calls=call_policies(settings))
    except ModuleNotFoundError:
        publisher = None
    published = republish(
        name,
        services,
        settings,
        publisher,
        force=args.force,
        topic=args.topic,
        now=wiring.clock(),
    )
    forced = " with force=true" if args.force else ""
    note(f"published SECRET_ROTATE{forced} to {published.topic}; {published.expectation}")
    result: dict[str, Any] = {**asdict(published), "completed": None, "completed_rotation": None}
    result.pop("etag")
    result["published_at"] = published.published_at.isoformat()
    if args.wait and not published.skipped:
        state = wait(
            services,
            published,
            args.timeout,
            args.poll_seconds,
            note,
            unanswered=unanswered_pushes,
        )
        result["completed"] = state.completed_at.isoformat() if state.completed_at else None
        result["completed_rotation"] = state.completed_rotation
    if args.json:
        print(json.dumps(result, indent=2))
    elif result["completed_rotation"] == published.rotation:
        print(f"{published.message_id}: rotation {published.rotation} completed")
    elif result["completed_rotation"]:
        print(
            f"{published.message_id}: skipped, rotation {result['completed_rotation']} completed "
            "after it was published"
        )
    else:
        print(published.message_id)
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    name = secret_name(args.secret, args.project)
    result = Rollback(name, wiring.services(), wiring.settings(), wiring.clock()).run()
    swapped = f"; previous {result.previous}" if result.previous is not None else ""
    print(
        f"{name}: rolled back to version {result.current} (current{swapped}); "
        f"repositories: {', '.join(result.repositories)}"
    )
    return EXIT_OK


def _cleanup(args: argparse.Namespace) -> int:
    name = secret_name(args.secret, args.project)
    result = Cleanup(name, wiring.services(), wiring.settings(), wiring.clock()).run()
    kept = ", ".join(str(v) for v in result.kept)
    retired = ", ".join(str(v) for v in result.retired) or "none"
    print(f"{name}: retired versions {retired}; enabled and kept: {kept}")
    if result.failed:
        failed = ", ".join(str(v) for v in result.failed)
        return report(
            f"the tokens of versions {failed} could not be retired, so those versions stay enabled",
            "see the errors above; fix the cause at the token source, then run cleanup again",
            EXIT_FAILED,
        )
    return EXIT_OK
