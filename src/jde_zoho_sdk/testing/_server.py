"""Serve a WSGI app on a real loopback socket in a background thread (standard library only).

The emulators must work on a bare install, so this uses :mod:`wsgiref` with one thread per connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import httpx

from jde_zoho_sdk._redact import get_logger

__all__ = ["SOCKET_ENVIRON_KEY", "EmulatorTransport", "InjectedResetError", "Latency", "serve_wsgi"]

_log = get_logger("jde_zoho_sdk.testing.server")

SOCKET_ENVIRON_KEY = "jde_zoho_sdk.socket"
"""WSGI environ key holding the client socket, so fault injection can reset a connection."""


class InjectedResetError(ConnectionResetError):
    """Raised by fault injection to drop a connection without an answer.

    A ``ConnectionResetError``, so wsgiref drops the connection quietly instead of answering 500.
    """


class EmulatorTransport(httpx.WSGITransport):
    """``httpx.WSGITransport`` for an emulator served in-process.

    A connection reset injected by :mod:`~jde_zoho_sdk.testing.faults` reaches the client as
    ``httpx.ReadError``, as it would over a socket.
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run the request through the WSGI app."""
        try:
            return super().handle_request(request)
        except InjectedResetError as reset:
            raise httpx.ReadError("connection reset by peer", request=request) from reset


class Latency:
    """WSGI middleware: every request takes ``seconds`` before the app answers it; counts requests in flight.

    The wait happens before the app runs, outside any lock the app takes, so concurrent requests wait
    together, as on a server that answers calls in parallel.

    Args:
        app: The application answering after the wait.
        seconds: How long each request takes (0: no wait).
        sleep: How the wait is spent (a test injects one that never sleeps).
    """

    def __init__(
        self, app: WSGIApplication, seconds: float = 0.0, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.peak = 0
        """The most requests that were in flight at once."""
        self._sleep = sleep
        self._lock = threading.Lock()
        self._in_flight = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Wait, then answer through the app."""
        with self._lock:
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
        try:
            if self.seconds:
                self._sleep(self.seconds)
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self._in_flight -= 1


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    # A burst of concurrent clients (benchmarks, concurrency tests) must not be refused by a short backlog.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        _log.debug("error while serving %s", client_address, exc_info=True)


class _QuietHandler(WSGIRequestHandler):
    """Logs through :mod:`logging` at DEBUG instead of printing every request to stderr."""

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ[SOCKET_ENVIRON_KEY] = self.connection
        return environ

    def log_message(self, format: str, *args: object) -> None:
        _log.debug("%s " + format, self.address_string(), *args)

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:
            # The client went away (or a fault injection reset the socket); nothing to answer.
            return


@contextmanager
def serve_wsgi(app: WSGIApplication, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` on ``host:port`` (a free port by default) until the block ends.

    Args:
        app: The WSGI application.
        host: The interface to bind (loopback by default).
        port: The port, 0 for a free one.

    Yields:
        The base URL, such as ``http://127.0.0.1:54321``.
    """
    server = make_server(host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"wsgi:{server.server_port}",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
