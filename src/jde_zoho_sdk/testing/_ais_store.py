"""In-memory tables of the AIS emulator: rows by key, indexes, next numbers, UPMJ/UPMT stamping.

Rows are dictionaries by alias holding only the columns written (the rest read as the column default).
A row is never changed in place: an update stores a new dictionary, so an open result set keeps the rows
as they were when its query ran, like a database cursor.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time, tzinfo
from types import MappingProxyType

from jde_zoho_sdk.testing._ais_schema import BUILT_IN_TABLES, Column, ColumnRuleError, TableDef

__all__ = ["Key", "StoredRow", "Table", "Tables"]

Key = tuple[object, ...]
StoredRow = dict[str, object]


class Table:
    """One table: rows by primary key, an index on the first key column and on ``definition.indexes``."""

    def __init__(self, definition: TableDef) -> None:
        self.definition = definition
        self.rows: dict[Key, StoredRow] = {}
        self._sorted: list[Key] | None = []
        self._by_first: dict[object, set[Key]] = {}
        self._indexes: dict[str, dict[object, set[Key]]] = {alias: {} for alias in definition.indexes}
        self._key_columns = tuple((alias, definition.columns[alias].default) for alias in definition.keys)
        self._last: tuple[object, ...] | None = None

    def add_index(self, alias: str) -> None:
        """Index ``alias`` (no-op when already indexed)."""
        if alias in self._indexes or alias not in self.definition.columns:
            return
        index: dict[object, set[Key]] = {}
        for key, row in self.rows.items():
            index.setdefault(row.get(alias, self.definition.columns[alias].default), set()).add(key)
        self._indexes[alias] = index

    def key_of(self, row: Mapping[str, object]) -> Key:
        """The primary key of a stored row."""
        columns = self.definition.columns
        return tuple(row.get(alias, columns[alias].default) for alias in self.definition.keys)

    def sort_key(self, key: Key) -> tuple[object, ...]:
        """``key`` made orderable (blank dates first)."""
        columns = self.definition.columns
        return tuple(
            columns[alias].sort_value(value) for alias, value in zip(self.definition.keys, key, strict=True)
        )

    def sorted_keys(self) -> list[Key]:
        """Every key in key order (sorted lazily, then kept while rows are only appended in order)."""
        if self._sorted is None:
            self._sorted = sorted(self.rows, key=self.sort_key)
        return self._sorted

    def put(self, row: StoredRow) -> tuple[Key, StoredRow | None]:
        """Store ``row`` (insert or replace); returns its key and the row it replaced."""
        key = self.key_of(row)
        old = self.rows.get(key)
        self.rows[key] = row
        if old is None:
            self._by_first.setdefault(key[0], set()).add(key)
            if self._sorted is not None:
                order = self.sort_key(key)
                if self._last is None or self._last < order:
                    self._sorted.append(key)
                    self._last = order
                else:
                    self._sorted = None
        for alias, index in self._indexes.items():
            default = self.definition.columns[alias].default
            if old is not None:
                index.get(old.get(alias, default), set()).discard(key)
            index.setdefault(row.get(alias, default), set()).add(key)
        return key, old

    def remove(self, key: Key) -> StoredRow | None:
        """Delete the row of ``key``; returns it, or None when there was none."""
        old = self.rows.pop(key, None)
        if old is None:
            return None
        self._by_first.get(key[0], set()).discard(key)
        self._sorted = None
        self._last = None
        for alias, index in self._indexes.items():
            index.get(old.get(alias, self.definition.columns[alias].default), set()).discard(key)
        return old

    def lookup(self, alias: str, values: Iterable[object]) -> list[Key] | None:
        """Keys whose ``alias`` is one of ``values`` through an index, or None when ``alias`` has none."""
        keys = self.definition.keys
        if alias == keys[0] and len(keys) == 1:
            return [key for value in values if (key := (value,)) in self.rows]
        source = self._by_first if alias == keys[0] else self._indexes.get(alias)
        if source is None:
            return None
        found: set[Key] = set()
        for value in values:
            found.update(source.get(value, ()))
        return list(found)


class Tables:
    """The emulator's tables: seed, change and inspect them (``emu.tables``).

    Every write applies the columns' rules and stamps UPMJ/UPMT (in the emulator's zone, from its clock)
    unless the row gives them. Keys are given as mappings (``{"AN8": 4242}``, ``{"AN8": 4242, "IDLN": 1}``).

    Args:
        clock: Aware "now".
        server_zone: The zone UPMJ/UPMT are stamped in.
        lock: The emulator's lock (writes from tests and requests do not interleave).
    """

    def __init__(self, clock: Callable[[], datetime], server_zone: tzinfo, lock: threading.RLock) -> None:
        self._clock = clock
        self._zone = server_zone
        self._lock = lock
        self._tables: dict[str, Table] = {name: Table(d) for name, d in BUILT_IN_TABLES.items()}
        self._next: dict[str, int] = {}

    # -- definitions ---------------------------------------------------------------------------------

    def define(self, definition: TableDef) -> None:
        """Add (or replace, emptying it) a table, such as a custom F55 table for your own tests.

        Args:
            definition: The table (see :meth:`TableDef.build`).
        """
        with self._lock:
            self._tables[definition.name] = Table(definition)

    def table(self, name: str) -> Table:
        """The table ``name``.

        Args:
            name: The table (``"F0101"``).

        Raises:
            KeyError: No such table.
        """
        try:
            return self._tables[name]
        except KeyError:
            raise KeyError(
                f"the emulator has no table {name!r}; define it with emu.tables.define()"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._tables

    def names(self) -> list[str]:
        """The tables defined."""
        return sorted(self._tables)

    # -- writes ------------------------------------------------------------------------------------

    def stamp(self) -> tuple[date, int]:
        """(UPMJ, UPMT) for now, in the server zone."""
        local = self._clock().astimezone(self._zone)
        moment: time = local.time()
        return local.date(), moment.hour * 10000 + moment.minute * 100 + moment.second

    def next_number(self, name: str = "AN8") -> int:
        """The next number of a next-number series (AN8 by default), above every address number in F0101.

        Args:
            name: The series.
        """
        with self._lock:
            current = self._next.get(name)
            if current is None:
                current = 1001
                if name == "AN8":
                    highest = max((int(key[0]) for key in self._tables["F0101"].rows), default=0)  # type: ignore[call-overload]
                    current = max(current, highest + 1)
            self._next[name] = current + 1
            return current

    def _coerce(self, table: Table, values: Mapping[str, object]) -> StoredRow:
        columns = table.definition.columns
        row: StoredRow = {}
        for alias, value in values.items():
            column: Column | None = columns.get(alias)
            if column is None:
                raise ColumnRuleError(f"{table.definition.name} has no column {alias!r}")
            row[alias] = column.coerce(value)
        return row

    def _stamped(self, row: StoredRow, stamp: tuple[date, int] | None) -> StoredRow:
        if "UPMJ" not in row:
            upmj, upmt = stamp or self.stamp()
            row["UPMJ"] = upmj
            row.setdefault("UPMT", upmt)
        return row

    def insert(self, table: str, row: Mapping[str, object]) -> Mapping[str, object]:
        """Insert a row; an F0101 row without AN8 gets the next address number.

        Args:
            table: The table.
            row: Column alias -> value; missing columns get their blank value.

        Returns:
            The row as stored (every column).

        Raises:
            KeyError: The table does not exist, or a row with that key does.
            ColumnRuleError: A value does not fit its column.
        """
        with self._lock:
            target = self.table(table)
            values = dict(row)
            if table == "F0101" and not values.get("AN8"):
                values["AN8"] = self.next_number("AN8")
            stored = self._stamped(self._coerce(target, values), None)
            key = target.key_of(stored)
            if key in target.rows:
                raise KeyError(f"{table} already has a row with key {key}")
            target.put(stored)
            self._bump(table, stored)
            return self._full(target, stored)

    def insert_many(self, table: str, rows: Iterable[Mapping[str, object]]) -> int:
        """Insert rows in bulk (one stamp for all; existing keys are replaced). Returns how many.

        Args:
            table: The table.
            rows: The rows, as for :meth:`insert`.
        """
        with self._lock:
            target = self.table(table)
            stamp = self.stamp()
            count = 0
            for row in rows:
                values = dict(row)
                if table == "F0101" and not values.get("AN8"):
                    values["AN8"] = self.next_number("AN8")
                stored = self._stamped(self._coerce(target, values), stamp)
                target.put(stored)
                self._bump(table, stored)
                count += 1
            return count

    def _bump(self, table: str, stored: StoredRow) -> None:
        if table == "F0101" and "AN8" in self._next:
            self._next["AN8"] = max(self._next["AN8"], int(stored["AN8"]) + 1)  # type: ignore[call-overload]

    def update(
        self, table: str, key: Mapping[str, object], changes: Mapping[str, object]
    ) -> Mapping[str, object]:
        """Change columns of one row and stamp it.

        Args:
            table: The table.
            key: The row's key columns and values (``{"AN8": 4242}``).
            changes: Column alias -> new value (UPMJ/UPMT are stamped unless given).

        Returns:
            The row as stored after the change.

        Raises:
            KeyError: No such table or row.
            ColumnRuleError: A value does not fit its column.
        """
        with self._lock:
            target = self.table(table)
            found = self._key(target, key)
            old = target.rows.get(found)
            if old is None:
                raise KeyError(f"{table} has no row with key {dict(key)}")
            update = self._coerce(target, changes)
            if target.key_of({**old, **update}) != found:
                raise ColumnRuleError(f"{table}: key columns cannot be updated")
            new = {**old, **update}
            if "UPMJ" not in update:
                new["UPMJ"], new["UPMT"] = self.stamp()
            target.put(new)
            return self._full(target, new)

    def delete(self, table: str, key: Mapping[str, object]) -> bool:
        """Delete one row; returns whether it existed.

        Args:
            table: The table.
            key: The row's key columns and values.
        """
        with self._lock:
            target = self.table(table)
            return target.remove(self._key(target, key)) is not None

    # -- reads ---------------------------------------------------------------------------------------

    def _key(self, target: Table, key: Mapping[str, object]) -> Key:
        columns = target.definition.columns
        unknown = set(key) - set(target.definition.keys)
        if unknown:
            raise KeyError(f"{sorted(unknown)} are not key columns of {target.definition.name}")
        return tuple(columns[alias].coerce(key.get(alias)) for alias in target.definition.keys)

    @staticmethod
    def _full(target: Table, row: StoredRow) -> Mapping[str, object]:
        columns = target.definition.columns
        return MappingProxyType({alias: row.get(alias, column.default) for alias, column in columns.items()})

    def get(self, table: str, key: Mapping[str, object]) -> Mapping[str, object] | None:
        """The row of ``key`` (every column), or None.

        Args:
            table: The table.
            key: The row's key columns and values.
        """
        with self._lock:
            target = self.table(table)
            row = target.rows.get(self._key(target, key))
            return None if row is None else self._full(target, row)

    def rows(self, table: str, **filters: object) -> list[Mapping[str, object]]:
        """Rows whose columns equal ``filters`` (all rows without filters), in key order.

        Args:
            table: The table.
            **filters: Column alias = value.
        """
        with self._lock:
            target = self.table(table)
            return [self._full(target, row) for row in self.matching(target, filters)]

    def matching(self, target: Table, filters: Mapping[str, object]) -> Iterator[StoredRow]:
        """Stored rows equal to ``filters``, in key order (uses an index when one fits).

        Args:
            target: The table.
            filters: Column alias -> value.
        """
        columns = target.definition.columns
        wanted = {alias: columns[alias].coerce(value) for alias, value in filters.items()}
        keys: list[Key] | None = None
        for alias, value in wanted.items():
            keys = target.lookup(alias, [value])
            if keys is not None:
                keys.sort(key=target.sort_key)
                break
        for key in keys if keys is not None else target.sorted_keys():
            row = target.rows.get(key)
            if row is not None and all(row.get(a, columns[a].default) == v for a, v in wanted.items()):
                yield row

    def count(self, table: str) -> int:
        """How many rows ``table`` holds.

        Args:
            table: The table.
        """
        return len(self.table(table).rows)
