"""serve as a real process: a Zoho change reaches JDE through a real notification within the configured
delay, the short-lived channel is renewed before it lapses, and SIGTERM stops it cleanly, nothing lost."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest

from jde_zoho_sdk.sync import ChannelState, SqliteStateStore
from tests.cli.conftest import ENV, Invoke, Setup, assert_no_secret

DELAY = 2.0  # queue_delay_seconds: long enough to stop the service while an id is still queued
LIFETIME = 4  # channel_lifetime_seconds: the channel would lapse within the test without renewals
RENEW_BEFORE = 2
CUSTOMER_A = 100_002  # in JDE and in Zoho (by e-mail): linked by the first sync
CUSTOMER_B = 100_003


def eventually(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``predicate`` with short waits until it holds; return when it did (monotonic seconds)."""
    deadline = time.monotonic() + timeout
    waiter = threading.Event()
    while not predicate():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        waiter.wait(0.05)
    return time.monotonic()


class Service:
    """A `jde-zoho serve` child process with its stdout read line by line."""

    def __init__(self, config: Path, stderr: IO[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jde_zoho_sdk.cli", "serve", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, **ENV},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for_line(self, start: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no line starting {start!r}; got {self.output}"
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line.startswith(start):
                return line

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def service(setup: Setup, invoke: Invoke, tmp_path: Path) -> Iterator[tuple[Service, Path]]:
    config = setup.config(
        {
            "serve": {
                "listen": "127.0.0.1:0",
                "queue_delay_seconds": DELAY,
                "channel_lifetime_seconds": LIFETIME,
                "channel_renew_before_seconds": RENEW_BEFORE,
            }
        }
    )
    # The public URL is the one the service listens on (port 0: a free one, learnt when listening).
    config.write_text(config.read_text().replace('notify_url = "http://127.0.0.1:9/zoho/notify"\n', ""))
    assert invoke("sync", "--config", str(config)).exit_code == 0
    stderr_path = tmp_path / "serve.stderr"
    with stderr_path.open("w") as stderr:
        running = Service(config, stderr)
        try:
            yield running, stderr_path
        finally:
            running.close()


def channels(state: Path) -> list[ChannelState]:
    with SqliteStateStore(state) as store:
        return store.list_channels()


def test_serve_delivers_renews_and_stops_cleanly(
    service: tuple[Service, Path], setup: Setup, invoke: Invoke
) -> None:
    running, stderr_path = service
    served = setup.served
    line = running.wait_for_line("listening on", timeout=20)
    assert "/zoho/notify" in line

    # The channel is enabled with the short lifetime Zoho answered, and kept in the store.
    eventually(lambda: bool(channels(setup.state)), 10, "the channel is enabled")
    [first] = channels(setup.state)
    assert first.events == ("Accounts.all", "Contacts.all", "Vendors.all")

    # Watch it across more than one lifetime: it is renewed every time before the expiry Zoho answered.
    expiries = {first.expires_at}

    def renewed_twice() -> bool:
        [state] = channels(setup.state)
        assert state.channel_id == first.channel_id
        assert state.expires_at > datetime.now(UTC), "the channel lapsed before it was renewed"
        expiries.add(state.expires_at)
        return len(expiries) >= 3 and datetime.now(UTC) > first.expires_at

    eventually(renewed_twice, 3 * LIFETIME, "two renewals, past the first expiry")

    # After the first expiry, a Zoho change still reaches JDE through the (renewed) channel.
    account = str(served.account(CUSTOMER_A)["id"])
    changed = time.monotonic()
    served.zoho.update("Accounts", account, {"Phone": "608 555-0142"})
    arrived = eventually(
        lambda: served.phone(CUSTOMER_A) == ("608", "555-0142"), DELAY + 8, "the phone in JDE"
    )
    assert arrived - changed >= DELAY - 0.5  # drained after the delay, not at once
    delivered = [d for d in served.zoho.deliveries if account in d.ids]
    assert delivered
    assert {d.status for d in delivered} == {200}

    # A second change is queued by the service; SIGTERM arrives before its drain is due.
    other = str(served.account(CUSTOMER_B)["id"])
    served.zoho.update("Accounts", other, {"Phone": "414 555-0199"})
    eventually(
        lambda: any(other in d.ids and d.status == 200 for d in served.zoho.deliveries), 10, "queued by serve"
    )
    assert running.stop() == 0
    out = "".join(running.output)
    errors = stderr_path.read_text()
    assert "stopped;" in out
    assert "Traceback" not in errors
    assert "received SIGTERM" in errors
    assert_no_secret(out, errors)

    # Nothing was lost: the id is still queued (or was drained before the signal), and the next run syncs it.
    with SqliteStateStore(setup.state) as store:
        queued = store.queue_depth()
    assert queued >= 1 or served.phone(CUSTOMER_B) == ("414", "555-0199")
    assert f"stopped; {queued} notified record id(s) stay queued" in out
    config = next(setup.directory.glob("*.toml"))
    assert invoke("sync", "--config", str(config), "--direction", "zoho_to_jde").exit_code == 0
    assert served.phone(CUSTOMER_B) == ("414", "555-0199")
    with SqliteStateStore(setup.state) as store:
        assert store.queue_depth() == 0


def test_serve_without_waitress_says_how_to_install_it(setup: Setup) -> None:
    code = "import sys; sys.modules['waitress'] = None; from jde_zoho_sdk.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, "serve", "--config", str(setup.config())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **ENV},
    )
    assert done.returncode == 2
    assert "pip install 'jde-zoho-sdk[cli,server]'" in done.stderr


def test_serve_that_cannot_listen_is_a_usage_error(setup: Setup, invoke: Invoke) -> None:
    result = invoke("serve", "--config", str(setup.config()), "--listen", "127.0.0.1:99999")
    assert result.exit_code == 2
    assert "--listen" in result.output


def test_serve_on_every_interface_needs_the_public_notify_url(setup: Setup, invoke: Invoke) -> None:
    path = setup.config({"serve": {"listen": "0.0.0.0:0"}})
    path.write_text(path.read_text().replace('notify_url = "http://127.0.0.1:9/zoho/notify"\n', ""))
    result = invoke("serve", "--config", str(path))
    assert result.exit_code == 2
    assert "set [serve] notify_url" in result.stderr


def test_a_body_over_the_limit_is_refused_before_it_is_read() -> None:
    pytest.importorskip("waitress")
    from jde_zoho_sdk._cli.receiver import MAX_BODY  # noqa: PLC0415
    from jde_zoho_sdk._cli.serve import WaitressServer  # noqa: PLC0415

    def app(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"read"]

    server = WaitressServer(app, "127.0.0.1", 0, threads=1)
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
            # The headers alone: waitress would wait for 50 MB of body before the app could refuse it.
            head = f"POST /zoho HTTP/1.1\r\nHost: x\r\nContent-Length: {50 * MAX_BODY}\r\n\r\n"
            connection.sendall(head.encode())
            assert connection.recv(100).startswith(b"HTTP/1.1 413")
    finally:
        server.stop()
