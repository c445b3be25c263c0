"""Run the emulator as a process: `python -m emulator --grpc-port 8085 --http-port 8086`.

It prints `export NAME=VALUE` lines for a shell to eval, then `ready`, and serves until SIGINT or
SIGTERM.
"""

from __future__ import annotations

import argparse
import re
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from emulator.app import DEFAULT_PROJECTS, Emulator

_PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")


def _project(value: str) -> tuple[str, int]:
    project_id, _, number = value.partition("=")
    if not _PROJECT_ID.fullmatch(project_id) or not number.isdigit() or int(number) == 0:
        raise argparse.ArgumentTypeError(
            f"expected ID=NUMBER, e.g. my-project=123456789012 (a project ID is 6-30 lowercase"
            f" letters, digits and hyphens starting with a letter); got {value!r}"
        )
    return project_id, int(number)


def _url(value: str) -> str:
    if not re.fullmatch(r"https?://\S+", value):
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL; got {value!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    default_projects = " ".join(f"{pid}={number}" for pid, number in DEFAULT_PROJECTS.items())
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Secret Manager, Artifact Registry, Resource Manager and Pub/Sub emulator.",
    )
    parser.add_argument("--grpc-port", type=int, default=8085, help="0 picks a free port")
    parser.add_argument("--http-port", type=int, default=8086, help="0 picks a free port")
    parser.add_argument(
        "--project",
        type=_project,
        action="append",
        metavar="ID=NUMBER",
        help=f"a project the emulator knows; repeatable; replaces {default_projects}",
    )
    parser.add_argument(
        "--push-endpoint",
        type=_url,
        help="Eventarc-style: every topic's messages as CloudEvents (push subscriptions made "
        "with the Pub/Sub client filter and push on their own)",
    )
    return parser


def _projects(parser: argparse.ArgumentParser, pairs: list[tuple[str, int]]) -> dict[str, int]:
    projects = dict(pairs)
    if len(projects) != len(pairs) or len(set(projects.values())) != len(pairs):
        parser.error("argument --project: each project ID and each number may appear only once")
    return projects


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    projects = _projects(parser, args.project) if args.project else None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    emulator = Emulator(
        projects=projects,
        grpc_port=args.grpc_port,
        http_port=args.http_port,
        push_endpoint=args.push_endpoint,
    )
    with emulator:
        for name, value in emulator.env(control=True).items():
            print(f"export {name}={value}")
        print("ready", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
