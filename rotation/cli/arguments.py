"""The command line's arguments: every subcommand, its options and their validation."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from rotation import __version__
from rotation.core.durations import parse_duration

Command = Callable[[argparse.Namespace], int]
# --poll-seconds: more often floods the API with reads; less often misses the operator's patience.
MIN_POLL_SECONDS = 0.1
MAX_POLL_SECONDS = 300.0


def build_parser(commands_by_name: Mapping[str, Command]) -> argparse.ArgumentParser:
    """The command line's parser; each subcommand's `command` default is its function."""
    parser = argparse.ArgumentParser(
        prog="ar-token-rotator",
        description="See and drive the rotation of Artifact Registry upstream tokens.",
        epilog="Exit codes: 0 done, 1 the operation failed, 2 bad usage or configuration; "
        "`status` and `audit` also 3: every secret was read and one needs attention (a finding: "
        "an overdue, unfinished or failed rotation, an expiring token, drift, a missing schedule "
        "or topic).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    status.set_defaults(command=commands_by_name["status"])

    audited = commands.add_parser(
        "audit",
        parents=[common],
        help="check every managed secret of --project as the daily audit does; exit 3 on a finding",
    )
    audited.add_argument("--json", action="store_true", help="JSON for scripts")
    audited.set_defaults(command=commands_by_name["audit"])

    planned = commands.add_parser(
        "plan", parents=[common], help="what a rotation would do now; changes nothing"
    )
    planned.add_argument("secret", metavar="SECRET", help=secret_help)
    planned.add_argument("--force", action="store_true", help="plan a forced rotation")
    planned.add_argument("--json", action="store_true", help="JSON for scripts")
    planned.set_defaults(command=commands_by_name["plan"])

    rotate = commands.add_parser(
        "rotate", parents=[common], help="rotate now from this machine, as the function would"
    )
    rotate.add_argument("secret", metavar="SECRET", help=secret_help)
    rotate.add_argument(
        "--force", action="store_true", help="rotate even within the minimum interval"
    )
    rotate.set_defaults(command=commands_by_name["rotate"])

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
        "--poll-seconds",
        type=_poll_seconds,
        default=2.0,
        help="how often --wait looks, in seconds (default 2)",
    )
    again.add_argument("--json", action="store_true", help="JSON for scripts")
    again.set_defaults(command=commands_by_name["republish"])

    rollback = commands.add_parser(
        "rollback",
        parents=[common],
        help="point every repository back at `previous` and swap current and previous",
    )
    rollback.add_argument("secret", metavar="SECRET", help=secret_help)
    rollback.set_defaults(command=commands_by_name["rollback"])

    cleanup = commands.add_parser(
        "cleanup", parents=[common], help="retire the versions and tokens beyond keep-versions now"
    )
    cleanup.add_argument("secret", metavar="SECRET", help=secret_help)
    cleanup.set_defaults(command=commands_by_name["cleanup"])

    history = commands.add_parser(
        "history", parents=[common], help="the secret's last rotations: trigger, times, outcome"
    )
    history.add_argument("secret", metavar="SECRET", help=secret_help)
    history.add_argument("--json", action="store_true", help="JSON for scripts")
    history.set_defaults(command=commands_by_name["history"])
    return parser


def _duration(text: str) -> Any:
    try:
        duration = parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if duration <= timedelta(0):
        raise argparse.ArgumentTypeError(f"{text!r} is not longer than zero; give e.g. 15m")
    return duration


def _poll_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not MIN_POLL_SECONDS <= seconds <= MAX_POLL_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text} is outside {MIN_POLL_SECONDS:g}..{MAX_POLL_SECONDS:g} seconds; give e.g. 2"
        )
    return seconds
