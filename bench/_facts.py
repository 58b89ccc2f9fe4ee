"""What a run has to read and write, measured on the systems and the store (never on the engine's calls).

These are the inputs of the minimum formula (``bench/README.md``): rows each change stream must return,
Zoho records each poll must return, the address numbers whose aggregates must be read and which tables
each needs, and the JDE writes the run decided (from its audit trail).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

import attrs

from bench._world import World
from jde_zoho_sdk.jde.dates import from_jde_stamp
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.mapping import DefaultMapper
from jde_zoho_sdk.sync.model import AuditAction, Direction, Entity
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore

__all__ = ["LIST_CHUNK", "TOKEN_REACH", "Facts", "Window", "measure", "repeats", "window"]

LIST_CHUNK = 100
"""Values per LIST condition (the AIS client's default ``list_chunk_size``)."""
TOKEN_REACH = 100_000
"""Records one Zoho ``page_token`` chain reaches (``PAGINATION_LIMIT_EXCEEDED`` after)."""

_ENTITY_TABLES = {
    "C": ("F03012", "F0116", "F01151", "F0115"),
    "V": ("F0401", "F0116", "F01151", "F0115"),
}
_CONTACT_TABLES = ("F0111", "F01151", "F0115")
_LINE_TABLES = frozenset(_CONTACT_TABLES)
_MODULES = {Entity.CUSTOMER: "Accounts", Entity.SUPPLIER: "Vendors", Entity.CONTACT: "Contacts"}


@attrs.frozen
class Window:
    """Where each change stream and each poll starts (None: the first run reads everything).

    Attributes:
        tables: Each JDE table's lower bound (cursor minus overlap).
        modules: Each Zoho module's lower bound.
        polled: Zoho records each poll must return, counted when the run starts.
        repeats: For each poll, the records met again at each ``page_token`` reach (see :func:`repeats`).
    """

    tables: Mapping[str, datetime | None]
    modules: Mapping[str, datetime | None]
    polled: Mapping[str, int]
    repeats: Mapping[str, tuple[int, ...]]


@attrs.frozen
class Facts:
    """The inputs of the minimum formula for one run.

    Attributes:
        full: Whether the run had no cursor (the streams carry every column; no aggregate reads).
        stream_rows: Rows each table's change stream must return.
        polled: Zoho records each module's poll must return.
        repeats: Records each poll meets again where a ``page_token`` chain runs out.
        changed_numbers: Address numbers the change streams name.
        aggregate_chunks: LIST chunks the aggregate reads need, per table (batches of ``batch_size``
            address numbers; a table only for the numbers whose records need it).
        orchestrations: Orchestration calls per name: one per JDE create or update the run decided.
    """

    full: bool
    stream_rows: Mapping[str, int]
    polled: Mapping[str, int]
    repeats: Mapping[str, tuple[int, ...]]
    changed_numbers: int
    aggregate_chunks: Mapping[str, int]
    orchestrations: Mapping[str, int]


def _tables(config: SyncConfig) -> list[str]:
    mapper = DefaultMapper()
    names = {"F0101": None}
    for entity in config.entities:
        names.update(dict.fromkeys(mapper.jde_columns(entity)))
    return list(names)


def window(world: World, store: SqliteStateStore, config: SyncConfig) -> Window:
    """Read the cursors a run will start from, and count what each Zoho poll will return."""
    tables = {}
    for table in _tables(config):
        cursor = store.get_cursor(f"jde:{table}")
        tables[table] = cursor - config.overlap if cursor else None
    modules, polled, again = {}, {}, {}
    for entity in config.entities:
        module = _MODULES[entity]
        cursor = store.get_cursor(f"zoho:{module}")
        since = cursor - config.overlap if cursor else None
        modules[module] = since
        stamps = (
            datetime.fromisoformat(str(record["Modified_Time"])) for record in world.zoho.records(module)
        )
        times = sorted(when for when in stamps if since is None or when >= since)
        polled[module] = len(times)
        again[module] = repeats(times)
    return Window(tables, modules, polled, again)


def repeats(times: list[datetime], reach: int = TOKEN_REACH) -> tuple[int, ...]:
    """Records a read meets twice: at each chain's reach, the next window starts at the last second seen.

    Zoho's ``page_token`` chain stops after ``reach`` records; the client goes on with a new chain from the
    last ``Modified_Time`` it saw, which returns that second's records again (and skips them).

    Args:
        times: The ``Modified_Time`` of every record of the read, sorted.
        reach: Records one chain reaches.
    """
    found: list[int] = []
    start = 0
    while len(times) - start > reach:
        last = times[start + reach - 1]
        first = bisect.bisect_left(times, last, start, start + reach)
        if first == start:  # more records in one second than a chain reaches: the read stops there
            break
        found.append(start + reach - first)
        start = first
    return tuple(found)


def _in_stream(table: str, row: Mapping[str, object], config: SyncConfig) -> bool:
    if table == "F0101":
        return str(row.get("AT1", "")).strip() in (
            *config.customer_search_types,
            *config.supplier_search_types,
        )
    if table == "F03012":
        return str(row.get("CO", "")).strip() == config.company
    return True


def _aggregate_chunks(
    changed: Mapping[int, set[int]], types: Mapping[int, str], config: SyncConfig
) -> dict[str, int]:
    """LIST chunks per table: F0101 for every number; the others only for the records that need them."""
    chunks: dict[str, int] = defaultdict(int)
    numbers = sorted(changed)
    for start in range(0, len(numbers), config.batch_size):
        needs: dict[str, set[int]] = defaultdict(set)
        for number in numbers[start : start + config.batch_size]:
            needs["F0101"].add(number)
            kind = "C" if types.get(number) in config.customer_search_types else types.get(number, "")
            kind = "V" if kind in config.supplier_search_types else kind
            if kind not in _ENTITY_TABLES:
                continue
            lines = changed[number]
            entity = Entity.CUSTOMER if kind == "C" else Entity.SUPPLIER
            if 0 in lines and entity in config.entities:
                for table in _ENTITY_TABLES[kind]:
                    needs[table].add(number)
            if lines - {0} and Entity.CONTACT in config.entities:
                for table in _CONTACT_TABLES:
                    needs[table].add(number)
        for table, wanted in needs.items():
            chunks[table] += math.ceil(len(wanted) / LIST_CHUNK)
    return dict(chunks)


def _orchestrations(store: SqliteStateStore, run_id: str, config: SyncConfig) -> dict[str, int]:
    names: dict[str, int] = defaultdict(int)
    for event in store.query_audit(run_id=run_id, limit=10**9):
        if event.direction is not Direction.ZOHO_TO_JDE:
            continue
        if event.action is AuditAction.CREATE:
            names[config.orchestrations.create(event.entity)] += 1
        elif event.action is AuditAction.UPDATE:
            names[config.orchestrations.update(event.entity)] += 1
    return dict(names)


def measure(world: World, store: SqliteStateStore, config: SyncConfig, start: Window, run_id: str) -> Facts:
    """The formula's inputs for the run that started at ``start`` (call after the run)."""
    zone = world.ais.zone
    stream_rows: dict[str, int] = {}
    changed: dict[int, set[int]] = defaultdict(set)
    types: dict[int, str] = {}
    for table, since in start.tables.items():
        count = 0
        for row in world.ais.tables.rows(table):
            if table == "F0101":
                types[int(str(row["AN8"]))] = str(row.get("AT1", "")).strip()
            if not _in_stream(table, row, config):
                continue
            stamp = from_jde_stamp(row.get("UPMJ"), row.get("UPMT"), zone)  # type: ignore[arg-type]
            if since is not None and (stamp is None or stamp < since):
                continue
            count += 1
            line = int(str(row.get("IDLN") or 0)) if table in _LINE_TABLES else 0
            changed[int(str(row["AN8"]))].add(line)
        stream_rows[table] = count
    full = all(since is None for since in start.tables.values())
    return Facts(
        full=full,
        stream_rows=stream_rows,
        polled=start.polled,
        repeats=start.repeats,
        changed_numbers=len(changed),
        aggregate_chunks={} if full else _aggregate_chunks(changed, types, config),
        orchestrations=_orchestrations(store, run_id, config),
    )
