"""The records of one emulated module: writes with Zoho's checks, unique indexes, sorted indexes, deletes.

Built for 100,000-record benchmarks: unique and duplicate-check fields are dict indexes (an upsert's
duplicate check costs no scan), and each sort order is a sorted list of keys kept up to date with
``bisect``, so a page is found by keyset, not by sorting the module.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import tzinfo
from typing import Final, Literal, TypeVar

from jde_zoho_sdk.testing._zoho_schema import NAME_FIELD, SYSTEM_DUPLICATE_FIELD, ZohoField
from jde_zoho_sdk.testing._zoho_values import RecordRefusedError, invalid, normalize, unique_key

__all__ = ["USER", "ModuleStore", "Operation"]

Operation = Literal["insert", "update", "upsert"]
Key = tuple[int, ...]

USER: Final[dict[str, str]] = {
    "name": "Emulator Admin",
    "id": "5725767000000411001",
    "email": "admin@zoho-emulator.invalid",
}
_SORT_FIELDS: Final = ("id", "Created_Time", "Modified_Time")


class ModuleStore:
    """Records of one module, as Zoho stores them.

    Args:
        module: The module API name.
        fields: Its fields by API name.
        stores: Every module's store (lookups are checked and named across modules).
        next_id: Issues record ids.
        zone: The org's time zone (datetimes are stored in it).
        fmt: Formats epoch seconds as the org's ISO 8601 datetime.
    """

    def __init__(
        self,
        module: str,
        fields: Mapping[str, ZohoField],
        stores: Mapping[str, ModuleStore],
        *,
        next_id: Callable[[], int],
        zone: tzinfo,
        fmt: Callable[[int], str],
    ) -> None:
        self.module = module
        self.fields = fields
        self._stores = stores
        self._next_id = next_id
        self._zone = zone
        self._fmt = fmt
        self.records: dict[int, dict[str, object]] = {}
        self.created: dict[int, int] = {}
        self.modified: dict[int, int] = {}
        self.deleted: list[tuple[int, dict[str, object]]] = []
        self._indexes: dict[str, list[Key]] = {name: [] for name in _SORT_FIELDS}
        self.unique_fields = tuple(name for name, field in fields.items() if field.unique)
        self.system_duplicate = SYSTEM_DUPLICATE_FIELD.get(module)
        self._unique: dict[str, dict[str, int]] = {name: {} for name in self.unique_fields}
        self._duplicates: dict[str, list[int]] = {}
        self.mandatory = tuple(name for name, field in fields.items() if field.mandatory)
        self.lookups = tuple(name for name, field in fields.items() if field.data_type == "lookup")
        self.owners = tuple(name for name, field in fields.items() if field.data_type == "ownerlookup")

    # -- reading -------------------------------------------------------------------------------------

    def name_of(self, record_id: str) -> str | None:
        """The display name of a record (a lookup's ``name``), or None when it does not exist."""
        record = self.records.get(int(record_id)) if record_id.isdigit() else None
        if record is None:
            return None
        name = record.get(NAME_FIELD.get(self.module, "Name"))
        return name if isinstance(name, str) else None

    def render(self, record_id: int, fields: Sequence[str] | None = None) -> dict[str, object]:
        """A record as the API answers it: the fields asked for (all when None), lookups with their name."""
        record = self.records[record_id]
        names = fields if fields is not None else self.fields
        out: dict[str, object] = {"id": record["id"]}
        for name in names:
            if name not in self.fields:
                continue  # UNCONFIRMED: Zoho's answer to an unknown field name; the emulator leaves it out
            value = record.get(name)
            field = self.fields[name]
            if value is not None and field.data_type == "lookup" and field.lookup_module:
                target = self._stores.get(field.lookup_module)
                value = {"name": target.name_of(str(value)) if target else None, "id": value}
            elif value is not None and field.data_type == "ownerlookup":
                value = dict(USER) if value == USER["id"] else {"name": None, "id": value}
            out[name] = value
        return out

    def key(self, record_id: int, sort_by: str) -> Key:
        """The position key of a record in the ``sort_by`` index."""
        if sort_by == "Modified_Time":
            return (self.modified[record_id], record_id)
        if sort_by == "Created_Time":
            return (self.created[record_id], record_id)
        return (record_id,)

    def scan(self, sort_by: str, order: str, since: int | None, after: Key | None) -> Iterator[int]:
        """Record ids in ``sort_by`` order, modified at or after ``since``, strictly after key ``after``."""
        index = self._indexes[sort_by]
        modified = self.modified
        by_time = sort_by == "Modified_Time"
        if order == "asc":
            if after is not None:
                start = bisect.bisect_right(index, after)
            elif by_time and since is not None:
                start = bisect.bisect_left(index, (since,))
            else:
                start = 0
            for position in range(start, len(index)):
                record_id = index[position][-1]
                if since is None or modified[record_id] >= since:
                    yield record_id
            return
        start = bisect.bisect_left(index, after) - 1 if after is not None else len(index) - 1
        for position in range(start, -1, -1):
            record_id = index[position][-1]
            if since is not None and modified[record_id] < since:
                if by_time:
                    return
                continue
            yield record_id

    # -- writing -------------------------------------------------------------------------------------

    def write(
        self, operation: Operation, raw: object, duplicate_check: Sequence[str], index: int, now: int
    ) -> tuple[dict[str, object], str, int]:
        """Apply one record of an insert, update or upsert.

        Returns:
            The success element of ``data[]``, the operation done (``insert``/``update``) and the id.

        Raises:
            RecordRefusedError: The record is refused (nothing changed).
        """
        path = f"$.data[{index}]"
        if not isinstance(raw, dict):
            raise RecordRefusedError(
                "INVALID_DATA", "invalid data", {"expected_data_type": "jsonobject", "json_path": path}
            )
        changes: dict[str, object] = {}
        for name, value in raw.items():
            field = self.fields.get(name)
            if field is None or field.read_only or name == "id":
                continue  # UNCONFIRMED: Zoho's answer to unknown or read-only keys; the emulator ignores them
            changes[name] = normalize(field, value, f"{path}.{name}", self._zone)
            if field.data_type == "lookup" and changes[name] is not None:
                self._check_reference(field, str(changes[name]), f"{path}.{name}")
        target, matched = self._target(operation, raw, changes, duplicate_check, path)
        self._check_mandatory(changes, path, inserting=target is None)
        self._check_unique(changes, target, path)
        return self._apply(operation, target, matched, changes, now)

    def _check_reference(self, field: ZohoField, record_id: str, path: str) -> None:
        if field.lookup_module is None:
            return
        target = self._stores.get(field.lookup_module)
        if target is None or not record_id.isdigit() or int(record_id) not in target.records:
            raise RecordRefusedError(
                "INVALID_DATA",
                "the id given seems to be invalid",
                {"api_name": field.api_name, "json_path": path},
            )

    def _target(
        self,
        operation: Operation,
        raw: dict[str, object],
        changes: dict[str, object],
        order: Sequence[str],
        path: str,
    ) -> tuple[int | None, str | None]:
        if operation == "insert":
            return None, None
        given = raw.get("id")
        if given is None:
            if operation == "update":
                raise RecordRefusedError(
                    "MANDATORY_NOT_FOUND",
                    "required field not found",
                    {"api_name": "id", "json_path": f"{path}.id"},
                )
            for name in order or self.default_duplicate_check():
                value = changes.get(name)
                found = self.find_duplicate(name, value) if value is not None else None
                if found is not None:
                    return found, name
            return None, None
        text = str(given)
        if not text.isdigit() or int(text) not in self.records:
            raise RecordRefusedError(
                "INVALID_DATA",
                "the id given seems to be invalid",
                {"api_name": "id", "json_path": f"{path}.id"},
            )
        return int(text), None

    def default_duplicate_check(self) -> tuple[str, ...]:
        """Zoho's order when no ``duplicate_check_fields`` is given: system-defined, then unique fields."""
        system = (self.system_duplicate,) if self.system_duplicate else ()
        return (*system, *self.unique_fields)

    def find_duplicate(self, name: str, value: object) -> int | None:
        """The record whose ``name`` equals ``value`` (case-insensitive), the oldest when several."""
        key = unique_key(value)
        if name in self._unique:
            return self._unique[name].get(key)
        if name == self.system_duplicate:
            holders = self._duplicates.get(key)
            return holders[0] if holders else None
        return None

    def _check_mandatory(self, changes: dict[str, object], path: str, *, inserting: bool) -> None:
        for name in self.mandatory:
            if (inserting or name in changes) and changes.get(name) is None:
                raise RecordRefusedError(
                    "MANDATORY_NOT_FOUND",
                    "required field not found",
                    {"api_name": name, "json_path": f"{path}.{name}"},
                )

    def _check_unique(self, changes: dict[str, object], target: int | None, path: str) -> None:
        for name in self.unique_fields:
            value = changes.get(name)
            if value is None:
                continue
            holder = self._unique[name].get(unique_key(value))
            if holder is not None and holder != target:
                raise RecordRefusedError(
                    "DUPLICATE_DATA",
                    "duplicate data",
                    {
                        "api_name": name,
                        "json_path": f"{path}.{name}",
                        "duplicate_record": {
                            "id": str(holder),
                            "module": {"api_name": self.module},
                            "Owner": dict(USER),
                        },
                    },
                )

    def _apply(
        self,
        operation: Operation,
        target: int | None,
        matched: str | None,
        changes: dict[str, object],
        now: int,
    ) -> tuple[dict[str, object], str, int]:
        if target is None:
            record_id = self._next_id()
            record: dict[str, object] = {"id": str(record_id), "Owner": USER["id"], "Created_By": USER["id"]}
            record["Created_Time"] = self._fmt(now)
            self.records[record_id] = record
            self.created[record_id] = now
            bisect.insort(self._indexes["Created_Time"], (now, record_id))
            bisect.insort(self._indexes["id"], (record_id,))
            done = "insert"
        else:
            record_id, record, done = target, self.records[target], "update"
            self._index_remove(record_id)
        record.update(changes)
        record["Modified_Time"] = self._fmt(now)
        record["Modified_By"] = USER["id"]
        if self.module == "Contacts":
            parts = (record.get("First_Name"), record.get("Last_Name"))
            record["Full_Name"] = " ".join(part for part in parts if isinstance(part, str)) or None
        self.modified[record_id] = now
        self._index_add(record_id)
        details: dict[str, object] = {
            "Modified_Time": record["Modified_Time"],
            "Modified_By": {"name": USER["name"], "id": USER["id"]},
            "Created_Time": record["Created_Time"],
            "id": record["id"],
            "Created_By": {"name": USER["name"], "id": USER["id"]},
        }
        element: dict[str, object] = {"code": "SUCCESS"}
        if operation == "upsert":
            element |= {"duplicate_field": matched, "action": done}
        element |= {
            "details": details,
            "message": "record added" if done == "insert" else "record updated",
            "status": "success",
        }
        return element, done, record_id

    def _index_add(self, record_id: int) -> None:
        record = self.records[record_id]
        bisect.insort(self._indexes["Modified_Time"], (self.modified[record_id], record_id))
        for name in self.unique_fields:
            value = record.get(name)
            if value is not None:
                self._unique[name][unique_key(value)] = record_id
        if self.system_duplicate and record.get(self.system_duplicate) is not None:
            bisect.insort(
                self._duplicates.setdefault(unique_key(record[self.system_duplicate]), []), record_id
            )

    def _index_remove(self, record_id: int) -> None:
        record = self.records[record_id]
        _remove(self._indexes["Modified_Time"], (self.modified[record_id], record_id))
        for name in self.unique_fields:
            value = record.get(name)
            if value is not None:
                self._unique[name].pop(unique_key(value), None)
        if self.system_duplicate and record.get(self.system_duplicate) is not None:
            holders = self._duplicates.get(unique_key(record[self.system_duplicate]), [])
            _remove(holders, record_id)

    def delete(self, record_id: int, now: int) -> bool:
        """Move a record to the recycle bin (the deleted-records list). Returns False when there is none."""
        if record_id not in self.records:
            return False
        self._index_remove(record_id)
        _remove(self._indexes["Created_Time"], (self.created[record_id], record_id))
        _remove(self._indexes["id"], (record_id,))
        record = self.records.pop(record_id)
        del self.created[record_id], self.modified[record_id]
        user = {"name": USER["name"], "id": USER["id"]}
        name = record.get(NAME_FIELD.get(self.module, "Name"))
        entry = {
            "deleted_by": user,
            "id": str(record_id),
            "display_name": name,
            "type": "recycle",
            "created_by": user,
            "deleted_time": self._fmt(now),
        }
        self.deleted.append((now, entry))
        return True

    def refuse_unknown_check_fields(self, names: Sequence[str]) -> None:
        """Refuse ``duplicate_check_fields`` holding a field that is neither system-defined nor unique.

        Raises:
            RecordRefusedError: UNCONFIRMED shape; the emulator answers ``INVALID_DATA`` naming the field.
        """
        allowed = set(self.default_duplicate_check())
        for position, name in enumerate(names):
            if name not in allowed:
                raise invalid(name, f"$.duplicate_check_fields[{position}]", supported_values=sorted(allowed))


_Item = TypeVar("_Item", Key, int)


def _remove(index: list[_Item], item: _Item) -> None:
    position = bisect.bisect_left(index, item)
    if position < len(index) and index[position] == item:
        del index[position]
