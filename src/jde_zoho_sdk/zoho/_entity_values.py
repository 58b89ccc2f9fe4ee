"""Typed reads of record values for the entity models, failing with a MappingError that names the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from jde_zoho_sdk.errors import MappingError
from jde_zoho_sdk.zoho._convert import parse_datetime, to_decimal
from jde_zoho_sdk.zoho.models import Lookup, ZohoRecord

__all__ = ["Reader", "reference", "write_values"]


class Reader:
    """Reads typed values out of a record, naming the field and the record on a bad value."""

    def __init__(self, record: ZohoRecord) -> None:
        self.record = record
        self.used = {"id", "Modified_Time"}

    def _fail(self, field: str, message: str) -> MappingError:
        return MappingError(message, field=field, record_key=f"zoho:{self.record.module}:{self.record.id}")

    def _raw(self, field: str) -> object:
        self.used.add(field)
        return self.record.values.get(field)

    def text(self, field: str) -> str | None:
        value = self._raw(field)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return str(value)
        raise self._fail(field, f"expected text, got {type(value).__name__}")

    def decimal(self, field: str) -> Decimal | None:
        value = self._raw(field)
        if value is None:
            return None
        try:
            return to_decimal(value)
        except (TypeError, ValueError) as error:
            raise self._fail(field, str(error)) from None

    def flag(self, field: str) -> bool | None:
        value = self._raw(field)
        if value is None or isinstance(value, bool):
            return value
        raise self._fail(field, f"expected true or false, got {type(value).__name__}")

    def moment(self, field: str) -> datetime | None:
        value = self._raw(field)
        if value is None:
            return None
        try:
            return parse_datetime(value)
        except (TypeError, ValueError) as error:
            raise self._fail(field, str(error)) from None

    def lookup(self, field: str) -> Lookup | None:
        value = self._raw(field)
        if value is None:
            return None
        if isinstance(value, str):
            return Lookup(value)
        if isinstance(value, Mapping) and isinstance(value.get("id"), str | int):
            name = value.get("name")
            rest = {key: item for key, item in value.items() if key not in ("id", "name")}
            return Lookup(str(value["id"]), name if isinstance(name, str) else None, rest)
        raise self._fail(field, "expected a lookup {'id': ..., 'name': ...}")

    def rest(self) -> dict[str, object]:
        return {key: value for key, value in self.record.values.items() if key not in self.used}


def reference(lookup: Lookup | None) -> dict[str, str] | None:
    """A lookup as a write sends it: ``{"id": ...}``."""
    return None if lookup is None else {"id": lookup.id}


def write_values(record_id: str | None, values: dict[str, object], include_none: bool) -> dict[str, object]:
    """Write values without the unset ones (unless asked), with the id when there is one."""
    out = {key: value for key, value in values.items() if include_none or value is not None}
    if record_id is not None:
        out["id"] = record_id
    return out
