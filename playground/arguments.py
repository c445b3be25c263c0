"""The playground's command line; the ports' defaults may also come from the environment
(PLAYGROUND_GRPC_PORT, PLAYGROUND_HTTP_PORT), so `make playground` can move them."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path

from playground.loading import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENV_FILE = ROOT / ".playground" / "env"


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port from 0 to 65535 (0: a free one); got {text!r} (from the option, "
            "or PLAYGROUND_GRPC_PORT / PLAYGROUND_HTTP_PORT)"
        )
    return int(text)


def build_parser(environ: Mapping[str, str] | None = None) -> argparse.ArgumentParser:
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m playground",
        description="The emulator, a private GitLab-style upstream and the function, seeded from "
        "a file, until SIGINT or SIGTERM.",
    )
    parser.add_argument(
        "--grpc-port",
        type=_port,
        default=env.get("PLAYGROUND_GRPC_PORT", "8085"),  # argparse converts a string default
        help="the emulator's gRPC port (default 8085, or PLAYGROUND_GRPC_PORT; 0 picks a free one)",
    )
    parser.add_argument(
        "--http-port",
        type=_port,
        default=env.get("PLAYGROUND_HTTP_PORT", "8086"),
        help="the emulator's HTTP port (default 8086, or PLAYGROUND_HTTP_PORT; 0 picks a free one)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="PATH",
        help="what to create at start (default playground/playground.toml)",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        default=DEFAULT_ENV_FILE,
        metavar="PATH",
        help="where to write the export lines while it runs (default .playground/env)",
    )
    return parser
