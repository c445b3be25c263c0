"""Runs pypiserver with a CredentialFile as its authenticator: `python -m emulator.index_server`.

pypiserver's own `-P htpasswd` holds one password per user; a token upstream holds many.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pypiserver

from emulator.credentials import CredentialFile


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """pypiserver logs requests itself."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--credentials", type=Path, required=True)
    parser.add_argument("--open-reads", action="store_true", help="like pypi.org: no auth on reads")
    parser.add_argument("packages", type=Path)
    args = parser.parse_args()
    credentials = CredentialFile(args.credentials)
    app = pypiserver.app(
        roots=[str(args.packages)],
        authenticate=["update"] if args.open_reads else ["list", "download", "update"],
        password_file=str(args.credentials),
        auther=credentials.check,
        disable_fallback=True,
    )
    server = make_server(
        "127.0.0.1", args.port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
