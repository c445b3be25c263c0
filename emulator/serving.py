"""The one way the emulator runs an HTTP server: on loopback, from a background thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


class StartStop:
    """The context protocol of every emulator server: `start()` on entry, `stop()` on exit."""

    def start(self) -> object:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _ThreadingServer(ThreadingHTTPServer):
    """One daemon thread per request, so a request still running never holds up stopping."""

    daemon_threads = True

    def __init__(
        self, port: int, handler_class: type[BaseHTTPRequestHandler], quiet_errors: bool
    ) -> None:
        super().__init__(("127.0.0.1", port), handler_class)
        self.quiet_errors = quiet_errors

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not self.quiet_errors:
            super().handle_error(request, client_address)


class BackgroundServer(StartStop):
    """Serves `handler_class` on 127.0.0.1:`port` (0 picks a free port) from a daemon thread.

    `start()` binds the port and returns it; `stop()` ends serving and waits for the thread; as a
    context manager it starts on entry and stops on exit. `quiet_errors` drops the traceback of a
    request that failed in the middle (e.g. a connection its caller dropped on purpose).
    """

    def __init__(
        self,
        handler_class: type[BaseHTTPRequestHandler],
        port: int = 0,
        *,
        name: str,
        quiet_errors: bool = False,
    ) -> None:
        self._handler_class = handler_class
        self._requested_port = port
        self._name = name
        self._quiet_errors = quiet_errors
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port; 0 before `start()`."""
        return int(self._server.server_address[1]) if self._server is not None else 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> int:
        self._server = _ThreadingServer(
            self._requested_port, self._handler_class, self._quiet_errors
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=self._name, daemon=True
        )
        self._thread.start()
        return self.port

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
