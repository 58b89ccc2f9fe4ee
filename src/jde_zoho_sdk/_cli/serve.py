"""``jde-zoho serve``: the notification endpoint under waitress, the scheduler, and a graceful stop.

The process: load the config, open the systems, listen (waitress, from the ``server`` extra), start the
scheduler (which first enables or renews the channel), then wait for SIGTERM or SIGINT. On a signal it
stops accepting connections, lets requests in flight finish, lets the scheduler finish the job in
progress, closes everything and exits 0. Ids still queued stay in the durable queue for the next start.
"""

from __future__ import annotations

import importlib.util
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any, Final

import click

from jde_zoho_sdk._cli.config_checks import parse_listen
from jde_zoho_sdk._cli.context import AppContext, ExitCode, config_option, load, pass_app
from jde_zoho_sdk._cli.logs import configure_logging
from jde_zoho_sdk._cli.output import error_line
from jde_zoho_sdk._cli.receiver import MAX_BODY, NotificationReceiver
from jde_zoho_sdk._cli.schedule import parse_schedule
from jde_zoho_sdk._cli.service import SyncService
from jde_zoho_sdk._cli.systems import open_systems
from jde_zoho_sdk._redact import get_logger, redact_url
from jde_zoho_sdk.sync import LoggingObserver, SyncReport

__all__ = ["WaitressServer", "serve"]

_log = get_logger("jde_zoho_sdk.cli.serve")

INSTALL_HINT: Final = (
    "jde-zoho serve needs the 'server' extra (waitress). Install it with:\n"
    "    pip install 'jde-zoho-sdk[cli,server]'"
)
_DRAIN_SECONDS: Final = 5.0  # how long requests in flight get to finish when stopping
_LOOP_TIMEOUT: Final = 0.2
_WILDCARDS: Final = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - names the wildcard, binds nothing


class WaitressServer:
    """waitress serving one WSGI app from a background thread, stoppable from another thread.

    The asyncore loop runs in steps of 0.2 s so that the stop request is seen by the loop's own thread,
    which then closes the listening socket (no new connections), gives requests in flight up to five
    seconds, and closes every connection: nothing is closed from another thread while the loop uses it.

    Args:
        app: The WSGI app.
        host: The interface.
        port: The port (0 for a free one).
        threads: waitress worker threads.
    """

    def __init__(self, app: Any, host: str, port: int, *, threads: int = 4) -> None:  # noqa: ANN401 - WSGI app
        from waitress import wasyncore  # noqa: PLC0415 - an optional extra
        from waitress.server import create_server  # noqa: PLC0415

        self._wasyncore = wasyncore
        # waitress reads a body up to its own limit (1 GiB, spooled to disk) before the app sees it: the
        # receiver's limit is given to waitress too, so a huge unauthenticated POST is refused unread.
        self._server = create_server(
            app, host=host, port=port, threads=threads, ident="jde-zoho", max_request_body_size=MAX_BODY
        )
        self.host = host
        self.port: int = self._server.effective_port
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="waitress")

    @property
    def url(self) -> str:
        """The base URL it listens on (``http://host:port``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Start serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish, close everything, and wait for the thread."""
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        server, loop, socket_map = self._server, self._wasyncore.loop, self._server._map
        use_poll = server.adj.asyncore_use_poll
        while not self._stop.is_set():
            loop(timeout=_LOOP_TIMEOUT, map=socket_map, use_poll=use_poll, count=1)
        self._wasyncore.dispatcher.close(server)  # the listening socket: no new connections from here on
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=_DRAIN_SECONDS)
        for _ in range(10):  # flush the answers the workers just wrote
            loop(timeout=0.05, map=socket_map, use_poll=use_poll, count=1)
        server.trigger.close()
        self._wasyncore.close_all(socket_map)


@contextmanager
def _signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` (the previous handlers come back afterwards)."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        _log.info("received %s; stopping after the job in progress", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@click.command()
@config_option()
@click.option(
    "--listen", metavar="HOST:PORT", help="Listen here instead of [serve] listen (port 0: a free port)."
)
@pass_app
def serve(app: AppContext, config_path: Path, listen: str | None) -> None:
    """Run the sync as a service until SIGTERM or SIGINT.

    Receives Zoho notifications on [serve] path (verified, queued, answered at once), drains the queue
    [serve] queue_delay_seconds after a notification arrives, polls JDE on [serve] jde_schedule, runs
    reconcile on [serve] reconcile_schedule, and renews the notification channel before it expires. A
    signal lets the job in progress finish; queued ids stay queued for the next start. Needs the `server`
    extra (waitress).
    """
    if importlib.util.find_spec("waitress") is None:
        app.err.print(INSTALL_HINT)
        raise click.exceptions.Exit(ExitCode.USAGE)
    loaded = load(app, config_path)
    config = loaded.config
    try:
        host, port = parse_listen(listen or config.serve.listen)
    except ValueError as bad:
        raise click.BadParameter(str(bad), param_hint="--listen") from None
    if config.serve.notify_url is None and host in _WILDCARDS:
        app.err.print(
            error_line(
                f"listening on {host} (every interface), so the public URL Zoho posts to cannot be guessed: "
                "set [serve] notify_url"
            )
        )
        raise click.exceptions.Exit(ExitCode.USAGE)
    configure_logging(max(app.verbosity, 1), app.err)  # a service logs what it does
    stop = threading.Event()
    with open_systems(loaded, observers=[LoggingObserver()]) as systems, _signals(stop):
        receiver = NotificationReceiver(None, systems.engine, path=config.serve.path)
        try:
            server = WaitressServer(receiver, host, port, threads=config.serve.threads)
        except OSError as error:
            app.err.print(error_line(f"cannot listen on {host}:{port}: {error.strerror}"))
            raise click.exceptions.Exit(ExitCode.USAGE) from None
        notify_url = config.serve.notify_url or f"{server.url}{config.serve.path}"
        keeper = systems.keeper(notify_url)
        service = SyncService(
            systems.engine,
            keeper,
            jde_schedule=parse_schedule(config.serve.jde_schedule),
            reconcile_schedule=parse_schedule(config.serve.reconcile_schedule),
            queue_delay=timedelta(seconds=config.serve.queue_delay_seconds),
            on_report=_log_report,
        )
        receiver.keeper = keeper
        receiver.on_queued = service.notification_arrived
        server.start()
        service.start()
        app.out.print(f"listening on {server.url}{config.serve.path}; Zoho posts to {redact_url(notify_url)}")
        app.out.file.flush()
        try:
            while not stop.wait(0.5):  # a bounded wait keeps the main thread responsive to signals
                pass
        finally:
            server.stop()
            service.stop()
            depth = systems.store.queue_depth()
    app.out.print(f"stopped; {depth} notified record id(s) stay queued for the next run")


def _log_report(job: str, report: SyncReport) -> None:
    total = report.total()
    _log.info(
        "%s done: %d read, %d written, %d linked, %d conflicts, %d failed",
        job,
        total.read,
        total.written,
        total.linked,
        total.conflicts,
        total.failed,
    )
