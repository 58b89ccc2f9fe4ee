"""The data service's ``query`` object, compiled into a predicate over emulator rows.

A query combines its ``condition`` list with ``matchType`` (``MATCH_ALL``: and, ``MATCH_ANY``: or), then
joins each ``complexQuery`` entry to the result with the entry's ``andOr``, left to right; a query with
only ``complexQuery`` entries starts from its first entry. Oracle's pages show ``complexQuery`` entries as
``{"andOr", "query"}`` without spelling out how they combine with a sibling ``condition`` list, so that
part is the emulator's reading (UNCONFIRMED).

Values arrive as text in the user's date format (``userInfo.simpleDateFormat``); ``YYYYMMDD`` is accepted
for dates too (UNCONFIRMED for a real server). ``specialValueId`` ``TODAY``, ``TODAY_PLUS_DAY``... and
``LOGIN_USER`` are supported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final

import attrs

from jde_zoho_sdk.testing._ais_schema import Column, TableDef

__all__ = ["CompiledQuery", "QueryError", "compile_query", "java_to_strptime"]

Predicate = Callable[[Mapping[str, object]], bool]

OPERATORS: Final = frozenset(
    {
        "EQUAL",
        "NOT_EQUAL",
        "LESS",
        "LESS_EQUAL",
        "GREATER",
        "GREATER_EQUAL",
        "BETWEEN",
        "LIST",
        "STR_START_WITH",
        "STR_END_WITH",
        "STR_CONTAIN",
        "STR_BLANK",
        "STR_NOT_BLANK",
    }
)


class QueryError(ValueError):
    """The query cannot be run (unknown column or operator, a value that does not fit its column)."""


def java_to_strptime(pattern: str) -> str:
    """``MM/dd/yyyy`` -> ``%m/%d/%Y``."""
    table = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "M": "%m", "dd": "%d", "d": "%d"}
    return "".join(table.get(part, part) for part in re.findall(r"yyyy|yy|MM|M|dd|d|.", pattern))


@attrs.frozen
class _Context:
    table: TableDef
    date_pattern: str
    today: date
    username: str


@attrs.frozen
class CompiledQuery:
    """A compiled query.

    Attributes:
        predicate: Whether a stored row matches.
        hint: ``(alias, values)`` of an EQUAL or LIST condition every match must meet, for an index.
    """

    predicate: Predicate
    hint: tuple[str, tuple[object, ...]] | None = None


def _column(control_id: object, context: _Context) -> Column:
    if not isinstance(control_id, str) or not control_id:
        raise QueryError("a condition needs a controlId such as F0101.AN8")
    table, _, alias = control_id.rpartition(".")
    if table and table != context.table.name:
        raise QueryError(f"{control_id}: the data request targets {context.table.name}")
    column = context.table.columns.get(alias)
    if column is None:
        raise QueryError(f"{context.table.name} has no column {alias}")
    return column


def _special(special: str, content: str, column: Column, context: _Context) -> object:
    if special == "LOGIN_USER":
        return context.username
    amount = int(content or "0") if content.strip().lstrip("-").isdigit() else 0
    shift = {
        "TODAY": timedelta(0),
        "TODAY_MINUS_DAY": timedelta(days=-amount),
        "TODAY_PLUS_DAY": timedelta(days=amount),
        "TODAY_MINUS_MONTH": timedelta(days=-30 * amount),
        "TODAY_PLUS_MONTH": timedelta(days=30 * amount),
        "TODAY_MINUS_YEAR": timedelta(days=-365 * amount),
        "TODAY_PLUS_YEAR": timedelta(days=365 * amount),
    }.get(special)
    if shift is None or column.kind != "date":
        raise QueryError(f"specialValueId {special} does not fit column {column.alias}")
    return context.today + shift


def _parse(value: object, column: Column, context: _Context) -> object:
    if not isinstance(value, Mapping):
        raise QueryError(f"{column.alias}: each value is an object with content and specialValueId")
    content = value.get("content", "")
    text = "" if content is None else str(content)
    special = str(value.get("specialValueId") or "LITERAL")
    if special != "LITERAL":
        return _special(special, text, column, context)
    if column.kind == "text":
        return text.rstrip()
    if column.kind == "number":
        try:
            return Decimal(text.strip() or "0")
        except InvalidOperation:
            raise QueryError(f"{column.alias}: {text!r} is not a number") from None
    text = text.strip()
    if text in ("", "0", "00000000"):
        return None
    for pattern in (context.date_pattern, "%Y%m%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise QueryError(f"{column.alias}: {text!r} is not a date in the user's format or YYYYMMDD")


def _condition(body: object, context: _Context) -> tuple[Predicate, tuple[str, tuple[object, ...]] | None]:
    if not isinstance(body, Mapping):
        raise QueryError("each condition is a JSON object")
    column = _column(body.get("controlId"), context)
    operator = body.get("operator")
    if operator not in OPERATORS:
        raise QueryError(f"unknown operator {operator!r}")
    raw = body.get("value") or []
    if not isinstance(raw, list):
        raise QueryError(f"{column.alias}: value is a list")
    values = [_parse(item, column, context) for item in raw]
    alias, default = column.alias, column.default
    sort = column.sort_value

    def cell(row: Mapping[str, object]) -> object:
        return row.get(alias, default)

    needed = {"BETWEEN": 2, "STR_BLANK": 0, "STR_NOT_BLANK": 0, "LIST": -1}.get(str(operator), 1)
    if (needed == -1 and not values) or (needed >= 0 and len(values) != needed):
        raise QueryError(f"{column.alias}: {operator} got {len(values)} values")
    if operator == "LIST":
        wanted = frozenset(values)
        return (lambda row: cell(row) in wanted), (alias, tuple(values))
    if operator in ("STR_BLANK", "STR_NOT_BLANK"):
        blank = operator == "STR_BLANK"
        return (lambda row: (str(cell(row) or "").strip() == "") is blank), None
    if operator.startswith("STR_"):
        needle = str(values[0])
        test = {
            "STR_START_WITH": str.startswith,
            "STR_END_WITH": str.endswith,
            "STR_CONTAIN": str.__contains__,
        }
        check = test[operator]
        return (lambda row: check(str(cell(row) or ""), needle)), None
    if operator == "BETWEEN":
        low, high = sort(values[0]), sort(values[1])
        return (lambda row: low <= sort(cell(row)) <= high), None  # type: ignore[operator]
    target = sort(values[0])
    compare: dict[str, Callable[[object], bool]] = {
        "EQUAL": lambda v: v == target,
        "NOT_EQUAL": lambda v: v != target,
        "LESS": lambda v: v < target,  # type: ignore[operator]
        "LESS_EQUAL": lambda v: v <= target,  # type: ignore[operator]
        "GREATER": lambda v: v > target,  # type: ignore[operator]
        "GREATER_EQUAL": lambda v: v >= target,  # type: ignore[operator]
    }
    test_value = compare[operator]
    hint = (alias, (values[0],)) if operator == "EQUAL" else None
    return (lambda row: test_value(sort(cell(row)))), hint


def _query(body: object, context: _Context) -> tuple[Predicate, tuple[str, tuple[object, ...]] | None]:
    if not isinstance(body, Mapping):
        raise QueryError("query is a JSON object")
    match = body.get("matchType", "MATCH_ALL")
    if match not in ("MATCH_ALL", "MATCH_ANY"):
        raise QueryError(f"unknown matchType {match!r}")
    conditions = [_condition(item, context) for item in body.get("condition") or []]
    parts: list[tuple[str, Predicate, tuple[str, tuple[object, ...]] | None]] = []
    hint: tuple[str, tuple[object, ...]] | None = None
    if conditions:
        tests = [test for test, _ in conditions]
        if match == "MATCH_ALL":
            hint = next((h for _, h in conditions if h is not None), None)
            parts.append(("AND", lambda row: all(test(row) for test in tests), hint))
        else:
            parts.append(("AND", lambda row: any(test(row) for test in tests), None))
    for entry in body.get("complexQuery") or []:
        if not isinstance(entry, Mapping) or entry.get("andOr", "AND") not in ("AND", "OR"):
            raise QueryError("each complexQuery entry is {andOr: AND|OR, query: {...}}")
        test, sub_hint = _query(entry.get("query"), context)
        parts.append((str(entry.get("andOr", "AND")), test, sub_hint))
    if not parts:
        return (lambda row: True), None
    result, hint = parts[0][1], parts[0][2]
    for joiner, test, sub_hint in parts[1:]:
        if joiner == "AND":
            result = _both(result, test)
            hint = hint or sub_hint
        else:
            result = _either(result, test)
            hint = None
    return result, hint


def _both(left: Predicate, right: Predicate) -> Predicate:
    return lambda row: left(row) and right(row)


def _either(left: Predicate, right: Predicate) -> Predicate:
    return lambda row: left(row) or right(row)


def compile_query(
    body: object, table: TableDef, *, date_pattern: str, today: date, username: str
) -> CompiledQuery:
    """Compile a data request's ``query`` object (None or absent matches every row).

    Args:
        body: The ``query`` object.
        table: The target table.
        date_pattern: ``strptime`` pattern of the user's date format.
        today: The server's date, for ``TODAY*`` values.
        username: The session's user, for ``LOGIN_USER``.

    Returns:
        The predicate and an index hint.

    Raises:
        QueryError: The query cannot be run.
    """
    if body is None:
        return CompiledQuery(lambda row: True)
    predicate, hint = _query(body, _Context(table, date_pattern, today, username))
    return CompiledQuery(predicate, hint)
