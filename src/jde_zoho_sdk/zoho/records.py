"""Module records on the wire: request parameters and bodies built, answers parsed (pure functions).

The client's methods only send; everything here works on plain data, so it is tested without a network
and is the hot path measured by the benchmarks (a page of 200 records, an upsert body of 100).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal

import attrs

from jde_zoho_sdk._wire import structure
from jde_zoho_sdk.errors import MappingError
from jde_zoho_sdk.zoho._convert import converter, dumps, format_datetime, parse_datetime
from jde_zoho_sdk.zoho.errors import ZohoUnexpectedResponseError
from jde_zoho_sdk.zoho.models import (
    DeletedRecord,
    FieldMeta,
    PageInfo,
    RecordError,
    UpsertResult,
    WriteAction,
    ZohoRecord,
)

__all__ = [
    "DISCRETE_PAGE_LIMIT",
    "MAX_FIELDS",
    "MAX_PER_PAGE",
    "Page",
    "SortBy",
    "SortOrder",
    "criterion",
    "parse_deleted",
    "parse_fields",
    "parse_page",
    "parse_write_results",
    "record_from_wire",
    "write_body",
]

SortBy = Literal["id", "Modified_Time", "Created_Time"]
"""The fields Zoho sorts a record list by."""
SortOrder = Literal["asc", "desc"]
"""Ascending or descending."""

MAX_PER_PAGE: Final = 200
"""The largest page Zoho serves."""
DISCRETE_PAGE_LIMIT: Final = 2000
"""Records reachable with ``page``; past them only ``page_token`` works."""
MAX_FIELDS: Final = 50
"""Fields one list call may ask for."""

_ESCAPED: Final = str.maketrans({"(": r"\(", ")": r"\)", ",": r"\,"})


@attrs.frozen
class Page:
    """One page of a list answer.

    Attributes:
        records: The records, in Zoho's order.
        info: The ``info`` object.
    """

    records: list[ZohoRecord]
    info: PageInfo


def _unexpected(message: str) -> ZohoUnexpectedResponseError:
    return ZohoUnexpectedResponseError(message)


def record_from_wire(module: str, item: object) -> ZohoRecord:
    """Build a :class:`ZohoRecord` from one element of ``data``.

    Args:
        module: The module the record belongs to.
        item: The parsed JSON object.

    Returns:
        The record (its ``values`` is a read-only view of ``item``).

    Raises:
        ZohoUnexpectedResponseError: Not an object, no id, or a ``Modified_Time`` without an offset.
    """
    if type(item) is not dict:
        raise _unexpected(f"a {module} record is a {type(item).__name__}, not a JSON object")
    record_id = item.get("id")
    if type(record_id) is not str:
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            raise _unexpected(f"a {module} record has no id (got {record_id!r})")
        record_id = str(record_id)
    modified = item.get("Modified_Time")
    modified_time = None
    if modified is not None:
        try:
            modified_time = parse_datetime(modified)
        except (TypeError, ValueError) as error:
            raise _unexpected(f"{module} record {record_id}: Modified_Time: {error}") from None
    return ZohoRecord(record_id, module, modified_time, MappingProxyType(item))


def parse_page(module: str, body: object) -> Page:
    """Read a list answer (``{"data": [...], "info": {...}}``).

    Args:
        module: The module read.
        body: The parsed JSON.

    Returns:
        The page.

    Raises:
        ZohoUnexpectedResponseError: The answer does not have the documented shape.
    """
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _unexpected(f"the {module} list answer has no data array")
    records = [record_from_wire(module, item) for item in body["data"]]
    raw_info = body.get("info", {})
    info = structure(converter, raw_info, PageInfo, what=f"the {module} page info", error=_unexpected)
    return Page(records, info)


def write_body(
    module: str,
    records: Sequence[Mapping[str, object]],
    *,
    trigger: Sequence[str],
    duplicate_check_fields: Sequence[str] | None = None,
) -> bytes:
    """Encode an insert, update or upsert body.

    ``trigger=[]`` is always sent when no trigger is asked for, so the sync's own writes do not start
    workflows, approvals or blueprints.

    Args:
        module: The module written, for error messages.
        records: The field values by API name (``Decimal`` money, aware datetimes, ``date`` dates).
        trigger: Automations to run (``"workflow"``, ``"approval"``, ``"blueprint"``).
        duplicate_check_fields: For upserts, the fields matched in order.

    Returns:
        The JSON body.

    Raises:
        MappingError: A value cannot be sent (naming the record's position and the field).
    """
    body: dict[str, object] = {
        "data": [record if type(record) is dict else dict(record) for record in records],
        "trigger": list(trigger),
    }
    if duplicate_check_fields:
        body["duplicate_check_fields"] = list(duplicate_check_fields)
    try:
        return dumps(body)
    except (TypeError, ValueError) as error:
        _raise_unsendable(module, records)
        raise MappingError(f"the {module} write body cannot be encoded: {error}") from None


def _raise_unsendable(module: str, records: Sequence[Mapping[str, object]]) -> None:
    # Only on the failure path: find the value at fault so the message names it.
    for index, record in enumerate(records):
        for field, value in record.items():
            try:
                dumps(value)
            except (TypeError, ValueError) as error:
                raise MappingError(
                    str(error),
                    field=field,
                    record_key=f"zoho:{module}:#{index}",
                    hint="send str, int, bool, Decimal, aware datetime, date, lists or mappings of them",
                ) from None


def _result(index: int, item: object, action: WriteAction | None) -> UpsertResult:
    if not isinstance(item, dict):
        raise _unexpected(f"write result {index} is not a JSON object")
    raw_details = item.get("details")
    details: dict[str, object] = raw_details if isinstance(raw_details, dict) else {}
    message = item.get("message")
    message_text = message if isinstance(message, str) else ""
    if item.get("status") == "success":
        answered = item.get("action")
        record_id = details.get("id")
        modified = details.get("Modified_Time")
        duplicate = item.get("duplicate_field")
        return UpsertResult(
            index=index,
            action=answered if answered in ("insert", "update") else action,
            id=str(record_id) if record_id is not None else None,
            duplicate_field=duplicate if isinstance(duplicate, str) else None,
            modified_time=parse_datetime(modified) if isinstance(modified, str) else None,
            message=message_text,
        )
    api_name = details.get("api_name")
    json_path = details.get("json_path")
    code = item.get("code")
    error = RecordError(
        code=code if isinstance(code, str) else "UNKNOWN",
        message=message_text,
        api_name=api_name if isinstance(api_name, str) else None,
        json_path=json_path if isinstance(json_path, str) else None,
        details=details,
    )
    return UpsertResult(index=index, action=None, id=None, message=message_text, error=error)


def parse_write_results(
    body: object, *, start: int, count: int, action: WriteAction | None
) -> list[UpsertResult]:
    """Read the per-record results of one write call (successes and errors mixed, in input order).

    Args:
        body: The parsed answer.
        start: The position of the call's first record in the caller's sequence.
        count: How many records the call sent.
        action: The action of a success that does not say (``"insert"`` for inserts, ``"update"`` for
            updates; upserts say).

    Returns:
        One result per record sent.

    Raises:
        ZohoUnexpectedResponseError: The answer does not hold one result per record.
    """
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or len(data) != count:
        got = len(data) if isinstance(data, list) else "no"
        raise _unexpected(f"the write answer holds {got} results for {count} records")
    try:
        return [_result(start + offset, item, action) for offset, item in enumerate(data)]
    except ValueError as error:
        raise _unexpected(f"a write result is malformed: {error}") from None


def parse_fields(module: str, body: object) -> list[FieldMeta]:
    """Read the fields metadata answer (``{"fields": [...]}``).

    Raises:
        ZohoUnexpectedResponseError: The answer does not have the documented shape.
    """
    if not isinstance(body, dict) or not isinstance(body.get("fields"), list):
        raise _unexpected(f"the {module} fields answer has no fields array")
    return [
        structure(converter, item, FieldMeta, what=f"a {module} field", error=_unexpected)
        for item in body["fields"]
    ]


def parse_deleted(module: str, body: object) -> tuple[list[DeletedRecord], bool]:
    """Read a deleted-records page.

    Returns:
        The entries and whether more pages follow.

    Raises:
        ZohoUnexpectedResponseError: The answer does not have the documented shape.
    """
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _unexpected(f"the deleted {module} answer has no data array")
    entries = [
        structure(converter, item, DeletedRecord, what=f"a deleted {module} entry", error=_unexpected)
        for item in body["data"]
    ]
    info = body.get("info")
    more = isinstance(info, dict) and info.get("more_records") is True
    return entries, more


def _criteria_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date | int | Decimal):
        return str(value)
    if isinstance(value, str):
        return value.translate(_ESCAPED)
    raise TypeError(f"{type(value).__name__} cannot be used in search criteria")


def criterion(field: str, operator: str, value: object) -> str:
    r"""Build one search criterion, escaping ``(``, ``)`` and ``,`` in values as Zoho asks.

    Args:
        field: The field API name.
        operator: ``equals``, ``not_equal``, ``starts_with``, ``in``, ``greater_than``, ``between``...
        value: The value; a list or tuple for ``in`` and ``between``.

    Returns:
        ``(field:operator:value)``; join several with ``and``/``or`` inside parentheses.

    Example:
        >>> criterion("Account_Name", "equals", "Smith (UK), Ltd")
        '(Account_Name:equals:Smith \\(UK\\)\\, Ltd)'
        >>> criterion("Tax_ID", "in", ["A1", "B2"])
        '(Tax_ID:in:A1,B2)'
    """
    if isinstance(value, list | tuple):
        text = ",".join(_criteria_text(item) for item in value)
    else:
        text = _criteria_text(value)
    return f"({field}:{operator}:{text})"
