"""The demo: the whole job on the emulators, shown end to end, with nothing left running afterwards."""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jde_zoho_sdk.sync import SqliteStateStore
from tests.cli.conftest import Invoke


def sockets() -> int:
    """Open sockets of this process (descriptors that close while they are listed are skipped)."""
    count = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            count += str(fd.readlink()).startswith("socket:")
        except FileNotFoundError:
            continue
    return count


def settled(before: set[threading.Thread], open_sockets: int, timeout: float = 5.0) -> tuple[set[str], int]:
    """Threads and sockets left over once whatever is closing has closed (polled, with a deadline)."""
    deadline = time.monotonic() + timeout
    waiter = threading.Event()
    while True:
        extra = {thread.name for thread in set(threading.enumerate()) - before if thread.is_alive()}
        left = sockets() - open_sockets
        if (not extra and left <= 0) or time.monotonic() > deadline:
            return extra, left
        waiter.wait(0.02)


def test_demo_shows_the_two_way_sync_a_merge_a_replay_and_an_audit_trail_and_leaves_nothing_running(
    invoke: Invoke, tmp_path: Path
) -> None:
    threads, open_sockets = set(threading.enumerate()), sockets()
    state = tmp_path / "demo" / "sync.db"
    result = invoke("demo", "--customers", "60", "--state", str(state), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    # The two-way sync: both directions, and customers linked rather than duplicated.
    assert "JDE → Zoho" in out
    assert "Zoho → JDE" in out
    assert "Linked" in out
    # The notification channel delivered the Zoho changes to the receiver.
    assert "Zoho posted 4 notifications; 4 record ids are queued." in out
    # A conflict merged by policy: JDE owns the credit limit, Zoho changed the city last.
    assert "credit_limit   JDE   wins (jde_wins)" in out
    assert "city           ZOHO  wins (newest_wins)" in out
    # The failure, its fix at the source, and the replay that resolved it.
    assert "Zoho country 'Narnia' has no JDE code" in out
    assert "resolved (replayed)" in out
    assert "is now JDE customer" in out
    # The audit trail of one record with both keys and every event.
    trail = out.split("Audit trail of customer")[1]
    assert "sync 1" in trail
    assert "merge" in trail
    assert "Done in" in out
    extra, left = settled(threads, open_sockets)
    assert extra == set()
    assert left <= 0
    with SqliteStateStore(state) as store:
        stats = store.stats()
    assert (stats.queue_depth, stats.open_failures) == (0, 0)
    assert "status --state" in out


def test_the_demo_prints_none_of_its_secrets(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    # The emulators' credentials and the channel token are made up per run; pin them to look for them.
    monkeypatch.setattr(secrets, "token_urlsafe", lambda _n=None: "pinned-demo-secret-value-0123456789")
    monkeypatch.setattr(secrets, "token_hex", lambda _n=None: "feedfacefeedfacefeedface")
    result = invoke("-vv", "demo", "--customers", "20")
    assert result.exit_code == 0, result.output
    assert "pinned-demo-secret-value" not in result.output
    assert "feedfacefeedfacefeedface" not in result.output
    assert "DEBUG" in result.stderr  # the library did log, through its redacting loggers


def test_the_demo_refuses_a_state_file_that_exists(invoke: Invoke, tmp_path: Path) -> None:
    state = tmp_path / "sync.db"
    state.write_bytes(b"")
    result = invoke("demo", "--state", str(state))
    assert result.exit_code == 2
    assert "starts from an empty state" in result.stderr


def test_the_temporary_state_is_removed_unless_kept(invoke: Invoke) -> None:
    removed = invoke("demo", "--customers", "20")
    assert removed.exit_code == 0, removed.output
    path = Path(removed.stdout.split("State file: ")[1].split()[0])
    assert not path.parent.exists()
    kept = invoke("demo", "--customers", "20", "--keep")
    path = Path(kept.stdout.split("State file: ")[1].split()[0])
    try:
        assert path.is_file()
        status = invoke("status", "--state", str(path))
        assert status.exit_code == 0
        assert "Open failures: 0" in status.stdout
    finally:
        for leftover in path.parent.iterdir():
            leftover.unlink()
        path.parent.rmdir()


def test_the_console_script_runs_the_default_demo_without_the_server_extra(tmp_path: Path) -> None:
    # waitress made unimportable: the demo needs only the `cli` extra.
    code = (
        "import sys; sys.modules['waitress'] = None; "
        "from jde_zoho_sdk.cli import main; sys.exit(main(['demo', '--state', sys.argv[1]]))"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "sync.db")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "300 customers" in done.stdout
    assert "Traceback" not in done.stderr
    # Measured, not asserted (timings depend on the machine): shown with -rA or -s.
    print(f"default demo (300 customers) took {elapsed:.1f} s in a fresh process")
