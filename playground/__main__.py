"""`python -m playground` (`make playground`): start the playground, print its exports, the next
commands and `ready`, and serve until SIGINT or SIGTERM; then stop everything it started."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from google.api_core.exceptions import GoogleAPICallError

from playground.arguments import ROOT, build_parser
from playground.config import PlaygroundConfig
from playground.errors import PlaygroundError
from playground.exports import export_lines, exports, next_commands, write_env_file
from playground.loading import load
from playground.seed import seed
from playground.shutdown import Shutdown, Stopped
from playground.world import Ports, World
from rotation.gcp import clients

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _shown(path: Path) -> str:
    """`path` as the commands name it: relative to the checkout's root if inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _fail(message: str, remedy: str, code: int) -> int:
    print(f"playground: {message}\n  remedy: {remedy}", file=sys.stderr, flush=True)
    return code


def serve(config: PlaygroundConfig, ports: Ports, env_file: Path, shutdown: Shutdown) -> None:
    """Start, seed, announce, and wait for a signal (which raises Stopped)."""
    with World(config, ports, env_file.parent, shutdown.checkpoint) as world:
        assert world.emulator and world.authority and world.function
        variables = exports(world.emulator, config)
        os.environ.update(variables)
        clients.reset()
        seed(config, world.emulator, world.authority)
        world.push_topics_to_function()
        shutdown.checkpoint()
        write_env_file(env_file, variables)
        try:
            print(
                f"# emulator gRPC {world.emulator.grpc_target}, HTTP {world.emulator.http_url}; "
                f"function {world.function.url} (log {_shown(world.function.log_path)}); "
                f"token authority {world.authority.url}; seeded from {_shown(config.file)}"
            )
            print("\n".join(export_lines(variables)))
            print(f"# in another terminal, in {ROOT}, try:")
            print("\n".join(f"#   {line}" for line in next_commands(config, _shown(env_file))))
            print("# Ctrl-C stops the playground.")
            print("ready", flush=True)
            shutdown.serve()
        finally:
            env_file.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    shutdown = Shutdown()
    shutdown.install()
    try:
        config = load(args.config)
        serve(config, Ports(args.grpc_port, args.http_port), args.env_file, shutdown)
    except Stopped:
        print("playground: stopped", file=sys.stderr, flush=True)
        return EXIT_OK
    except PlaygroundError as error:
        return _fail(str(error), error.remedy, EXIT_USAGE)
    except GoogleAPICallError as error:
        return _fail(
            f"seeding from {_shown(args.config)} failed: {error}",
            f"correct {_shown(args.config)}; nothing of this start is left running",
            EXIT_FAILED,
        )
    except Exception:
        if shutdown.requested:  # Ctrl-C reached the children too, and their start failed
            print("playground: stopped while starting", file=sys.stderr, flush=True)
            return EXIT_OK
        raise
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
