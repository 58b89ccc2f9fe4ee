"""SqliteStateStore: the store contract, plus what only SQLite promises (file, schema, WAL, crash safety)."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jde_zoho_sdk.errors import ConfigError, SdkError
from jde_zoho_sdk.sync._sqlite_codec import decode_json, encode_json, encode_time
from jde_zoho_sdk.sync.model import (
    AuditAction,
    AuditEvent,
    Direction,
    Entity,
    Failure,
    Link,
    Outcome,
    QueuedChange,
)
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore, StoreStats
from jde_zoho_sdk.testing.store_contract import StateStoreContract

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


class TestSqliteStateStoreContract(StateStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteStateStore]:
        store = SqliteStateStore(tmp_path / "sync.db")
        yield store
        store.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sync.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStateStore]:
    store = SqliteStateStore(db_path)
    yield store
    store.close()


def link(jde_key: str, *, email: str = "", snapshot: dict[str, object] | None = None) -> Link:
    return Link(
        entity=Entity.CUSTOMER,
        jde_key=jde_key,
        zoho_id=f"z{jde_key}",
        jde_snapshot=snapshot or {"name": jde_key},
        zoho_snapshot=snapshot or {"name": jde_key},
        synced_at=T0,
        email=email,
    )


def change(zoho_id: str, *, operation: str = "update", at: timedelta = timedelta(0)) -> QueuedChange:
    return QueuedChange(module="Accounts", zoho_id=zoho_id, operation=operation, server_time=T0 + at)


# -- the file ------------------------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_database_file_and_its_wal_files_are_private_to_the_owner(
    store: SqliteStateStore, db_path: Path
) -> None:
    store.put_links([link("1")])  # a write makes SQLite create -wal and -shm
    for suffix in ("", "-wal", "-shm"):
        mode = stat.S_IMODE(Path(f"{db_path}{suffix}").stat().st_mode)
        assert mode == 0o600, f"{suffix or 'database'}: {mode:o}"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_database_file_is_private_even_under_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0o000)
    try:
        SqliteStateStore(tmp_path / "open.db").close()
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "open.db").stat().st_mode) == 0o600


def test_data_persists_across_reopening(db_path: Path) -> None:
    with SqliteStateStore(db_path) as first:
        first.put_links([link("1", snapshot={"credit_limit": Decimal("10.50")})])
        first.set_cursor("jde:F0101", T0)
        first.enqueue([change("9")])
    with SqliteStateStore(db_path) as second:
        assert second.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"].jde_snapshot == {
            "credit_limit": Decimal("10.50")
        }
        assert second.get_cursor("jde:F0101") == T0
        assert second.queue_depth() == 1


def test_journal_is_wal(store: SqliteStateStore, db_path: Path) -> None:
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_version_is_recorded(store: SqliteStateStore, db_path: Path) -> None:
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SqliteStateStore.SCHEMA_VERSION >= 1


def test_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    SqliteStateStore(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SqliteStateStore.SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(ConfigError, match="newer jde-zoho-sdk") as caught:
        SqliteStateStore(db_path)
    assert "upgrade jde-zoho-sdk" in str(caught.value)


@pytest.mark.parametrize("version", [0, 1, 7])  # user_version is any application's to set
def test_database_of_another_application_is_refused_and_left_as_it_was(db_path: Path, version: int) -> None:
    raw = sqlite3.connect(db_path)
    raw.execute("CREATE TABLE invoices (id INTEGER)")
    raw.execute(f"PRAGMA user_version = {version}")
    raw.close()
    with pytest.raises(ConfigError, match="another application"):
        SqliteStateStore(db_path)
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL


def test_file_that_is_not_a_database_is_refused(db_path: Path) -> None:
    db_path.write_bytes(b"this is a CSV export, not a database\n" * 100)
    with pytest.raises(ConfigError, match="cannot open the state database"):
        SqliteStateStore(db_path)


@pytest.mark.parametrize("path", [":memory:", ""])
def test_in_memory_database_is_refused(path: str) -> None:
    with pytest.raises(ConfigError, match="needs a file path"):
        SqliteStateStore(path)


def test_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot create the state database"):
        SqliteStateStore(tmp_path / "no" / "such" / "dir" / "sync.db")


def test_directory_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot open the state database"):
        SqliteStateStore(tmp_path)


def test_closed_store_says_so(db_path: Path) -> None:
    store = SqliteStateStore(db_path)
    store.close()
    store.close()
    with pytest.raises(SdkError, match="is closed"):
        store.queue_depth()


def test_close_closes_the_connections_of_every_thread(store: SqliteStateStore, db_path: Path) -> None:
    done = threading.Event()
    finish = threading.Event()

    def worker() -> None:
        store.enqueue([change("1")])  # opens this thread's connection
        done.set()
        finish.wait(10)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    assert done.wait(10)
    store.close()  # while the worker thread is still alive
    finish.set()
    thread.join(10)
    # The last connection to close checkpoints the WAL into the database and deletes it.
    assert not Path(f"{db_path}-wal").exists()


def test_connections_of_finished_threads_are_closed(store: SqliteStateStore) -> None:
    for number in range(5):
        thread = threading.Thread(target=store.enqueue, args=([change(str(number))],))
        thread.start()
        thread.join()
    # Each new thread closed the connections its finished predecessors left: the main thread's and the
    # last thread's remain.
    assert len(store._connections) == 2
    assert store.queue_depth() == 5


# -- crash safety --------------------------------------------------------------------------------------

_KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import UTC, datetime
    from jde_zoho_sdk.sync.model import Entity, Link
    from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore

    store = SqliteStateStore(sys.argv[1])
    commit = sys.argv[2] == "commit"
    when = datetime(2026, 11, 27, tzinfo=UTC)
    links = [
        Link(entity=Entity.CUSTOMER, jde_key=f"killed-{n}", zoho_id=f"z{n}", jde_snapshot={}, zoho_snapshot={},
             synced_at=when)
        for n in range(50)
    ]
    with store.transaction():
        store.put_links(links)
        store.set_cursor("jde:F0101", when)
        if not commit:
            os.kill(os.getpid(), signal.SIGKILL)
    # Committed; killed before the store is closed (which would checkpoint the WAL into the database).
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def run_killed_writer(db_path: Path, *, commit: bool) -> None:
    argv = [sys.executable, "-c", _KILLED_WRITER, str(db_path), "commit" if commit else "no-commit"]
    result = subprocess.run(argv, capture_output=True, timeout=60, check=False)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()


@pytest.mark.skipif(not hasattr(os, "kill") or os.name != "posix", reason="needs SIGKILL")
def test_committed_transaction_survives_a_killed_process(db_path: Path) -> None:
    SqliteStateStore(db_path).close()
    run_killed_writer(db_path, commit=True)
    assert Path(f"{db_path}-wal").exists()  # the commit is only in the WAL: no checkpoint happened
    with SqliteStateStore(db_path) as store:
        assert store.count_links(Entity.CUSTOMER) == 50
        assert store.get_cursor("jde:F0101") == datetime(2026, 11, 27, tzinfo=UTC)


@pytest.mark.skipif(not hasattr(os, "kill") or os.name != "posix", reason="needs SIGKILL")
def test_uncommitted_transaction_of_a_killed_process_leaves_nothing(db_path: Path) -> None:
    with SqliteStateStore(db_path) as store:
        store.put_links([link("kept")])
    run_killed_writer(db_path, commit=False)
    with SqliteStateStore(db_path) as store:
        assert [found.jde_key for found in store.page_links(Entity.CUSTOMER)] == ["kept"]
        assert store.get_cursor("jde:F0101") is None
        store.put_links([link("after")])  # the dead writer's lock is gone
        assert store.count_links(Entity.CUSTOMER) == 2


# -- SQLite's choices where the protocol leaves room -------------------------------------------------


def test_naive_datetimes_are_refused(store: SqliteStateStore) -> None:
    naive = datetime(2026, 11, 27, 10, 0)
    with pytest.raises(ValueError, match="naive datetime"):
        store.set_cursor("jde:F0101", naive)
    with pytest.raises(ValueError, match="naive datetime"):
        store.claim("worker", limit=1, lease=MINUTE, now=naive)
    with pytest.raises(ValueError, match="naive datetime"):
        store.put_links([link("1"), attrs.evolve(link("2"), synced_at=naive)])
    assert store.count_links(Entity.CUSTOMER) == 0  # a bad link in a batch writes none of it


def test_snapshot_value_that_is_not_json_is_refused(store: SqliteStateStore) -> None:
    with pytest.raises(TypeError, match="cannot store a datetime"):
        store.put_links([link("1", snapshot={"when": T0})])


def test_snapshot_keys_that_look_like_the_decimal_tag_round_trip(store: SqliteStateStore) -> None:
    tricky: dict[str, object] = {
        "$decimal": "not a decimal",
        "$$decimal": Decimal("1.5"),
        "nested": {"$decimal": "12.50"},
        "$": ["$decimal", {"$x": Decimal("-0")}],
        "plain": "$decimal",
    }
    store.put_links([link("1", snapshot=tricky)])
    assert store.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"].jde_snapshot == tricky


def test_a_snapshot_with_half_an_emoji_round_trips(store: SqliteStateStore) -> None:
    # A lone surrogate: what json.loads makes of an emoji cut by a system counting UTF-16 units. Stored
    # as is, it failed the batch's commit on every run.
    cut = {"name": "Caf\u00e9 \ud83d", "credit_limit": Decimal("5.00")}
    store.put_links([link("1", snapshot=cut)])
    assert store.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"].jde_snapshot == cut


def test_a_link_read_back_compares_reads_and_writes_as_the_snapshot_it_was_given(
    store: SqliteStateStore, db_path: Path
) -> None:
    snapshot: dict[str, object] = {"name": "Acme", "credit_limit": Decimal("5000.00"), "tags": ["a"]}
    store.put_links([attrs.evolve(link("1"), jde_snapshot=snapshot, zoho_snapshot={"name": "Acme"})])
    got = store.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"]

    assert got.jde_snapshot == snapshot
    assert snapshot == got.jde_snapshot
    assert got.jde_snapshot != got.zoho_snapshot
    assert got.jde_snapshot.get("credit_limit") == Decimal("5000.00")
    assert "tags" in got.jde_snapshot
    assert sorted(got.jde_snapshot) == ["credit_limit", "name", "tags"]
    assert len(got.jde_snapshot) == 3
    assert dict(got.zoho_snapshot.items()) == {"name": "Acme"}
    assert "5000.00" in repr(got.jde_snapshot)
    # Written back as it was read (a commit re-puts links whose snapshots did not change).
    store.put_links([attrs.evolve(got, zoho_id="z9")])
    again = store.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"]
    assert (again.zoho_id, again.jde_snapshot, again.zoho_snapshot) == ("z9", snapshot, {"name": "Acme"})
    assert str(again.jde_snapshot["credit_limit"]) == "5000.00"


def test_a_snapshot_edited_by_hand_into_something_else_than_an_object_says_so_when_read(
    store: SqliteStateStore, db_path: Path
) -> None:
    store.put_links([link("1")])
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE links SET jde_snapshot = '[1, 2]'")
    got = store.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"]
    with pytest.raises(TypeError, match="expected a JSON object in the state database, found list"):
        got.jde_snapshot.get("name")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_any_json_mapping_with_decimals_round_trips_losslessly(value: dict[str, object]) -> None:
    decoded = decode_json(encode_json(value))
    assert decoded == value
    assert repr(decoded) == repr(value)  # same types and the same Decimal digits, not just equal numbers


def test_datetimes_are_stored_as_fixed_shape_utc_text_that_sorts() -> None:
    early = datetime(999, 1, 1, tzinfo=UTC)
    late = datetime(2026, 11, 27, 5, 15, 30, tzinfo=UTC)
    assert encode_time(late) == "2026-11-27T05:15:30.000000+00:00"
    assert encode_time(early) < encode_time(late)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 27, 5, 15, 30, tzinfo=timezone(timedelta(0))),  # UTC, but not the UTC object
        datetime(2026, 11, 26, 23, 15, 30, tzinfo=ZoneInfo("America/Chicago")),
        datetime(2026, 11, 27, 5, 15, 30, tzinfo=ZoneInfo("Europe/London")),  # zero offset in winter
    ],
)
def test_any_aware_datetime_is_stored_as_the_same_utc_text(moment: datetime) -> None:
    assert encode_time(moment) == "2026-11-27T05:15:30.000000+00:00"


def test_a_naive_datetime_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        encode_time(datetime(2026, 11, 27, 5, 15, 30))


def test_same_owner_claims_its_unexpired_items_again(store: SqliteStateStore) -> None:
    store.enqueue([change("1"), change("2")])
    assert len(store.claim("engine@host", limit=1, lease=MINUTE, now=T0)) == 1
    # Restarted under the same name, the worker picks up what it held without waiting for the lease.
    again = store.claim("engine@host", limit=10, lease=MINUTE, now=T0 + timedelta(seconds=5))
    assert [item.zoho_id for item in again] == ["1", "2"]
    assert store.claim("other", limit=10, lease=MINUTE, now=T0 + timedelta(seconds=30)) == []


def test_out_of_order_notification_keeps_the_newest_operation(store: SqliteStateStore) -> None:
    store.enqueue([change("1", operation="delete", at=timedelta(seconds=5))])
    store.enqueue([change("1", operation="update", at=timedelta(seconds=1))])  # older, arriving late
    (item,) = store.claim("worker", limit=1, lease=MINUTE, now=T0)
    assert (item.operation, item.server_time) == ("delete", T0 + timedelta(seconds=5))


def test_lease_ending_exactly_now_has_expired(store: SqliteStateStore) -> None:
    store.enqueue([change("1")])
    store.claim("w1", limit=1, lease=MINUTE, now=T0)
    assert len(store.claim("w2", limit=1, lease=MINUTE, now=T0 + MINUTE)) == 1
    assert store.acquire_lock("run", "a", lease=MINUTE, now=T0)
    assert store.acquire_lock("run", "b", lease=MINUTE, now=T0 + MINUTE)


def test_appending_an_audit_event_twice_keeps_one(store: SqliteStateStore) -> None:
    event = AuditEvent(
        audit_id="a-1",
        run_id="r",
        at=T0,
        entity=Entity.CUSTOMER,
        direction=Direction.JDE_TO_ZOHO,
        action=AuditAction.CREATE,
        outcome=Outcome.OK,
        jde_key="1",
    )
    store.append_audit([event])
    store.append_audit([event])
    assert store.query_audit(record_key="1") == [event]
    assert store.query_audit(record_key="") == []


def test_inner_block_that_raises_is_undone_alone_when_the_outer_block_catches_it(
    store: SqliteStateStore,
) -> None:
    class InnerError(Exception):
        pass

    with store.transaction():
        store.set_cursor("outer", T0)
        try:
            with store.transaction():
                store.set_cursor("inner", T0)
                raise InnerError
        except InnerError:
            pass
        store.set_cursor("after", T0)
    assert store.get_cursor("outer") == store.get_cursor("after") == T0
    assert store.get_cursor("inner") is None


def test_two_stores_on_one_file_write_concurrently(db_path: Path) -> None:
    # Two stores stand for two processes: their writers queue on the file lock instead of failing.
    with SqliteStateStore(db_path) as first, SqliteStateStore(db_path) as second:
        errors: list[BaseException] = []

        def work(store: SqliteStateStore, prefix: str) -> None:
            try:
                for batch in range(20):
                    with store.transaction():
                        store.enqueue([change(f"{prefix}-{batch}-{item}") for item in range(5)])
                        store.set_cursor(prefix, T0 + timedelta(seconds=batch))
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=work, args=(store, name)) for store, name in ((first, "a"), (second, "b"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert first.queue_depth() == second.queue_depth() == 200


def test_lock_timeout_is_a_clear_error(db_path: Path) -> None:
    with SqliteStateStore(db_path) as holder, SqliteStateStore(db_path, timeout=0) as impatient:
        with holder.transaction():
            holder.set_cursor("jde:F0101", T0)
            with pytest.raises(SdkError, match="stayed locked by another writer"):
                impatient.set_cursor("jde:F0101", T0)
        impatient.set_cursor("jde:F0101", T0 + MINUTE)
        assert holder.get_cursor("jde:F0101") == T0 + MINUTE


def test_duplicate_lookups_use_the_partial_indexes(store: SqliteStateStore) -> None:
    conn = store._state().conn
    for column, index in (("email_match", "links_by_email"), ("tax_id", "links_by_tax_id")):
        plan = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT jde_key FROM links WHERE entity = ? AND {column} <> '' "
            f"AND deleted_in = '' AND {column} IN (?, ?)",
            ("customer", "a", "b"),
        ).fetchall()
        assert index in str(plan)


# -- maintenance -----------------------------------------------------------------------------------------


def failure(source_key: str) -> Failure:
    return Failure(
        failure_id=f"f-{source_key}",
        run_id="r",
        entity=Entity.CUSTOMER,
        direction=Direction.JDE_TO_ZOHO,
        source_key=source_key,
        stage="write",
        error_code="INVALID_DATA",
        message="bad",
        created_at=T0,
        last_attempt_at=T0,
    )


def test_stats_count_links_queue_failures_and_channels(store: SqliteStateStore) -> None:
    store.put_links([link("1"), link("2"), attrs.evolve(link("3"), deleted_in="zoho")])
    store.enqueue([change("1"), change("2")])
    store.add_failures([failure("1")])
    assert store.stats() == StoreStats(
        links={Entity.CUSTOMER: 3, Entity.CONTACT: 0, Entity.SUPPLIER: 0},
        deleted_links={Entity.CUSTOMER: 1, Entity.CONTACT: 0, Entity.SUPPLIER: 0},
        queue_depth=2,
        open_failures=1,
        channels=0,
    )


def test_prune_failures_deletes_only_failures_resolved_before_the_given_time(store: SqliteStateStore) -> None:
    store.add_failures([failure(key) for key in ("1", "2", "3")])
    for key, hours in (("1", 1), ("2", 3)):
        store.resolve_failures(
            Entity.CUSTOMER,
            Direction.JDE_TO_ZOHO,
            [key],
            resolved_at=T0 + timedelta(hours=hours),
            resolution="synced",
        )
    assert store.prune_failures(T0 + timedelta(hours=2)) == 1
    left = store.list_failures(include_resolved=True)
    assert sorted(failure.source_key for failure in left) == ["2", "3"]  # "3" is open: always kept


def test_prune_audit_deletes_events_before_the_given_time(store: SqliteStateStore) -> None:
    store.append_audit(
        [
            AuditEvent(
                audit_id=str(hour),
                run_id="r",
                at=T0 + timedelta(hours=hour),
                entity=Entity.CUSTOMER,
                direction=Direction.JDE_TO_ZOHO,
                action=AuditAction.UPDATE,
                outcome=Outcome.OK,
            )
            for hour in range(5)
        ]
    )
    assert store.prune_audit(T0 + timedelta(hours=2)) == 2
    assert [event.audit_id for event in store.query_audit()] == ["2", "3", "4"]
