"""The embedded default StateStore: one SQLite file (stdlib sqlite3, WAL journal), shared safely by threads.

:class:`SqliteStateStore` implements :class:`~jde_zoho_sdk.sync.protocols.StateStore` method by method, as
its docstrings say; ``jde_zoho_sdk.testing.store_contract`` proves it. The schema and its migrations live in
``_sqlite_schema``, the text encoding of datetimes, snapshots and payloads in ``_sqlite_codec``, and how
each model maps to its table's row in ``_sqlite_rows``.

Connections: each thread gets its own connection on first use (SQLite connections must not be shared by
threads in flight), kept in a ``threading.local`` and registered so :meth:`SqliteStateStore.close` closes
them all. :meth:`~SqliteStateStore.transaction` is therefore naturally per thread. Under WAL, readers never
wait; writers queue on the database write lock for up to ``timeout`` seconds (SQLite's busy timeout). A write
transaction always starts with ``BEGIN IMMEDIATE``, taking that lock up front: a deferred transaction that
read first and then wanted to write would fail at once with "database is locked" when another writer got in
between, instead of waiting.
"""

# Every statement here is assembled from this module's constant column lists and "?" placeholders (the
# IN lists of chunked lookups); values are always bound, never interpolated.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Final

import attrs

from jde_zoho_sdk._redact import get_logger
from jde_zoho_sdk.errors import ConfigError, SdkError
from jde_zoho_sdk.sync._sqlite_codec import decode_time, encode_time
from jde_zoho_sdk.sync._sqlite_rows import (
    AUDIT_COLUMNS,
    CHANNEL_COLUMNS,
    ENTITIES,
    FAILURE_COLUMNS,
    LINK_COLUMNS,
    audit_from_row,
    audit_row,
    channel_from_row,
    channel_row,
    failure_from_row,
    failure_row,
    link_from_row,
    link_row,
)
from jde_zoho_sdk.sync._sqlite_schema import (
    SCHEMA_VERSION,
    Synchronous,
    connect,
    create_private_file,
    migrate,
)
from jde_zoho_sdk.sync.model import (
    AuditEvent,
    ChannelState,
    Direction,
    Entity,
    Failure,
    Link,
    QueuedChange,
)

__all__ = ["SqliteStateStore", "StoreStats"]

_log = get_logger(__name__)

_CHUNK: Final = 500
"""Keys per ``IN (...)`` lookup: under SQLite's bound-variable limit (999 before 3.32)."""

_IN_SIZES: Final = (1, 2, 4, 8, 16, 32, 64, 128, 256, _CHUNK)
"""The lengths an ``IN (...)`` list is padded to. Each length is a statement of its own, which SQLite
prepares and the connection caches (up to 256): unpadded, every batch size met was one more, and SQLite's
memory grew with the data (20.9 MiB at 10k customers, 24.4 MiB at 40k; padded, 17.1 and 17.2)."""

# REPLACE deletes every row that conflicts with the new one on *any* unique index: the old row of this JDE
# key (the primary key) and another link of the entity holding this Zoho id (links_by_zoho_id). That is
# exactly the protocol's "a link that takes a Zoho id from another replaces it", in one statement.
_PUT_LINK: Final = (
    "INSERT OR REPLACE INTO links (entity, jde_key, zoho_id, jde_snapshot, zoho_snapshot, email, "
    "email_match, tax_id, jde_updated_at, zoho_modified_at, synced_at, deleted_in, deleted_at, pending) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# A re-enqueue keeps the item's place (item_id), takes a new sequence, and keeps the newest server_time
# with the operation that came with it: notifications may arrive out of order, and the newest one tells
# what the record's state is (an "update" arriving after a newer "delete" must not hide the delete).
_ENQUEUE: Final = (
    "INSERT INTO queue (module, zoho_id, operation, server_time, sequence) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (module, zoho_id) DO UPDATE SET "
    "operation = CASE WHEN excluded.server_time >= queue.server_time "
    "THEN excluded.operation ELSE queue.operation END, "
    "server_time = max(queue.server_time, excluded.server_time), "
    "sequence = excluded.sequence"
)
_ADD_FAILURE: Final = (
    f"INSERT INTO failures ({FAILURE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (entity, direction, source_key) WHERE resolved_at IS NULL DO UPDATE SET "
    "run_id = excluded.run_id, target_key = excluded.target_key, stage = excluded.stage, "
    "error_code = excluded.error_code, message = excluded.message, payload = excluded.payload, "
    "last_attempt_at = excluded.last_attempt_at, attempts = failures.attempts + 1"
)
# The WHERE of DO UPDATE makes the statement change nothing (rowcount 0) when someone else holds an
# unexpired lease; a lease is expired once its end is not after ``now``.
_ACQUIRE_LOCK: Final = (
    "INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
    "WHERE locks.owner = excluded.owner OR locks.expires_at <= ?"
)


@lru_cache(maxsize=16)
def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    """``values`` in ``IN`` lists of the lengths in :data:`_IN_SIZES`, the last value repeated to fill one.

    A repeated value changes no ``IN`` test, so no query's answer (rows, counts, rows updated).
    """
    chunks: list[Sequence[str]] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        size = next(size for size in _IN_SIZES if size >= len(chunk))
        chunks.append(chunk if size == len(chunk) else [*chunk, *[chunk[-1]] * (size - len(chunk))])
    return chunks


def _check_limit(limit: int) -> None:
    if limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")


def _check_lease(lease: timedelta) -> None:
    if lease <= timedelta(0):
        raise ValueError(f"lease must be positive, not {lease}")


@attrs.frozen(kw_only=True)
class StoreStats:
    """Counts that tell an operator how the sync stands (the ``jde-zoho status`` command shows them).

    Attributes:
        links: Links per entity, live and deleted; every entity is present.
        deleted_links: How many of those links are marked deleted.
        queue_depth: Queued notification items, claimed or not.
        open_failures: Failures not resolved yet.
        channels: Notification channels the sync keeps alive.
    """

    links: Mapping[Entity, int]
    deleted_links: Mapping[Entity, int]
    queue_depth: int
    open_failures: int
    channels: int


class _ThreadState:
    """One thread's connection and how deep it is in :meth:`SqliteStateStore.transaction` blocks."""

    __slots__ = ("conn", "depth")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.depth = 0


class SqliteStateStore:
    """The default :class:`~jde_zoho_sdk.sync.protocols.StateStore`: one SQLite file, safe for many threads.

    The file is created readable by its owner only (0600, and so are SQLite's ``-wal`` and ``-shm`` files):
    it holds the verification tokens of the notification channels in clear, since the sync must echo
    them back. Its schema is versioned and migrated forward when a newer package opens it.

    Args:
        path: The database file; created (with its schema) when missing. The directory must exist.
        timeout: Seconds a write waits for another connection's (or process's) write to finish before
            failing: enqueues from a notification receiver wait this long for a run's open transaction.
        synchronous: ``"NORMAL"`` (the default) keeps every committed transaction across a killed process
            and costs no fsync per commit; ``"FULL"`` fsyncs each commit so it also survives a power loss
            or OS crash.

    Raises:
        ConfigError: The path is unusable (``":memory:"``, a missing directory, not a database), the
            database was written by a newer jde-zoho-sdk, or the settings are invalid.

    Example:
        >>> import pathlib, tempfile
        >>> from datetime import UTC, datetime
        >>> with SqliteStateStore(pathlib.Path(tempfile.mkdtemp()) / "sync.db") as store:
        ...     with store.transaction():  # a batch's links, audit and cursor commit together
        ...         store.set_cursor("jde:F0101", datetime(2026, 11, 27, 10, 15, tzinfo=UTC))
        ...     store.get_cursor("jde:F0101")
        datetime.datetime(2026, 11, 27, 10, 15, tzinfo=datetime.timezone.utc)
    """

    SCHEMA_VERSION: ClassVar[int] = SCHEMA_VERSION
    """The schema version this package writes (``PRAGMA user_version``)."""

    def __init__(
        self, path: str | os.PathLike[str], *, timeout: float = 30.0, synchronous: Synchronous = "NORMAL"
    ) -> None:
        text = os.fspath(path)
        if text in {"", ":memory:"} or text.startswith("file:"):
            # Each thread opens its own connection: an in-memory database would be a different, empty
            # database in every thread.
            raise ConfigError(
                f"SqliteStateStore needs a file path, not {text!r}",
                hint="use a file (a temporary directory's file in tests)",
            )
        if timeout < 0:
            raise ConfigError(f"timeout must be 0 or more seconds, not {timeout}")
        if synchronous not in {"NORMAL", "FULL"}:
            raise ConfigError(f"synchronous must be 'NORMAL' or 'FULL', not {synchronous!r}")
        self._path = Path(text)
        self._timeout = timeout
        self._synchronous: Synchronous = synchronous
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connections: dict[threading.Thread, sqlite3.Connection] = {}
        self._closed = False
        try:
            create_private_file(self._path)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the state database {self._path}: {exc.strerror or exc}",
                hint="check that the directory exists and this process may write to it",
            ) from exc
        conn = self._connect()
        try:
            migrate(conn, self._path, timeout=self._timeout)
        except BaseException:
            conn.close()
            raise
        self._local.state = _ThreadState(conn)
        self._connections[threading.current_thread()] = conn

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    def __repr__(self) -> str:
        return f"SqliteStateStore({str(self._path)!r})"

    def __enter__(self) -> SqliteStateStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- connections -------------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        return connect(self._path, timeout=self._timeout, synchronous=self._synchronous)

    def _closed_error(self) -> SdkError:
        return SdkError(f"{self!r} is closed", hint="open a new SqliteStateStore")

    def _state(self) -> _ThreadState:
        if self._closed:
            raise self._closed_error()
        state: _ThreadState | None = getattr(self._local, "state", None)
        if state is None:
            state = self._open_thread_state()
        return state

    def _open_thread_state(self) -> _ThreadState:
        with self._lock:
            if self._closed:
                raise self._closed_error()
            # Threads come and go (a web server's workers): close what dead threads left behind so the
            # number of open connections follows the number of live threads.
            for thread in [thread for thread in self._connections if not thread.is_alive()]:
                self._connections.pop(thread).close()
            conn = self._connect()
            self._connections[threading.current_thread()] = conn
        state = _ThreadState(conn)
        self._local.state = state
        return state

    def close(self) -> None:
        """Close every connection the store opened, in every thread. Closing twice is harmless.

        Call it once the other threads are done with the store: a transaction still open in another
        thread is rolled back. The store cannot be used afterwards.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            connections = list(self._connections.values())
            self._connections.clear()
        for conn in connections:
            conn.close()

    # -- unit of work ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group the calling thread's writes into one atomic commit.

        The outermost block runs ``BEGIN IMMEDIATE`` ... ``COMMIT`` (waiting up to ``timeout`` for another
        writer), or ``ROLLBACK`` when the block raises. A nested block joins the outer transaction as a
        savepoint: its writes commit only with the outer block, and if it raises, its own writes are
        undone (the exception goes on to the outer block, which rolls back everything unless it catches
        it). Reads inside the block see its writes; other threads see none of them until the commit.

        Every write method called outside a block commits on its own, atomically.

        Yields:
            None.

        Raises:
            SdkError: Another writer held the database for longer than ``timeout``.
        """
        with self._write():
            yield

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        state = self._state()
        conn = state.conn
        if state.depth:
            savepoint = f"nested_{state.depth}"
            conn.execute(f"SAVEPOINT {savepoint}")
            state.depth += 1
            try:
                yield conn
            except BaseException:
                state.depth -= 1
                if conn.in_transaction:  # SQLite may already have rolled back everything (disk full)
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute(f"ROLLBACK TO {savepoint}")
                        conn.execute(f"RELEASE {savepoint}")
                raise
            state.depth -= 1
            conn.execute(f"RELEASE {savepoint}")
            return
        self._begin(conn)
        state.depth = 1
        try:
            yield conn
        except BaseException:
            state.depth = 0
            self._rollback(conn)
            raise
        state.depth = 0
        try:
            conn.execute("COMMIT")
        except BaseException:
            self._rollback(conn)
            raise

    def _begin(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}:
                raise SdkError(
                    f"the state database {self._path} stayed locked by another writer for "
                    f"{self._timeout:g} s",
                    hint="another process or thread holds a long write transaction; raise the timeout "
                    "or find the stuck writer",
                ) from exc
            raise

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        # The original exception matters more than a failed rollback (SQLite may have rolled back itself).
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def _reading(self, statements: int) -> Iterator[sqlite3.Connection]:
        """Give the connection for reads; several statements outside a transaction share one snapshot."""
        state = self._state()
        conn = state.conn
        if state.depth or statements <= 1:
            yield conn
            return
        conn.execute("BEGIN")  # deferred and read-only: never takes the write lock
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # -- cursors -----------------------------------------------------------------------------------------

    def get_cursor(self, stream: str) -> datetime | None:
        """Return the high-water mark of ``stream``, or None when it was never set.

        Args:
            stream: The stream's name (``"jde:F0101"``, ``"zoho:Accounts"``).

        Returns:
            The aware UTC datetime last set, or None.
        """
        row = self._state().conn.execute("SELECT value FROM cursors WHERE stream = ?", (stream,)).fetchone()
        return None if row is None else decode_time(row[0])

    def set_cursor(self, stream: str, value: datetime) -> None:
        """Set the high-water mark of ``stream``.

        Args:
            stream: The stream's name.
            value: The new mark (timezone-aware; stored in UTC).

        Raises:
            ValueError: ``value`` is naive.
        """
        text = encode_time(value)
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO cursors (stream, value) VALUES (?, ?)", (stream, text))

    # -- links -------------------------------------------------------------------------------------------

    def _select_links(self, column: str, entity: Entity, keys: Sequence[str]) -> list[Link]:
        chunks = _chunks(keys)
        links: list[Link] = []
        with self._reading(len(chunks)) as conn:
            for chunk in chunks:
                sql = (
                    f"SELECT {LINK_COLUMNS} FROM links "
                    f"WHERE entity = ? AND {column} IN ({_marks(len(chunk))})"
                )
                links.extend(link_from_row(row) for row in conn.execute(sql, (Entity(entity).value, *chunk)))
        return links

    def get_links_by_jde(self, entity: Entity, jde_keys: Collection[str]) -> dict[str, Link]:
        """Return the links of ``entity`` whose JDE key is in ``jde_keys`` (deleted ones too).

        Args:
            entity: The kind of record.
            jde_keys: The JDE keys to look up; any number (looked up in chunks).

        Returns:
            The links found, by JDE key; keys with no link are absent.
        """
        return {link.jde_key: link for link in self._select_links("jde_key", entity, _unique(jde_keys))}

    def get_links_by_zoho(self, entity: Entity, zoho_ids: Collection[str]) -> dict[str, Link]:
        """Return the links of ``entity`` whose Zoho id is in ``zoho_ids`` (deleted ones too).

        Args:
            entity: The kind of record.
            zoho_ids: The Zoho ids to look up; any number.

        Returns:
            The links found, by Zoho id; ids with no link are absent.
        """
        return {link.zoho_id: link for link in self._select_links("zoho_id", entity, _unique(zoho_ids))}

    def _find_live(self, column: str, entity: Entity, values: Sequence[str]) -> dict[str, list[Link]]:
        # The two WHERE terms before IN repeat the partial index's condition, so SQLite uses the index. The
        # order is made here: asked for in SQL, it makes SQLite walk the whole entity in key order instead.
        chunks = _chunks(values)
        found: dict[str, list[Link]] = defaultdict(list)
        with self._reading(len(chunks)) as conn:
            for chunk in chunks:
                sql = (
                    f"SELECT {LINK_COLUMNS}, {column} FROM links WHERE entity = ? AND {column} <> '' "
                    f"AND deleted_in = '' AND {column} IN ({_marks(len(chunk))})"
                )
                for row in conn.execute(sql, (Entity(entity).value, *chunk)):
                    found[row[-1]].append(link_from_row(row))  # the column after LINK_COLUMNS
        for links in found.values():
            links.sort(key=lambda link: link.jde_key)
        return dict(found)

    def find_links_by_email(self, entity: Entity, emails: Collection[str]) -> dict[str, list[Link]]:
        """Return the live links of ``entity`` whose e-mail, lower-cased, is one of ``emails`` lower-cased.

        Empty e-mails never match, and deleted links are left out.

        Args:
            entity: The kind of record.
            emails: The e-mails to look for, in any case.

        Returns:
            The links found, in JDE key order, by lower-cased e-mail; e-mails with no link are absent.
        """
        return self._find_live("email_match", entity, _unique(email.lower() for email in emails if email))

    def find_links_by_tax_id(self, entity: Entity, tax_ids: Collection[str]) -> dict[str, list[Link]]:
        """Return the live links of ``entity`` whose tax id is one of ``tax_ids`` (compared exactly).

        Empty tax ids never match, and deleted links are left out.

        Args:
            entity: The kind of record.
            tax_ids: The tax ids to look for.

        Returns:
            The links found, in JDE key order, by tax id; tax ids with no link are absent.
        """
        return self._find_live("tax_id", entity, _unique(tax_id for tax_id in tax_ids if tax_id))

    def put_links(self, links: Sequence[Link]) -> None:
        """Insert or replace links, by (entity, JDE key).

        A link that takes a Zoho id held by another link of its entity replaces that link too. Within one
        call, later links win over earlier ones.

        Args:
            links: The links to store.

        Raises:
            ValueError: A datetime is naive.
            TypeError: A snapshot holds a value that is neither JSON nor Decimal.
        """
        rows = [link_row(link) for link in links]  # encode everything before writing anything
        if rows:
            with self._write() as conn:
                conn.executemany(_PUT_LINK, rows)

    def page_links(self, entity: Entity, *, after_jde_key: str = "", limit: int = 1000) -> list[Link]:
        """Return up to ``limit`` links of ``entity`` after ``after_jde_key``, in JDE key (text) order.

        Pass the last key of a page as ``after_jde_key`` to get the next one; an empty page is the end.

        Args:
            entity: The kind of record.
            after_jde_key: Return keys greater than this one (code point order); ``""`` from the start.
            limit: The page size.

        Returns:
            The page of links, live and deleted.
        """
        _check_limit(limit)
        rows = self._state().conn.execute(
            f"SELECT {LINK_COLUMNS} FROM links WHERE entity = ? AND jde_key > ? ORDER BY jde_key LIMIT ?",
            (Entity(entity).value, after_jde_key, limit),
        )
        return [link_from_row(row) for row in rows]

    def count_links(self, entity: Entity) -> int:
        """Return how many links ``entity`` has (live and deleted).

        Args:
            entity: The kind of record.

        Returns:
            The count.
        """
        row = (
            self._state()
            .conn.execute("SELECT count(*) FROM links WHERE entity = ?", (Entity(entity).value,))
            .fetchone()
        )
        return int(row[0])

    # -- notification queue ------------------------------------------------------------------------------

    def enqueue(self, changes: Sequence[QueuedChange]) -> int:
        """Queue Zoho record ids; a record already queued collapses into one item.

        The collapsed item keeps its place in the queue (first enqueued), the newest ``server_time`` and
        the operation that came with it, and takes a new ``sequence`` (the given one is ignored), so an
        :meth:`ack` of an earlier claim does not remove it. Sequences are never reused.

        Args:
            changes: The notified records.

        Returns:
            How many distinct records were not queued before.

        Raises:
            ValueError: A ``server_time`` is naive.
        """
        rows = [
            (change.module, change.zoho_id, change.operation, encode_time(change.server_time))
            for change in changes
        ]
        if not rows:
            return 0
        by_module: dict[str, list[str]] = defaultdict(list)
        for change in changes:
            by_module[change.module].append(change.zoho_id)
        records = 0
        known = 0
        with self._write() as conn:
            for module, zoho_ids in by_module.items():
                unique_ids = _unique(zoho_ids)
                records += len(unique_ids)
                for chunk in _chunks(unique_ids):
                    sql = f"SELECT count(*) FROM queue WHERE module = ? AND zoho_id IN ({_marks(len(chunk))})"
                    known += conn.execute(sql, (module, *chunk)).fetchone()[0]
            conn.execute("UPDATE counters SET value = value + ? WHERE name = 'queue_sequence'", (len(rows),))
            last = conn.execute("SELECT value FROM counters WHERE name = 'queue_sequence'").fetchone()[0]
            first = last - len(rows) + 1
            conn.executemany(_ENQUEUE, [(*row, first + index) for index, row in enumerate(rows)])
        _log.debug("queued %d notified records (%d new)", len(rows), records - known)
        return records - known

    def claim(self, owner: str, *, limit: int, lease: timedelta, now: datetime) -> list[QueuedChange]:
        """Claim up to ``limit`` queued items for ``owner`` until ``now + lease``, oldest first.

        Oldest means first enqueued (a collapsed re-enqueue keeps the item's place). Items under an
        unexpired lease of another owner are skipped; a lease whose end is not after ``now`` has expired,
        and its items may be claimed again. Items already leased to ``owner`` are claimed again (and their
        lease renewed), so a worker restarted under the same name picks up what it held.

        Args:
            owner: Who claims (a run id, a worker name).
            limit: The most items to claim.
            lease: How long the claim holds.
            now: The current time (aware).

        Returns:
            The claimed items, each with its current ``sequence``, to be passed to :meth:`ack`.

        Raises:
            ValueError: ``lease`` is not positive, ``limit`` is negative, or ``now`` is naive.
        """
        _check_limit(limit)
        _check_lease(lease)
        now_text = encode_time(now)
        expires = encode_time(now + lease)
        if not limit:
            return []
        with self._write() as conn:
            rows = conn.execute(
                "SELECT item_id, module, zoho_id, operation, server_time, sequence FROM queue "
                "WHERE claimed_by IS NULL OR claim_expires_at <= ? OR claimed_by = ? "
                "ORDER BY item_id LIMIT ?",
                (now_text, owner, limit),
            ).fetchall()
            conn.executemany(
                "UPDATE queue SET claimed_by = ?, claim_expires_at = ?, claimed_sequence = sequence "
                "WHERE item_id = ?",
                [(owner, expires, row[0]) for row in rows],
            )
        return [
            QueuedChange(
                module=row[1],
                zoho_id=row[2],
                operation=row[3],
                server_time=decode_time(row[4]),
                sequence=row[5],
            )
            for row in rows
        ]

    def ack(self, changes: Sequence[QueuedChange]) -> None:
        """Remove processed items, unless they were queued again since they were claimed.

        An item queued again (its sequence moved on) stays queued and its claim is released, so it is
        claimed and processed again with what the newer notification said.

        Args:
            changes: Items as :meth:`claim` returned them.
        """
        rows = [(change.module, change.zoho_id, change.sequence) for change in changes]
        if not rows:
            return
        with self._write() as conn:
            conn.executemany("DELETE FROM queue WHERE module = ? AND zoho_id = ? AND sequence = ?", rows)
            # Sequences are unique, so claimed_sequence still equal to ours means the claim is still ours
            # (nobody re-claimed the re-queued item since).
            conn.executemany(
                "UPDATE queue SET claimed_by = NULL, claim_expires_at = NULL, claimed_sequence = NULL "
                "WHERE module = ? AND zoho_id = ? AND claimed_sequence = ?",
                rows,
            )

    def queue_depth(self) -> int:
        """Return how many items are queued (claimed or not).

        Returns:
            The count.
        """
        return int(self._state().conn.execute("SELECT count(*) FROM queue").fetchone()[0])

    # -- audit -------------------------------------------------------------------------------------------

    def append_audit(self, events: Sequence[AuditEvent]) -> None:
        """Append audit events.

        Appending an event whose ``audit_id`` is already stored does nothing, so a retried batch does not
        double its audit trail.

        Args:
            events: The events.

        Raises:
            ValueError: An ``at`` is naive.
        """
        rows = [audit_row(event) for event in events]
        if rows:
            with self._write() as conn:
                conn.executemany(
                    f"INSERT OR IGNORE INTO audit ({AUDIT_COLUMNS}) VALUES ({_marks(11)})",
                    rows,
                )

    def query_audit(
        self,
        *,
        record_key: str | None = None,
        run_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> list[AuditEvent]:
        """Return audit events oldest first (by ``at``, then append order), filtered.

        Args:
            record_key: Only events whose JDE key or Zoho id is this (an empty key matches nothing).
            run_id: Only events of this run.
            since: Only events at or after this time.
            until: Only events before this time.
            limit: The most events to return (the oldest ones).

        Returns:
            The events.

        Raises:
            ValueError: ``since`` or ``until`` is naive, or ``limit`` is negative.
        """
        _check_limit(limit)
        if record_key == "":
            return []
        clauses: list[str] = []
        params: list[str | int] = []
        if record_key is not None:
            clauses.append("(jde_key = ? OR zoho_id = ?)")
            params += [record_key, record_key]
        if run_id is not None:
            clauses.append("run_id = ?")
            params.append(run_id)
        if since is not None:
            clauses.append("at >= ?")
            params.append(encode_time(since))
        if until is not None:
            clauses.append("at < ?")
            params.append(encode_time(until))
        where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
        rows = self._state().conn.execute(
            f"SELECT {AUDIT_COLUMNS} FROM audit {where}ORDER BY at, seq LIMIT ?", (*params, limit)
        )
        return [audit_from_row(row) for row in rows]

    def prune_audit(self, before: datetime) -> int:
        """Delete audit events older than ``before`` (the audit trail grows with every run).

        Args:
            before: Events at or after this time are kept.

        Returns:
            How many events were deleted.

        Raises:
            ValueError: ``before`` is naive.
        """
        text = encode_time(before)
        with self._write() as conn:
            deleted = conn.execute("DELETE FROM audit WHERE at < ?", (text,)).rowcount
        _log.info("pruned %d audit events older than %s from %s", deleted, text, self._path)
        return deleted

    def prune_failures(self, before: datetime) -> int:
        """Delete failures resolved before ``before`` (open ones are always kept).

        Resolved failures stay for the record; a store whose syncs fail and recover often collects them
        by the hundred thousand, which slows listing the open ones.

        Args:
            before: Failures resolved at or after this time are kept.

        Returns:
            How many failures were deleted.

        Raises:
            ValueError: ``before`` is naive.
        """
        text = encode_time(before)
        with self._write() as conn:
            deleted = conn.execute(
                "DELETE FROM failures WHERE resolved_at IS NOT NULL AND resolved_at < ?", (text,)
            ).rowcount
        _log.info("pruned %d failures resolved before %s from %s", deleted, text, self._path)
        return deleted

    # -- failures ----------------------------------------------------------------------------------------

    def add_failures(self, failures: Sequence[Failure]) -> None:
        """Record failures; an open failure of the same (entity, direction, source key) is updated instead.

        The update keeps ``failure_id`` and ``created_at``, takes the new run, target key, stage, error
        code, message, payload and ``last_attempt_at``, and adds one to ``attempts``. A failure given
        already resolved is stored as it is.

        Args:
            failures: The failures.

        Raises:
            ValueError: A datetime is naive.
            TypeError: A payload holds a value that is neither JSON nor Decimal.
        """
        rows = [failure_row(failure) for failure in failures]
        if rows:
            with self._write() as conn:
                conn.executemany(_ADD_FAILURE, rows)

    def list_failures(
        self, *, ids: Collection[str] | None = None, include_resolved: bool = False, limit: int | None = None
    ) -> list[Failure]:
        """Return failures oldest first (by ``created_at``).

        Args:
            ids: Only the failures with these ids.
            include_resolved: Include resolved failures too.
            limit: The most failures to return (the oldest ones); None for all.

        Returns:
            The failures.

        Raises:
            ValueError: ``limit`` is negative.
        """
        if limit is not None:
            _check_limit(limit)
        open_only = "" if include_resolved else " AND resolved_at IS NULL"
        if ids is None:
            rows = self._state().conn.execute(
                f"SELECT {FAILURE_COLUMNS} FROM failures WHERE 1{open_only} ORDER BY created_at, seq LIMIT ?",
                (-1 if limit is None else limit,),
            )
            return [failure_from_row(row) for row in rows]
        chunks = _chunks(_unique(ids))
        found: list[tuple[str, int, Failure]] = []
        with self._reading(len(chunks)) as conn:
            for chunk in chunks:
                sql = (
                    f"SELECT {FAILURE_COLUMNS}, seq FROM failures "
                    f"WHERE failure_id IN ({_marks(len(chunk))}){open_only}"
                )
                found.extend((row[10], row[15], failure_from_row(row)) for row in conn.execute(sql, chunk))
        found.sort(key=lambda item: item[:2])
        return [failure for _, _, failure in found[:limit]]

    def resolve_failures(
        self,
        entity: Entity,
        direction: Direction,
        source_keys: Collection[str],
        *,
        resolved_at: datetime,
        resolution: str,
    ) -> int:
        """Mark the open failures of these records resolved.

        Args:
            entity: The kind of record.
            direction: The direction that had failed.
            source_keys: The records' source keys.
            resolved_at: When they were resolved (aware).
            resolution: How (``"replayed"``, ``"synced"``...).

        Returns:
            How many failures were open and are now resolved.

        Raises:
            ValueError: ``resolved_at`` is naive.
        """
        text = encode_time(resolved_at)
        chunks = _chunks(_unique(source_keys))
        resolved = 0
        if chunks:
            with self._write() as conn:
                for chunk in chunks:
                    resolved += conn.execute(
                        "UPDATE failures SET resolved_at = ?, resolution = ? "
                        "WHERE entity = ? AND direction = ? AND resolved_at IS NULL "
                        f"AND source_key IN ({_marks(len(chunk))})",
                        (text, resolution, Entity(entity).value, Direction(direction).value, *chunk),
                    ).rowcount
        return resolved

    # -- notification channels ---------------------------------------------------------------------------

    def put_channel(self, channel: ChannelState) -> None:
        """Insert or replace a channel (by channel id).

        Its token is stored in clear (the sync must echo it back); the file is readable by its owner only.

        Args:
            channel: The channel.

        Raises:
            ValueError: ``expires_at`` is naive.
        """
        row = channel_row(channel)
        with self._write() as conn:
            conn.execute(f"INSERT OR REPLACE INTO channels ({CHANNEL_COLUMNS}) VALUES ({_marks(5)})", row)

    def list_channels(self) -> list[ChannelState]:
        """Return every channel kept alive by the sync, by channel id.

        Returns:
            The channels, tokens wrapped in :class:`~jde_zoho_sdk._redact.Secret`.
        """
        rows = self._state().conn.execute(f"SELECT {CHANNEL_COLUMNS} FROM channels ORDER BY channel_id")
        return [channel_from_row(row) for row in rows]

    def delete_channel(self, channel_id: str) -> None:
        """Forget a channel; an unknown id is ignored.

        Args:
            channel_id: The channel's id.
        """
        with self._write() as conn:
            conn.execute("DELETE FROM channels WHERE channel_id = ?", (channel_id,))

    # -- run lock ----------------------------------------------------------------------------------------

    def acquire_lock(self, name: str, owner: str, *, lease: timedelta, now: datetime) -> bool:
        """Take (or renew) the lock ``name`` for ``owner`` until ``now + lease``.

        Args:
            name: The lock's name.
            owner: Who takes it.
            lease: How long it holds unless renewed; a holder that dies frees it when this runs out.
            now: The current time (aware); a lease whose end is not after it has expired.

        Returns:
            True when ``owner`` holds the lock afterwards: it was free, expired, or already ``owner``'s.

        Raises:
            ValueError: ``lease`` is not positive or ``now`` is naive.
        """
        _check_lease(lease)
        now_text = encode_time(now)
        with self._write() as conn:
            cursor = conn.execute(_ACQUIRE_LOCK, (name, owner, encode_time(now + lease), now_text))
            return cursor.rowcount == 1

    def release_lock(self, name: str, owner: str) -> None:
        """Release the lock if ``owner`` holds it; otherwise do nothing.

        Args:
            name: The lock's name.
            owner: Who releases it.
        """
        with self._write() as conn:
            conn.execute("DELETE FROM locks WHERE name = ? AND owner = ?", (name, owner))

    def lock_holder(self, name: str) -> tuple[str, datetime] | None:
        """Return who holds the lock ``name`` and until when (even when the lease has run out), or None.

        Args:
            name: The lock's name.

        Returns:
            The owner and the end of its lease (aware UTC), or None when nobody holds it.
        """
        row = (
            self._state()
            .conn.execute("SELECT owner, expires_at FROM locks WHERE name = ?", (name,))
            .fetchone()
        )
        return None if row is None else (str(row[0]), decode_time(row[1]))

    # -- operations --------------------------------------------------------------------------------------

    def stats(self) -> StoreStats:
        """Count links per entity, queued items, open failures and channels.

        Returns:
            The counts, read from one snapshot of the database.
        """
        links = dict.fromkeys(Entity, 0)
        deleted = dict.fromkeys(Entity, 0)
        with self._reading(4) as conn:
            for entity, count, gone in conn.execute(
                "SELECT entity, count(*), count(nullif(deleted_in, '')) FROM links GROUP BY entity"
            ):
                links[ENTITIES[entity]] = count
                deleted[ENTITIES[entity]] = gone
            queue_depth = conn.execute("SELECT count(*) FROM queue").fetchone()[0]
            open_failures = conn.execute(
                "SELECT count(*) FROM failures WHERE resolved_at IS NULL"
            ).fetchone()[0]
            channels = conn.execute("SELECT count(*) FROM channels").fetchone()[0]
        return StoreStats(
            links=links,
            deleted_links=deleted,
            queue_depth=queue_depth,
            open_failures=open_failures,
            channels=channels,
        )
