"""Receive Zoho notifications in your own web app (standard library WSGI; works under waitress or gunicorn).

The endpoint verifies each notification against the channel's token (``ChannelKeeper.verify``), queues the
record ids durably (``engine.handle_notification``) and answers at once; a background thread drains the
queue (``engine.drain``) a moment later, so Zoho never waits for JD Edwards.

    python examples/wsgi_receiver.py
        On the emulators: opens a channel, changes an account in Zoho, receives the notification and shows
        the phone number arriving in JDE, then exits.

    python examples/wsgi_receiver.py --state sync.db --listen 0.0.0.0:8080 --notify-url https://sync.example.com/zoho/notify
        With your systems (see connect.py): serves until Ctrl-C. Zoho must reach --notify-url (HTTPS,
        through your reverse proxy) and the path of that URL is the path served.
"""

from __future__ import annotations

import argparse
import json
import logging
import socketserver
import sys
import tempfile
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from connect import Systems, systems

from jde_zoho_sdk.sync import ChannelKeeper, SqliteStateStore, SyncAbortedError, SyncEngine, SyncLockedError
from jde_zoho_sdk.zoho import ForgedNotificationError, InvalidNotificationError

log = logging.getLogger("receiver")

MODULES = ["Accounts", "Contacts", "Vendors"]
"""The Zoho modules the sync's channel watches."""
MAX_BODY = 1_000_000
"""Zoho posts ids only (a few kilobytes): anything far larger is refused unread."""


# --8<-- [start:drainer]
class Drainer:
    """Processes queued ids on its own thread, ``delay`` seconds after a notification arrives.

    Args:
        engine: The engine whose queue to drain.
        delay: Seconds to wait after a notification, so a burst is drained in one go.
    """

    def __init__(self, engine: SyncEngine, *, delay: float = 5.0) -> None:
        self.engine = engine
        self.delay = delay
        self.drained = threading.Event()
        """Set after each drain (tests and the demo wait on it)."""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="drainer", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """Ask for a drain (called by the endpoint after it queued ids)."""
        self._wake.set()

    def close(self) -> None:
        """Stop the thread (ids still queued stay queued for the next start)."""
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.wait(self.delay):
                return
            self._wake.clear()
            try:
                report = self.engine.drain()
            except SyncLockedError:  # a scheduled run holds the lock: try again after the delay
                self._wake.set()
                continue
            except SyncAbortedError as error:  # a system is down: the ids stay queued
                log.warning("drain stopped: %s", error)
                continue
            log.info("drained: %d written, %d failed", report.written, report.failed)
            self.drained.set()


# --8<-- [end:drainer]


# --8<-- [start:app]
def notification_app(
    keeper: ChannelKeeper, engine: SyncEngine, drainer: Drainer, *, path: str
) -> WSGIApplication:
    """The notification endpoint: verify, queue, answer (no remote call is made while Zoho waits).

    Args:
        keeper: Knows the sync's channel and its token.
        engine: Queues the ids.
        drainer: Told when ids were queued.
        path: The path served (that of the notify URL).

    Returns:
        The WSGI application.
    """

    def answer(start_response: StartResponse, status: str, message: str) -> Iterable[bytes]:
        body = json.dumps({"message": message}).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != path:
            return answer(start_response, "404 Not Found", "no such path")
        if environ.get("REQUEST_METHOD") != "POST":
            return answer(start_response, "405 Method Not Allowed", "POST only")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            return answer(start_response, "413 Content Too Large", "not a Zoho notification")
        body = environ["wsgi.input"].read(length)
        try:
            notification = keeper.verify(body)  # the channel it names, and that channel's token
        except ForgedNotificationError:
            return answer(start_response, "401 Unauthorized", "unknown channel or wrong token")
        except InvalidNotificationError:
            return answer(start_response, "400 Bad Request", "not a Zoho notification")
        queued = engine.handle_notification(notification)  # durable before we answer
        drainer.notify()
        return answer(start_response, "200 OK", f"{queued} queued")

    return app


# --8<-- [end:app]


def _not_ready(_environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("503 Service Unavailable", [("Content-Length", "0")])
    return [b""]


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        log.debug(format, *args)


def demo(connected: Systems, engine: SyncEngine, store: SqliteStateStore) -> int:
    """On the emulators: a real notification, end to end."""
    zoho, ais = connected.zoho_emulator, connected.ais_emulator
    assert zoho is not None
    assert ais is not None
    engine.run()  # the initial sync links the records
    drainer = Drainer(engine, delay=0.1)
    server = make_server("127.0.0.1", 0, _not_ready, _Server, _QuietHandler)  # a free port
    notify_url = f"http://127.0.0.1:{server.server_port}/zoho/notify"
    keeper = ChannelKeeper(connected.zoho, store, modules=MODULES, notify_url=notify_url)
    server.set_app(notification_app(keeper, engine, drainer, path="/zoho/notify"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        channel = keeper.ensure()  # enable (or renew) the channel; Zoho answers its expiry
        print(f"channel {channel.channel_id} watches {', '.join(channel.events)} until {channel.expires_at}")
        account = next(a for a in zoho.records("Accounts") if a.get("JDE_Address_Number"))
        zoho.update("Accounts", str(account["id"]), {"Phone": "608 555-0142"})  # a user edits the account
        zoho.wait_for_deliveries(timeout=10)
        if not drainer.drained.wait(timeout=10):
            print("no drain within 10 s", file=sys.stderr)
            return 1
    finally:
        server.shutdown()
        drainer.close()
    number = int(str(account["JDE_Address_Number"]))
    phones = ais.tables.rows("F0115", AN8=number, IDLN=0)
    print(f"JDE {number} phone now {phones[0]['AR1']} {phones[0]['PH1']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the example.

    Args:
        argv: Command line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description="Receive Zoho notifications and sync them to JDE.")
    parser.add_argument("--state", type=Path, help="the SQLite state file (default: a temporary one)")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="HOST:PORT to listen on")
    parser.add_argument("--notify-url", help="the public URL Zoho posts to (your systems only)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with systems(notify=True) as connected, tempfile.TemporaryDirectory() as scratch:
        if not connected.emulated and (args.state is None or args.notify_url is None):
            parser.error("give --state FILE and --notify-url URL for your own systems")
        with SqliteStateStore(args.state or Path(scratch) / "sync.db") as store:
            engine = SyncEngine(ais=connected.ais, zoho=connected.zoho, store=store)
            if connected.emulated:
                return demo(connected, engine, store)
            host, _, port = args.listen.rpartition(":")
            keeper = ChannelKeeper(connected.zoho, store, modules=MODULES, notify_url=args.notify_url)
            drainer = Drainer(engine)
            app = notification_app(keeper, engine, drainer, path=urlsplit(args.notify_url).path)
            with make_server(host, int(port), app, _Server, _QuietHandler) as server:
                server.timeout = 60  # handle_request returns at least once a minute
                try:
                    while True:
                        renewal = keeper.next_renewal()
                        if renewal is None or datetime.now(UTC) >= renewal:
                            keeper.ensure()  # enable, or renew before the expiry Zoho answered
                        server.handle_request()
                except KeyboardInterrupt:
                    pass
                finally:
                    drainer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
