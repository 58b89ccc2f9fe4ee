"""The SqliteStateStore schema, its migrations, and how a connection to the state database is opened.

The schema version lives in ``PRAGMA user_version``. :data:`MIGRATIONS` is ordered: migration *n* (1-based)
takes a database from version *n - 1* to *n*. At open, the missing migrations run in one ``BEGIN IMMEDIATE``
transaction, so two processes opening a new file at once cannot both migrate it, and a crash mid-migration
leaves the previous version intact. A migration is only ever appended, never edited once released.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Final, Literal

import backoff

from jde_zoho_sdk._redact import get_logger
from jde_zoho_sdk.errors import ConfigError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Synchronous", "connect", "create_private_file", "migrate"]

_log = get_logger(__name__)

Synchronous = Literal["NORMAL", "FULL"]

_V1: Final = (
    # One row per named counter. "queue_sequence" numbers every enqueue, so a queue item's sequence is
    # never reused, even after the item is acknowledged and the same record is queued again.
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
    "INSERT INTO counters (name, value) VALUES ('queue_sequence', 0)",
    "CREATE TABLE cursors (stream TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    # Snapshots are JSON text of up to a few KB, too wide for a WITHOUT ROWID table.
    """CREATE TABLE links (
        entity TEXT NOT NULL,
        jde_key TEXT NOT NULL,
        zoho_id TEXT NOT NULL,
        jde_snapshot TEXT NOT NULL,
        zoho_snapshot TEXT NOT NULL,
        email TEXT NOT NULL,
        email_match TEXT NOT NULL,
        tax_id TEXT NOT NULL,
        jde_updated_at TEXT,
        zoho_modified_at TEXT,
        synced_at TEXT NOT NULL,
        deleted_in TEXT NOT NULL,
        deleted_at TEXT,
        pending TEXT,
        PRIMARY KEY (entity, jde_key)
    )""",
    # A Zoho id belongs to one link per entity; put_links relies on INSERT OR REPLACE honouring this index.
    "CREATE UNIQUE INDEX links_by_zoho_id ON links (entity, zoho_id)",
    # Duplicate lookups only ever ask for live links with a non-empty value: partial indexes skip the rest
    # (many records have no e-mail), and the lookups repeat these WHERE terms so the planner can use them.
    "CREATE INDEX links_by_email ON links (entity, email_match) WHERE email_match <> '' AND deleted_in = ''",
    "CREATE INDEX links_by_tax_id ON links (entity, tax_id) WHERE tax_id <> '' AND deleted_in = ''",
    # item_id orders the queue by first enqueue; a collapsed re-enqueue updates the row and keeps its place.
    """CREATE TABLE queue (
        item_id INTEGER PRIMARY KEY,
        module TEXT NOT NULL,
        zoho_id TEXT NOT NULL,
        operation TEXT NOT NULL,
        server_time TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        claimed_by TEXT,
        claim_expires_at TEXT,
        claimed_sequence INTEGER
    )""",
    "CREATE UNIQUE INDEX queue_by_record ON queue (module, zoho_id)",
    # seq breaks ties between events stamped with the same microsecond, in append order.
    """CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        audit_id TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL,
        at TEXT NOT NULL,
        entity TEXT NOT NULL,
        direction TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        jde_key TEXT NOT NULL,
        zoho_id TEXT NOT NULL,
        fields TEXT NOT NULL,
        message TEXT NOT NULL
    )""",
    "CREATE INDEX audit_by_jde_key ON audit (jde_key, at)",
    "CREATE INDEX audit_by_zoho_id ON audit (zoho_id, at)",
    "CREATE INDEX audit_by_run ON audit (run_id, at)",
    "CREATE INDEX audit_by_time ON audit (at)",
    """CREATE TABLE failures (
        seq INTEGER PRIMARY KEY,
        failure_id TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL,
        entity TEXT NOT NULL,
        direction TEXT NOT NULL,
        source_key TEXT NOT NULL,
        target_key TEXT NOT NULL,
        stage TEXT NOT NULL,
        error_code TEXT NOT NULL,
        message TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_attempt_at TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        resolved_at TEXT,
        resolution TEXT NOT NULL
    )""",
    # At most one open failure per record and direction; add_failures upserts on this very index.
    """CREATE UNIQUE INDEX failures_open ON failures (entity, direction, source_key)
        WHERE resolved_at IS NULL""",
    "CREATE INDEX failures_by_created ON failures (created_at)",
    """CREATE TABLE channels (
        channel_id TEXT PRIMARY KEY,
        events TEXT NOT NULL,
        notify_url TEXT NOT NULL,
        token TEXT NOT NULL,
        expires_at TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE TABLE locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at TEXT NOT NULL) WITHOUT ROWID",
)

MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (_V1,)
_OUR_TABLES: Final = frozenset(
    {"counters", "cursors", "links", "queue", "audit", "failures", "channels", "locks"}
)
"""The ordered migrations; migration ``n`` (1-based) brings the schema to version ``n``."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this package writes and understands."""

# UPSERT (3.24) is used for the queue, failures and locks; partial indexes need 3.8.
_MIN_SQLITE: Final = (3, 24, 0)

_OPEN_HINT: Final = "point the store at a jde-zoho-sdk state database (or a new file) this process can write"


def create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only, unless it exists.

    SQLite creates its ``-wal`` and ``-shm`` files with the permissions of the database file, so making the
    main file 0600 before SQLite first opens it keeps all three private. (A restrictive ``umask`` around the
    connect would do the same, but the umask is process-wide and would race with other threads.)

    Args:
        path: The database file.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode
        if stat.S_ISREG(mode) and mode & 0o077:
            _log.warning(
                "state database %s is readable by other users (mode %o); it holds channel tokens: "
                "chmod 600 it",
                path,
                stat.S_IMODE(mode),
            )
        return
    try:
        if hasattr(os, "fchmod"):  # POSIX: the umask may have taken bits off; SQLite needs read and write
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def connect(path: Path, *, timeout: float, synchronous: Synchronous) -> sqlite3.Connection:
    """Open one connection to the state database with the store's settings.

    Args:
        path: The database file (already created).
        timeout: Seconds a writer waits for another connection's write lock before failing.
        synchronous: ``PRAGMA synchronous`` for this connection.

    Returns:
        The connection, in autocommit mode (the store issues BEGIN/COMMIT itself).

    Raises:
        ConfigError: SQLite is too old, or the file is not a database.
    """
    if sqlite3.sqlite_version_info < _MIN_SQLITE:
        raise ConfigError(
            f"SqliteStateStore needs SQLite {'.'.join(map(str, _MIN_SQLITE))} or newer; "
            f"this Python uses SQLite {sqlite3.sqlite_version}",
            hint="use a Python build with a newer SQLite, or another StateStore",
        )
    # isolation_level=None: the sqlite3 module must not open transactions behind our back; the store
    # issues BEGIN IMMEDIATE itself, so a write transaction takes the write lock up front and waits on
    # busy_timeout instead of failing mid-way when it upgrades from a read. check_same_thread=False only
    # so that close() can close connections opened by other threads: each is used by its own thread.
    try:
        conn = sqlite3.connect(
            path, timeout=timeout, isolation_level=None, check_same_thread=False, cached_statements=256
        )
    except sqlite3.Error as exc:  # a directory, a file this process may not read...
        raise ConfigError(f"cannot open the state database {path}: {exc}", hint=_OPEN_HINT) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        # With WAL, NORMAL syncs the WAL only at checkpoints: a committed transaction is in the WAL file
        # (in the OS page cache) when COMMIT returns, so it survives the process being killed; only a power
        # loss or OS crash can lose the last commits, never corrupt the file. The engine's writes are
        # idempotent upserts, so a lost checkpoint means repeated work, not lost data. FULL (an fsync per
        # commit) is available for hosts that want power-loss durability too.
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -16384")  # 16 MiB: the link indexes of a 100k-record sync
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ConfigError(f"cannot open the state database {path}: {exc}", hint=_OPEN_HINT) from exc
    return conn


def _current_version(conn: sqlite3.Connection, path: Path) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if (version == 0 and tables) or (version > 0 and not tables >= _OUR_TABLES):
        raise ConfigError(
            f"{path} is a SQLite database of another application (its tables are not jde-zoho-sdk's)",
            hint="point the store at a new file",
        )
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"the state database {path} has schema version {version}, written by a newer jde-zoho-sdk; "
            f"this version understands up to {SCHEMA_VERSION}",
            hint="upgrade jde-zoho-sdk (pip install -U jde-zoho-sdk) to open it",
        )
    return version


def _locked(error: Exception) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)


def _to_wal(conn: sqlite3.Connection, timeout: float) -> str:
    """Switch the file to WAL; the switch ignores ``busy_timeout``, so a busy file is tried again."""

    @backoff.on_exception(
        backoff.expo, sqlite3.OperationalError, max_time=timeout, giveup=lambda e: not _locked(e), max_value=1
    )
    def switch() -> str:
        return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])

    return switch()


def migrate(conn: sqlite3.Connection, path: Path, *, timeout: float = 5.0) -> int:
    """Switch the database to WAL and bring its schema to :data:`SCHEMA_VERSION`.

    Args:
        conn: A connection from :func:`connect`.
        path: The database file, for messages.
        timeout: Seconds to wait for another process switching the same new file to WAL.

    Returns:
        The schema version the database had before.

    Raises:
        ConfigError: The database was written by a newer jde-zoho-sdk, or is some other application's.
    """
    try:
        # Another application's file is refused before anything in it changes (the journal mode stays).
        _current_version(conn, path)
        # journal_mode is persistent in the file and cannot change inside a transaction.
        # Two processes opening a new file at once both switch it; the loser is told "locked" at once.
        mode = _to_wal(conn, timeout)
        if str(mode).lower() != "wal":
            _log.warning(
                "state database %s: WAL journal not available (mode %s); writers will block readers",
                path,
                mode,
            )
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"cannot open the state database {path}: {exc}", hint=_OPEN_HINT) from exc
    try:
        version = _current_version(conn, path)
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                conn.execute(statement)
        if version != SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if version != SCHEMA_VERSION:
        _log.info("state database %s: schema migrated from version %d to %d", path, version, SCHEMA_VERSION)
    return version
