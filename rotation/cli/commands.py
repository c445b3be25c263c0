"""The operator's command line: `python -m rotation` or `ar-token-rotator`.

It runs the function's own code with Application Default Credentials, or against the emulator
when the `*_EMULATOR_HOST` variables are set. Results go to stdout; progress, logs and errors to
stderr. Exit codes: 0 done, 1 the operation failed, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from google.auth.exceptions import DefaultCredentialsError

from rotation.cli.plan import plan
from rotation.cli.republish import republish, wait
from rotation.cli.rollback_cleanup import Cleanup, Rollback
from rotation.cli.status import as_json, collect, render
from rotation.core import logs
from rotation.core.annotation_values import SECRET, SECRET_ID
from rotation.core.config import is_opted_in
from rotation.core.decisions import Outcome
from rotation.core.durations import parse_duration
from rotation.core.errors import (
    ConfigError,
    InvalidAnnotations,
    PermanentError,
    RotationBusy,
    RotationError,
    problems_of,
)
from rotation.core.events import SECRET_ROTATE, SecretEvent
from rotation.core.managed_secret import not_managed, utc_now
from rotation.core.rotation import Rotation
from rotation.core.state import CURRENT, PREVIOUS
from rotation.function import wiring
from rotation.gcp import clients
from rotation.gcp.deadlines import call_policies
from rotation.gcp.pubsub import Publisher

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_PROJECT_VARIABLES = ("GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")
_TRANSIENT_REMEDY = (
    "try again; if it persists, check the network and the credentials "
    "(gcloud auth application-default login), or the *_EMULATOR_HOST variables"
)


class UsageError(ConfigError):
    """The command line names something this tool cannot act on."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
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
        return _report(error, error.remedy, EXIT_USAGE)
    except PermanentError as error:
        return _report(error, error.remedy, EXIT_FAILED)
    except RotationBusy as error:
        return _report(
            error, "wait until it is done or its lease expires; `status` shows it", EXIT_FAILED
        )
    except RotationError as error:
        return _report(error, _TRANSIENT_REMEDY, EXIT_FAILED)
    except DefaultCredentialsError:
        return _report(
            "no Google credentials found",
            "gcloud auth application-default login; or, for the emulator, set the "
            "*_EMULATOR_HOST variables",
            EXIT_USAGE,
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ar-token-rotator",
        description="See and drive the rotation of Artifact Registry upstream tokens.",
        epilog="Exit codes: 0 done, 1 the operation failed, 2 bad usage or configuration.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--project",
        help="project of secrets given by id alone (default: $GOOGLE_CLOUD_PROJECT, "
        "$CLOUDSDK_CORE_PROJECT)",
    )
    secret_help = "projects/PROJECT/secrets/SECRET, or SECRET with --project"

    status = commands.add_parser(
        "status", parents=[common], help="versions, repositories, access and the last rotation"
    )
    status.add_argument(
        "secrets",
        nargs="*",
        metavar="SECRET",
        help=f"{secret_help}; none: every managed secret of --project",
    )
    status.add_argument("--json", action="store_true", help="JSON for scripts")
    status.set_defaults(command=_status)

    planned = commands.add_parser(
        "plan", parents=[common], help="what a rotation would do now; changes nothing"
    )
    planned.add_argument("secret", metavar="SECRET", help=secret_help)
    planned.add_argument("--force", action="store_true", help="plan a forced rotation")
    planned.add_argument("--json", action="store_true", help="JSON for scripts")
    planned.set_defaults(command=_plan)

    rotate = commands.add_parser(
        "rotate", parents=[common], help="rotate now from this machine, as the function would"
    )
    rotate.add_argument("secret", metavar="SECRET", help=secret_help)
    rotate.add_argument(
        "--force", action="store_true", help="rotate even within the minimum interval"
    )
    rotate.set_defaults(command=_rotate)

    again = commands.add_parser(
        "republish",
        parents=[common],
        help="publish SECRET_ROTATE to the secret's topic, so the deployed function rotates",
    )
    again.add_argument("secret", metavar="SECRET", help=secret_help)
    again.add_argument(
        "--force", action="store_true", help="rotate even within the minimum interval"
    )
    again.add_argument("--topic", help="the topic, when the secret notifies several")
    again.add_argument(
        "--wait", action="store_true", help="follow the rotation until the function is done"
    )
    again.add_argument(
        "--timeout", type=_duration, default="15m", help="how long --wait waits (default 15m)"
    )
    again.add_argument(
        "--poll-seconds", type=float, default=2.0, help="how often --wait looks (default 2)"
    )
    again.add_argument("--json", action="store_true", help="JSON for scripts")
    again.set_defaults(command=_republish)

    rollback = commands.add_parser(
        "rollback",
        parents=[common],
        help="point every repository back at `previous` and swap current and previous",
    )
    rollback.add_argument("secret", metavar="SECRET", help=secret_help)
    rollback.set_defaults(command=_rollback)

    cleanup = commands.add_parser(
        "cleanup", parents=[common], help="retire the versions and tokens beyond keep-versions now"
    )
    cleanup.add_argument("secret", metavar="SECRET", help=secret_help)
    cleanup.set_defaults(command=_cleanup)
    return parser


def _duration(text: str) -> Any:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _status(args: argparse.Namespace) -> int:
    services, settings = wiring.services(), wiring.settings()
    if args.secrets:
        names = [_secret(text, args.project) for text in args.secrets]
    else:
        project = _project(args.project, "name a secret, or give --project to see all of one")
        names = [s.name for s in services.secrets.in_project(project) if is_opted_in(s.annotations)]
        if not names:
            _note(f"no secret of project {project} has a token-rotator.source annotation")
    results: list[dict[str, Any]] = []
    code = EXIT_OK
    now = utc_now()
    for index, name in enumerate(names):
        try:
            status = collect(name, services, settings)
        except RotationError as error:
            remedy = error.remedy if isinstance(error, PermanentError) else _TRANSIENT_REMEDY
            code = max(code, EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILED)
            _report(error, remedy, code, secret=name)
            failed: dict[str, Any] = {"secret": name, "error": str(error), "remedy": remedy}
            if isinstance(error, ConfigError):
                failed["problems"] = [p.as_dict() for p in problems_of(error)]
            results.append(failed)
            continue
        if args.json:
            results.append(as_json(status))
        else:
            if index:
                print()
            print("\n".join(render(status, now)))
    if args.json:
        print(json.dumps(results, indent=2))
    return code


def _plan(args: argparse.Namespace) -> int:
    name = _secret(args.secret, args.project)
    event = SecretEvent(SECRET_ROTATE, "plan", utc_now(), name, args.force)
    result = plan(event, wiring.services(), wiring.settings())
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
    name = _secret(args.secret, args.project)
    event = SecretEvent(SECRET_ROTATE, f"cli-{uuid.uuid4().hex[:12]}", utc_now(), name, args.force)
    _note(f"rotating {name} from this machine (rotation {event.message_id})")
    services, settings = wiring.services(), wiring.settings()
    rotation = Rotation(event, services, settings)
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
    name = _secret(args.secret, args.project)
    services, settings = wiring.services(), wiring.settings()
    try:
        publisher: Publisher | None = Publisher(calls=call_policies(settings))
    except ModuleNotFoundError:
        publisher = None
    published = republish(name, services, settings, publisher, force=args.force, topic=args.topic)
    forced = " with force=true" if args.force else ""
    _note(f"published SECRET_ROTATE{forced} to {published.topic}; {published.expectation}")
    result: dict[str, Any] = {**asdict(published), "completed": None}
    result.pop("etag")
    if args.wait and not published.skipped:
        state = wait(services, published, args.timeout, args.poll_seconds, _note)
        result["completed"] = state.completed_at.isoformat() if state.completed_at else None
    if args.json:
        print(json.dumps(result, indent=2))
    elif result["completed"]:
        print(f"{published.message_id}: rotation {published.rotation} completed")
    else:
        print(published.message_id)
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    name = _secret(args.secret, args.project)
    result = Rollback(name, wiring.services(), wiring.settings()).run()
    swapped = f"; previous {result.previous}" if result.previous is not None else ""
    print(
        f"{name}: rolled back to version {result.current} (current{swapped}); "
        f"repositories: {', '.join(result.repositories)}"
    )
    return EXIT_OK


def _cleanup(args: argparse.Namespace) -> int:
    name = _secret(args.secret, args.project)
    result = Cleanup(name, wiring.services(), wiring.settings()).run()
    kept = ", ".join(str(v) for v in result.kept)
    retired = ", ".join(str(v) for v in result.retired) or "none"
    print(f"{name}: retired versions {retired}; enabled and kept: {kept}")
    if result.failed:
        failed = ", ".join(str(v) for v in result.failed)
        return _report(
            f"the tokens of versions {failed} could not be retired, so those versions stay enabled",
            "see the errors above; fix the cause at the token source, then run cleanup again",
            EXIT_FAILED,
        )
    return EXIT_OK


def _secret(text: str, project: str | None) -> str:
    if SECRET.match(text):
        return text
    if SECRET_ID.match(text):
        chosen = _project(project, f"give projects/PROJECT/secrets/{text}, or --project")
        return f"projects/{chosen}/secrets/{text}"
    raise UsageError(
        f"{text!r} is not a secret name",
        remedy="give projects/PROJECT/secrets/SECRET, or a secret id with --project "
        "(regional secrets are not supported)",
    )


def _project(given: str | None, remedy: str) -> str:
    project = given or next((os.environ[v] for v in _PROJECT_VARIABLES if os.environ.get(v)), None)
    if not project:
        raise UsageError("no project given", remedy=remedy)
    return project


def _note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _report(error: object, remedy: str, code: int, secret: str | None = None) -> int:
    """The error and its remedy on stderr; an InvalidAnnotations as one line per problem, each
    with its key, value and remedy. `secret` names what the error is about, for a listing of
    several; it leads the line unless the error names it already."""
    if isinstance(error, InvalidAnnotations) and len(error.problems) > 1:
        _note(f"error: {error.secret}: {len(error.problems)} invalid token-rotator.* annotations:")
        for problem in error.problems:
            value = "(missing)" if problem.value is None else repr(problem.value)
            _note(f"  {problem.key}={value}: {problem.problem}")
            _note(f"    remedy: {problem.remedy}")
        return code
    about = f"{secret}: " if secret and secret not in str(error) else ""
    _note(f"error: {about}{error}")
    if remedy:
        _note(f"remedy: {remedy}")
    return code
