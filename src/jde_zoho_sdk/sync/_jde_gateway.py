"""What the engine asks of JD Edwards, in the engine's terms, over :class:`~jde_zoho_sdk.jde.AisClient`.

Reading changes: every table the entities draw on is polled by UPMJ/UPMT in address-number order and the
streams are merged by address number, so one pass yields each changed record once with constant memory.
On the first run (no cursor) the streams carry every column and *are* the aggregates; later, they carry
only keys, and each batch of changed address numbers is read whole with chunked LIST queries (a change to
one e-mail row must not leave the record's other rows behind).
"""

from __future__ import annotations

import functools
import heapq
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

import attrs

from jde_zoho_sdk.errors import UnexpectedResponseError
from jde_zoho_sdk.jde import AisClient, Condition, Operator, Query, changed_since
from jde_zoho_sdk.jde.dates import from_jde_stamp
from jde_zoho_sdk.jde.rows import cells
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.model import Canonical, ContactPerson, Entity, JdeAggregate, split_contact_key
from jde_zoho_sdk.sync.protocols import Mapper

__all__ = ["ChangeReader", "JdeGateway", "JdeWrite", "JdeWritten"]

Rows = Mapping[str, object]
_ENTITY_TABLES = ("F0101", "F0116")
_LINE_TABLES = ("F0111", "F01151", "F0115")  # rows carry a who's who line number (IDLN)
_KEYS = {"F0111": ("AN8", "IDLN"), "F01151": ("AN8", "IDLN", "RCK7"), "F0115": ("AN8", "IDLN", "RCK7")}


@attrs.frozen
class JdeWrite:
    """A create (empty ``key``) or an update through the entity's orchestrations.

    Attributes:
        key: The JDE key to update, or "" to create.
        inputs: The orchestration inputs from the mapper.
        external_reference: The Zoho id (what makes a repeated create return the same record).
        audit_id: The sync's audit id, passed for end-to-end tracing.
    """

    key: str
    inputs: Mapping[str, object]
    external_reference: str
    audit_id: str


@attrs.frozen
class JdeWritten:
    """What a JDE write answered: the record's key, and whether a create found it already there."""

    key: str
    existing: bool = False


def _int(value: object) -> int:
    if type(value) is int:  # AIS sends numbers as JSON numbers: the common case, taken first
        return value
    return int(str(value)) if value not in (None, "") else 0


def _lower(value: object) -> str:
    return str(value or "").strip().lower()


def _stamp(row: Rows, zone: tzinfo) -> datetime | None:
    values = cells(row)  # two lookups for each of the rows read, twice: plain dict lookups
    day = values.get("UPMJ")
    stamp = values.get("UPMT")
    if not isinstance(day, date):
        return None
    return _instant(day, stamp if isinstance(stamp, int | str | Decimal) else None, zone)


@functools.lru_cache(maxsize=4096)
def _instant(day: date, stamp: int | str | Decimal | None, zone: tzinfo) -> datetime | None:
    # Every row's stamp is converted (to follow the newest and to date each aggregate), and rows changed
    # together share their stamps: convert each distinct one once.
    return from_jde_stamp(day, stamp, zone)


@attrs.define
class _Group:
    """The rows of one address number gathered from the change streams."""

    number: int
    rows: dict[str, list[Rows]] = attrs.field(factory=lambda: defaultdict(list))


class ChangeReader:
    """Batches of changed aggregates, by entity; :attr:`newest` holds each table's newest stamp seen.

    Iterate it to the end before reading :attr:`newest` (the cursors it gives cover what was yielded).
    """

    def __init__(
        self, gateway: JdeGateway, streams: dict[str, Iterator[Rows]], *, full: bool, batch_size: int
    ) -> None:
        self._gateway = gateway
        self._streams = streams
        self._full = full
        self._batch_size = batch_size
        self.newest: dict[str, datetime] = {}

    def _tagged(self, table: str, rows: Iterator[Rows]) -> Iterator[tuple[int, str, Rows]]:
        zone = self._gateway.zone
        newest = self.newest
        for row in rows:
            stamp = _stamp(row, zone)
            if stamp is not None and (table not in newest or stamp > newest[table]):
                newest[table] = stamp
            yield _int(cells(row).get("AN8")), table, row

    def _groups(self) -> Iterator[_Group]:
        merged = heapq.merge(
            *(self._tagged(t, s) for t, s in self._streams.items()), key=lambda item: item[0]
        )
        group: _Group | None = None
        for number, table, row in merged:
            if group is None or group.number != number:
                if group is not None:
                    yield group
                group = _Group(number)
            group.rows[table].append(row)
        if group is not None:
            yield group

    def __iter__(self) -> Iterator[dict[Entity, list[JdeAggregate]]]:
        batch: list[_Group] = []
        for group in self._groups():
            batch.append(group)
            if len(batch) >= self._batch_size:
                yield self._aggregates(batch)
                batch = []
        if batch:
            yield self._aggregates(batch)

    def _aggregates(self, batch: list[_Group]) -> dict[Entity, list[JdeAggregate]]:
        gateway = self._gateway
        if self._full:
            rows: Mapping[int, Mapping[str, Sequence[Rows]]] = {group.number: group.rows for group in batch}
        else:
            rows = self._read_changed(batch)
        result: dict[Entity, list[JdeAggregate]] = defaultdict(list)
        for group in batch:
            changed_lines = None if self._full else _changed_lines(group)
            for aggregate in gateway.build(group.number, rows.get(group.number, {}), changed_lines):
                result[aggregate.entity].append(aggregate)
        return result

    def _read_changed(self, batch: list[_Group]) -> dict[int, dict[str, list[Rows]]]:
        """Read the changed records whole, each table only for the numbers whose records are built from it.

        F0101 first (it says which entity each number is); then a customer's or a supplier's tables where
        the entity itself changed, and the contact tables where a who's who line changed.
        """
        gateway = self._gateway
        rows = gateway.read_rows({"F0101": [group.number for group in batch]})
        needs: dict[str, list[int]] = defaultdict(list)
        for group in batch:
            master = rows.get(group.number, {}).get("F0101")
            entity = gateway.entity_of(master[0]) if master else None
            if entity is None:
                continue
            lines = _changed_lines(group)
            tables: dict[str, None] = {}
            if 0 in lines and entity in gateway.config.entities:
                tables.update(dict.fromkeys(gateway.tables_of(entity)))
            if lines - {0} and Entity.CONTACT in gateway.config.entities:
                tables.update(dict.fromkeys(gateway.tables_of(Entity.CONTACT)))
            for table in tables:
                if table != "F0101":
                    needs[table].append(group.number)
        for number, found in gateway.read_rows(needs).items():
            rows[number].update(found)
        return rows


def _by_line(rows: Mapping[str, Sequence[Rows]]) -> dict[str, dict[int, list[Rows]]]:
    """The who's who tables' rows by line number, in the order they came (one pass per table)."""
    found: dict[str, dict[int, list[Rows]]] = {}
    for table in _LINE_TABLES:
        lines: dict[int, list[Rows]] = {}
        for row in rows.get(table, ()):
            lines.setdefault(_int(row.get("IDLN")), []).append(row)
        found[table] = lines
    return found


def _changed_lines(group: _Group) -> set[int]:
    """Who's who lines touched by a change (0 stands for the entity itself)."""
    lines = {0} if any(group.rows.get(table) for table in ("F0101", "F03012", "F0401", "F0116")) else set()
    for table in _LINE_TABLES:
        lines.update(_int(row.get("IDLN")) for row in group.rows.get(table, ()))
    return lines


class JdeGateway:
    """Reads and writes JDE records for the engine.

    Args:
        ais: The AIS client.
        mapper: Says which columns each entity needs.
        config: Search types, company, page size, orchestration names.
    """

    def __init__(self, ais: AisClient, mapper: Mapper, config: SyncConfig) -> None:
        self.ais = ais
        self.mapper = mapper
        self.config = config
        self.zone = ais.timezone
        columns: dict[str, dict[str, None]] = defaultdict(dict)
        for entity in config.entities:
            for table, names in mapper.jde_columns(entity).items():
                columns[table].update(dict.fromkeys(names))
        columns["F0101"].update(dict.fromkeys(("AN8", "AT1", "UPMJ", "UPMT")))
        self.columns = {table: tuple(names) for table, names in columns.items()}

    # -- reading -----------------------------------------------------------------------------------------

    def tables(self) -> tuple[str, ...]:
        """The tables the enabled entities draw on (each has its own cursor)."""
        return tuple(self.columns)

    def _filter(self, table: str) -> Condition | None:
        if table == "F0101":
            return Condition("AT1", Operator.LIST, self._search_types())
        if table == "F03012":
            return Condition("CO", Operator.EQUAL, self.config.company)
        return None

    def _search_types(self) -> list[str]:
        types: list[str] = []
        if Entity.CUSTOMER in self.config.entities or Entity.CONTACT in self.config.entities:
            types += self.config.customer_search_types
        if Entity.SUPPLIER in self.config.entities or Entity.CONTACT in self.config.entities:
            types += self.config.supplier_search_types
        return list(dict.fromkeys(types))

    def _browse(self, table: str, columns: Sequence[str], where: Condition | Query | None) -> Iterator[Rows]:
        keys = _KEYS.get(table, ("AN8",))
        return iter(
            self.ais.browse(
                table, columns, where=where, page_size=self.config.jde_page_size, order_by=list(keys)
            )
        )

    def changes(
        self, cursors: Mapping[str, datetime | None], *, overlap: timedelta, batch_size: int
    ) -> ChangeReader:
        """The records changed since the cursors (every record when no table has a cursor yet)."""
        full = all(cursor is None for cursor in cursors.values())
        streams: dict[str, Iterator[Rows]] = {}
        for table, columns in self.columns.items():
            cursor = cursors.get(table)
            conditions: list[Condition | Query] = []
            if cursor is not None:
                conditions.append(changed_since(cursor - overlap, self.zone))
            fixed = self._filter(table)
            if fixed is not None:
                conditions.append(fixed)
            where = Query.all(*conditions) if conditions else None
            wanted = columns if full else (*_KEYS.get(table, ("AN8",)), "UPMJ", "UPMT")
            streams[table] = self._browse(table, wanted, where)
        return ChangeReader(self, streams, full=full, batch_size=batch_size)

    def tables_of(self, entity: Entity) -> tuple[str, ...]:
        """The tables ``entity``'s records are built from (F0101 always: it says what a number is)."""
        return tuple(dict.fromkeys(("F0101", *self.mapper.jde_columns(entity))))

    def entity_of(self, master: Rows) -> Entity | None:
        """The entity an F0101 row is, by its search type (None: neither a customer nor a supplier)."""
        search_type = str(master.get("AT1") or "").strip()
        if search_type in self.config.customer_search_types:
            return Entity.CUSTOMER
        if search_type in self.config.supplier_search_types:
            return Entity.SUPPLIER
        return None

    def read_rows(self, numbers: Mapping[str, Collection[int]]) -> dict[int, dict[str, list[Rows]]]:
        """The rows of some address numbers, by address number and table; each table for its own numbers.

        Args:
            numbers: The address numbers to read, by table (a table not listed is not read).
        """
        found: dict[int, dict[str, list[Rows]]] = defaultdict(lambda: defaultdict(list))
        for table, wanted in numbers.items():
            columns = self.columns.get(table)
            if not wanted or columns is None:
                continue
            listed = Condition("AN8", Operator.LIST, sorted(set(wanted)))
            fixed = self._filter(table) if table == "F03012" else None
            where = Query.all(listed, fixed) if fixed is not None else listed
            for row in self._browse(table, columns, where):
                found[_int(row.get("AN8"))][table].append(row)
        return found

    def build(
        self, number: int, rows: Mapping[str, Sequence[Rows]], lines: set[int] | None
    ) -> Iterator[JdeAggregate]:
        """The aggregates of one address number: its entity (line 0) and its contacts (``None``: all)."""
        master = rows.get("F0101") or ()
        entity = self.entity_of(master[0]) if master else None
        if entity is None:
            return
        by_line = _by_line(rows)
        if entity in self.config.entities and (lines is None or 0 in lines):
            terms = "F03012" if entity is Entity.CUSTOMER else "F0401"
            tables = {table: tuple(rows.get(table, ())) for table in (*_ENTITY_TABLES, terms)}
            tables.update((table, tuple(by_line[table].get(0, ()))) for table in ("F01151", "F0115"))
            yield self._aggregate(entity, number, 0, tables)
        if Entity.CONTACT not in self.config.entities:
            return
        for line in by_line["F0111"]:
            if line == 0 or (lines is not None and line not in lines):
                continue
            tables = {table: tuple(by_line[table].get(line, ())) for table in _LINE_TABLES}
            yield self._aggregate(Entity.CONTACT, number, line, tables)

    def _aggregate(
        self, entity: Entity, number: int, line: int, rows: Mapping[str, tuple[Rows, ...]]
    ) -> JdeAggregate:
        stamps = [
            stamp for table in rows.values() for row in table if (stamp := _stamp(row, self.zone)) is not None
        ]
        return JdeAggregate(
            entity=entity,
            address_number=number,
            line_number=line,
            rows=rows,
            updated_at=max(stamps) if stamps else None,
        )

    def read(self, entity: Entity, keys: Collection[str]) -> dict[str, JdeAggregate]:
        """The current aggregates of these JDE keys (keys with no record are left out)."""
        if not keys:
            return {}
        if entity is Entity.CONTACT:
            wanted = {split_contact_key(key) for key in keys}
            numbers = {number for number, _ in wanted}
        else:
            numbers = {int(key) for key in keys}
        found: dict[str, JdeAggregate] = {}
        for number, rows in self.read_rows(dict.fromkeys(self.tables_of(entity), numbers)).items():
            for aggregate in self.build(number, rows, None):
                if aggregate.entity is entity and aggregate.key in keys:
                    found[aggregate.key] = aggregate
        return found

    def exists(self, entity: Entity, keys: Collection[str]) -> set[str]:
        """Which of these keys still have a JDE record (one chunked read of F0101 or F0111)."""
        if not keys:
            return set()
        if entity is Entity.CONTACT:
            pairs = {split_contact_key(key) for key in keys}
            where = Condition("AN8", Operator.LIST, sorted({number for number, _ in pairs}))
            rows = self._browse("F0111", ("AN8", "IDLN"), where)
            return {f"{_int(r.get('AN8'))}-{_int(r.get('IDLN'))}" for r in rows} & set(keys)
        rows = self._browse(
            "F0101", ("AN8",), Condition("AN8", Operator.LIST, sorted(int(key) for key in keys))
        )
        return {str(_int(row.get("AN8"))) for row in rows}

    def find_twins(
        self,
        entity: Entity,
        records: Sequence[Canonical],
        *,
        spelled: Callable[[], Mapping[str, Sequence[int]]] | None = None,
    ) -> dict[int, str]:
        """For each record (by position), the JDE key of an existing twin: same tax id, else same e-mail.

        Customers and suppliers match on F0101.TAX, then the entity's F01151 e-mail (line 0), among address
        book records of the entity's search types; contacts match on their e-mail among the who's who lines
        of their parent. Several matches take the lowest key (JDE's own duplicates are JDE's to merge).
        E-mails match in any letter case: JDE keeps them as typed, and AIS compares them as the database
        does, so the lookup by e-mail finds only JDE's lower-case spellings; ``spelled`` gives the others.

        Args:
            entity: The records' entity.
            records: Canonical records (their e-mails lower-cased, as normalisation leaves them).
            spelled: Returns the address book's line-0 e-mails not in lower case, by their lower-case
                spelling (:meth:`mixed_case_emails`, read once per run); None to match lower case only.
        """
        if entity is Entity.CONTACT:
            return self._contact_twins(records)
        types = (
            self.config.customer_search_types
            if entity is Entity.CUSTOMER
            else self.config.supplier_search_types
        )
        by_tax: dict[str, set[int]] = defaultdict(set)
        taxes = sorted({str(getattr(record, "tax_id", "")) for record in records} - {""})
        if taxes:
            where = Query.all(
                Condition("TAX", Operator.LIST, taxes), Condition("AT1", Operator.LIST, list(types))
            )
            for row in self._browse("F0101", ("AN8", "TAX"), where):
                by_tax[str(row.get("TAX") or "").strip()].add(_int(row.get("AN8")))
        by_email: dict[str, set[int]] = defaultdict(set)
        emails = sorted({record.email.lower() for record in records} - {""})
        if emails:
            where = Query.all(Condition("EMAL", Operator.LIST, emails), Condition("IDLN", Operator.EQUAL, 0))
            candidates: dict[int, set[str]] = defaultdict(set)
            for row in self._browse("F01151", ("AN8", "IDLN", "EMAL"), where):
                candidates[_int(row.get("AN8"))].add(_lower(row.get("EMAL")))
            others = spelled() if spelled is not None else {}
            for email in emails:
                for number in others.get(email, ()):
                    candidates[number].add(email)
            if candidates:
                where = Query.all(
                    Condition("AN8", Operator.LIST, sorted(candidates)),
                    Condition("AT1", Operator.LIST, list(types)),
                )
                for row in self._browse("F0101", ("AN8",), where):
                    number = _int(row.get("AN8"))
                    for email in candidates[number]:
                        by_email[email].add(number)
        twins: dict[int, str] = {}
        for index, record in enumerate(records):
            found = by_tax.get(str(getattr(record, "tax_id", ""))) or by_email.get(record.email.lower())
            if found:
                twins[index] = str(min(found))
        return twins

    def mixed_case_emails(self) -> dict[str, list[int]]:
        """The address book's line-0 e-mails (F01151) not all in lower case, by their lower-case spelling.

        One paged read of every line-0 e-mail; only the ones with capitals are kept (the lookup by e-mail
        finds the others), so the memory it takes grows with those alone.

        Returns:
            Address numbers by lower-cased e-mail.
        """
        found: dict[str, list[int]] = defaultdict(list)
        where = Condition("IDLN", Operator.EQUAL, 0)
        for row in self._browse("F01151", ("AN8", "IDLN", "EMAL"), where):
            email = str(row.get("EMAL") or "").strip()
            if email != (lowered := email.lower()):
                found[lowered].append(_int(row.get("AN8")))
        return dict(found)

    def _contact_twins(self, records: Sequence[Canonical]) -> dict[int, str]:
        """Contacts' twins: a who's who line of the contact's parent with the contact's e-mail, in any case.

        The parents' lines are read whole (a handful each) and compared in Python: AIS compares e-mails as
        the database does, case sensitively on Oracle and DB2.
        """
        wanted = {
            index: record
            for index, record in enumerate(records)
            if isinstance(record, ContactPerson) and record.email and record.parent_address_number > 0
        }
        if not wanted:
            return {}
        parents = sorted({record.parent_address_number for record in wanted.values()})
        where = Query.all(Condition("AN8", Operator.LIST, parents), Condition("IDLN", Operator.GREATER, 0))
        lines: dict[tuple[int, str], set[int]] = defaultdict(set)
        for row in self._browse("F01151", ("AN8", "IDLN", "EMAL"), where):
            lines[(_int(row.get("AN8")), _lower(row.get("EMAL")))].add(_int(row.get("IDLN")))
        twins: dict[int, str] = {}
        for index, record in wanted.items():
            found = lines.get((record.parent_address_number, record.email.lower()))
            if found:
                twins[index] = f"{record.parent_address_number}-{min(found)}"
        return twins

    # -- writing -----------------------------------------------------------------------------------------

    def write(self, entity: Entity, write: JdeWrite) -> JdeWritten:
        """Create or update one record through the configured orchestration.

        Both are safe to repeat (a create is idempotent on its external reference; an update sets values),
        so the client may retry them.

        Raises:
            OrchestrationError: The orchestration refused the record (a record-level error).
            UnexpectedResponseError: The answer lacks the documented ``AddressNumber`` output.
        """
        names = self.config.orchestrations
        inputs: dict[str, object] = {**write.inputs, "AuditId": write.audit_id}
        if write.key:
            name = names.update(entity)
            if entity is Entity.CONTACT:
                number, line = split_contact_key(write.key)
                inputs.update(AddressNumber=number, LineNumber=line)
            else:
                inputs["AddressNumber"] = int(write.key)
        else:
            name = names.create(entity)
            inputs["ExternalReference"] = write.external_reference
        outputs = self.ais.run_orchestration(name, inputs, idempotent=True).outputs
        try:
            number = _int(outputs.get("AddressNumber") or (write.key.split("-")[0] if write.key else None))
        except ValueError:
            number = 0
        if number <= 0:
            raise UnexpectedResponseError(
                f"orchestration {name} answered no AddressNumber", code="NO_ADDRESS_NUMBER"
            )
        existing = str(outputs.get("Existing", "")).lower() in ("true", "1", "y")
        if entity is Entity.CONTACT:
            line = _int(outputs.get("LineNumber") or (write.key.split("-")[1] if write.key else None))
            if line <= 0:
                raise UnexpectedResponseError(
                    f"orchestration {name} answered no LineNumber", code="NO_LINE_NUMBER"
                )
            return JdeWritten(f"{number}-{line}", existing)
        return JdeWritten(str(number), existing)

    def flag_deleted(self, name: str, entity: Entity, key: str, *, audit_id: str) -> None:
        """Run the optional "flag deleted" orchestration for a record whose Zoho twin was deleted."""
        inputs: dict[str, object] = {"Reason": "Deleted in Zoho CRM", "AuditId": audit_id}
        if entity is Entity.CONTACT:
            number, line = split_contact_key(key)
            inputs.update(AddressNumber=number, LineNumber=line)
        else:
            inputs["AddressNumber"] = int(key)
        self.ais.run_orchestration(name, inputs, idempotent=True)
