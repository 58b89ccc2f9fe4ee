"""Typed query conditions for AIS data service requests, nested with ``complexQuery``.

A :class:`Condition` is one ``{"controlId", "operator", "value"}`` of the data service; a :class:`Query`
combines conditions and other queries with ``MATCH_ALL`` (and) or ``MATCH_ANY`` (or). A query whose items
are all conditions is sent as a flat ``condition`` list; one that nests queries is sent as a
``complexQuery`` list whose entries are joined by ``andOr``. Values are written as AIS expects them:
numbers as digits, dates in the session user's date format.

Example:
    >>> from datetime import date
    >>> since = Query.any(
    ...     Condition("UPMJ", Operator.GREATER, date(2024, 2, 1)),
    ...     Query.all(
    ...         Condition("UPMJ", Operator.EQUAL, date(2024, 2, 1)),
    ...         Condition("UPMT", Operator.GREATER_EQUAL, 93000),
    ...     ),
    ... )
    >>> since.to_wire("F0101")["complexQuery"][0]["andOr"]
    'OR'
"""

from __future__ import annotations

import contextlib
import enum
import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Final, TypeAlias

import attrs

from jde_zoho_sdk.jde.dates import DateFormat, time_to_upmt, to_jde_stamp, zone

__all__ = [
    "Condition",
    "MatchType",
    "Operator",
    "Query",
    "QueryValue",
    "changed_since",
    "control_id",
    "split_lists",
]

QueryValue: TypeAlias = str | int | Decimal | date
"""A value a condition compares with: text, a number, or a date (written in the user's date format)."""

MAX_VARIANTS: Final = 10_000
"""The most requests :func:`split_lists` will turn one query into."""


class Operator(enum.StrEnum):
    """The data service's condition operators (Celin.AIS ``request.cs``; Oracle data request docs)."""

    EQUAL = "EQUAL"
    NOT_EQUAL = "NOT_EQUAL"
    LESS = "LESS"
    LESS_EQUAL = "LESS_EQUAL"
    GREATER = "GREATER"
    GREATER_EQUAL = "GREATER_EQUAL"
    BETWEEN = "BETWEEN"
    LIST = "LIST"
    STR_START_WITH = "STR_START_WITH"
    STR_END_WITH = "STR_END_WITH"
    STR_CONTAIN = "STR_CONTAIN"
    STR_BLANK = "STR_BLANK"
    STR_NOT_BLANK = "STR_NOT_BLANK"


class MatchType(enum.StrEnum):
    """How the items of a :class:`Query` combine."""

    ALL = "MATCH_ALL"
    ANY = "MATCH_ANY"


_NO_VALUE: Final = frozenset({Operator.STR_BLANK, Operator.STR_NOT_BLANK})


def _check_value(value: object) -> QueryValue:
    if isinstance(value, bool | datetime):
        raise TypeError(
            f"{value!r} cannot be a query value: give a date (UPMJ) and an HHMMSS int (UPMT), "
            "or build the condition with changed_since()"
        )
    if isinstance(value, str | int | Decimal | date):
        return value
    raise TypeError(f"{type(value).__name__} cannot be a query value (use str, int, Decimal or date)")


def control_id(column: str, table: str) -> str:
    """The AIS control id of a column: ``"F0101.AN8"`` from ``"AN8"`` (qualified names are kept)."""
    column = column.strip()
    return column if "." in column else f"{table}.{column}"


@attrs.frozen(init=False)
class Condition:
    """One condition of a data service query.

    Args:
        column: The column alias (``"AN8"``) or its qualified name (``"F0101.AN8"``).
        operator: An :class:`Operator` (or its name).
        value: One value; two for ``BETWEEN``; any number for ``LIST``; none for ``STR_BLANK`` and
            ``STR_NOT_BLANK``.

    Raises:
        ValueError: The number of values does not fit the operator, or the column is empty.
        TypeError: A value is not a str, int, Decimal or date.

    Example:
        >>> Condition("AN8", Operator.LIST, [4242, 4243]).values
        (4242, 4243)
    """

    column: str
    operator: Operator
    values: tuple[QueryValue, ...]

    def __init__(
        self,
        column: str,
        operator: Operator | str,
        value: QueryValue | Iterable[QueryValue] | None = None,
    ) -> None:
        op = Operator(operator)
        if value is None:
            values: tuple[QueryValue, ...] = ()
        elif isinstance(value, str | int | Decimal | date):
            values = (_check_value(value),)
        else:
            values = tuple(_check_value(item) for item in value)
        wanted = {Operator.BETWEEN: "two values", Operator.LIST: "at least one value"}
        if op in _NO_VALUE and values:
            raise ValueError(f"{op} takes no value")
        if op is Operator.BETWEEN and len(values) != 2:
            raise ValueError(f"BETWEEN takes {wanted[op]}, got {len(values)}")
        if op is Operator.LIST and not values:
            raise ValueError(f"LIST takes {wanted[op]}")
        if op not in _NO_VALUE and op not in wanted and len(values) != 1:
            raise ValueError(f"{op} takes one value, got {len(values)}")
        if not column.strip():
            raise ValueError("a condition needs a column")
        self.__attrs_init__(column.strip(), op, values)

    def to_wire(self, table: str, date_format: DateFormat) -> dict[str, object]:
        """The condition as AIS JSON (``controlId``, ``operator``, ``value``).

        Args:
            table: The target table, for an unqualified column name.
            date_format: The session user's date format, for date values.
        """
        body: dict[str, object] = {"controlId": control_id(self.column, table), "operator": self.operator}
        if self.values:
            body["value"] = [
                {"content": _format(value, date_format), "specialValueId": "LITERAL"} for value in self.values
            ]
        return body


def _format(value: QueryValue, date_format: DateFormat) -> str:
    if isinstance(value, date):
        return date_format.format(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@attrs.frozen
class Query:
    """Conditions and nested queries combined with ``MATCH_ALL`` or ``MATCH_ANY``.

    Build with :meth:`all` and :meth:`any` rather than the constructor.

    Attributes:
        match: How the items combine.
        items: Conditions and nested queries.
    """

    match: MatchType
    items: tuple[Condition | Query, ...]

    @classmethod
    def all(cls, *items: Condition | Query) -> Query:
        """Every item must hold (``MATCH_ALL`` / ``AND``).

        Args:
            *items: Conditions and nested queries.
        """
        return cls(MatchType.ALL, items)

    @classmethod
    def any(cls, *items: Condition | Query) -> Query:
        """At least one item must hold (``MATCH_ANY`` / ``OR``).

        Args:
            *items: Conditions and nested queries.
        """
        return cls(MatchType.ANY, items)

    def to_wire(self, table: str, date_format: DateFormat | None = None) -> dict[str, object]:
        """The query as the data service's ``query`` object.

        Args:
            table: The target table, for unqualified column names.
            date_format: The session user's date format for date values (``MM/dd/yyyy`` when None).

        Returns:
            ``{"autoFind": true, "matchType": ..., "condition": [...]}`` or, when queries nest,
            ``{"autoFind": true, "matchType": ..., "complexQuery": [{"andOr": ..., "query": ...}]}``.
        """
        body = _wire(normalize(self), table, date_format or DateFormat())
        return {"autoFind": True, **body}


def normalize(node: Condition | Query) -> Query:
    """Flatten a query: single-item queries collapse, nested queries with the same match merge."""
    flat = _flatten(node)
    return flat if isinstance(flat, Query) else Query.all(flat)


def normalize_query(node: Condition | Query) -> Query:
    """A condition as a one-item ``MATCH_ALL`` query; a query as it is."""
    return node if isinstance(node, Query) else Query.all(node)


def _flatten(node: Condition | Query) -> Condition | Query:
    if isinstance(node, Condition):
        return node
    items: list[Condition | Query] = []
    for item in node.items:
        child = _flatten(item)
        if isinstance(child, Query) and (child.match is node.match or len(child.items) <= 1):
            items.extend(child.items)
        else:
            items.append(child)
    if len(items) == 1:
        return items[0]
    return Query(node.match, tuple(items))


def _wire(query: Query, table: str, date_format: DateFormat) -> dict[str, object]:
    body: dict[str, object] = {"matchType": query.match.value}
    if all(isinstance(item, Condition) for item in query.items):
        body["condition"] = [
            item.to_wire(table, date_format) for item in query.items if isinstance(item, Condition)
        ]
        return body
    # A query that nests others sends every item as a complexQuery entry: the entries are joined by
    # andOr, which carries this query's own match type (AND for MATCH_ALL, OR for MATCH_ANY).
    joiner = "AND" if query.match is MatchType.ALL else "OR"
    body["complexQuery"] = [
        {"andOr": joiner, "query": _wire(normalize_query(item), table, date_format)} for item in query.items
    ]
    return body


def changed_since(since: datetime, server_zone: str | tzinfo, *, table: str | None = None) -> Query:
    """The query for rows stamped at or after ``since``: ``UPMJ > d OR (UPMJ = d AND UPMT >= t)``.

    ``d`` and ``t`` are ``since`` read in the JDE database server's zone, which is how UPMJ/UPMT are
    stamped. Rows updated in the same second as ``since`` are included. When ``since`` falls in the first
    pass of a repeated autumn hour, ``d`` and ``t`` are moved back by the length of the repeat (an hour in
    most zones), so that rows stamped later, in the second pass, with a smaller local time, are included
    too (with some rows stamped before ``since``).

    Args:
        since: An aware datetime.
        server_zone: The JDE database server's zone.
        table: Qualify the columns with this table (``"F0101.UPMJ"``), for views that join tables.

    Returns:
        The nested query.

    Raises:
        ValueError: ``since`` is naive.

    Example:
        >>> from datetime import UTC
        >>> q = changed_since(datetime(2024, 7, 1, 14, 30, tzinfo=UTC), "America/Chicago")
        >>> q.items[1].items[1]
        Condition(column='UPMT', operator=<Operator.GREATER_EQUAL: 'GREATER_EQUAL'>, values=(93000,))
    """
    day, hhmmss = _earliest_stamp(since, server_zone)
    upmj, upmt = (f"{table}.UPMJ", f"{table}.UPMT") if table else ("UPMJ", "UPMT")
    return Query.any(
        Condition(upmj, Operator.GREATER, day),
        Query.all(Condition(upmj, Operator.EQUAL, day), Condition(upmt, Operator.GREATER_EQUAL, hhmmss)),
    )


def _earliest_stamp(since: datetime, server_zone: str | tzinfo) -> tuple[date, int]:
    """A (UPMJ, UPMT) at or below every stamp the server makes at ``since`` or at any later instant."""
    day, hhmmss = to_jde_stamp(since, server_zone)  # refuses a naive since
    local = since.astimezone(zone(server_zone))
    first, second = local.utcoffset(), local.replace(fold=1).utcoffset()
    if local.fold == 0 and first is not None and second is not None and first > second:
        # In the first pass of a repeated hour, the second pass is later but reads earlier (01:45 CDT,
        # then 01:10 CST): any wall time it shows is above the wall time one repeat before since.
        earlier = local.replace(tzinfo=None) - (first - second)
        return earlier.date(), time_to_upmt(earlier.time())
    return day, hhmmss


def _alias(column: str) -> str:
    return column.rpartition(".")[2]


def _sorted_unique(values: Sequence[QueryValue], descending: bool) -> list[QueryValue]:
    unique = list(dict.fromkeys(values))
    with contextlib.suppress(TypeError):  # mixed types: keep the caller's order
        unique.sort(reverse=descending)
    return unique


@attrs.frozen
class _Split:
    variants: list[Condition | Query]
    lists: int = 0
    under_any: bool = False


def _split(
    node: Condition | Query, size: int, order_column: str | None, descending: bool, in_any: bool
) -> _Split:
    if isinstance(node, Condition):
        if node.operator is not Operator.LIST or len(node.values) <= size:
            return _Split([node])
        ordered = order_column is not None and _alias(node.column) == _alias(order_column)
        values = _sorted_unique(node.values, descending and ordered)
        chunks = [values[start : start + size] for start in range(0, len(values), size)]
        return _Split([Condition(node.column, Operator.LIST, chunk) for chunk in chunks], 1, in_any)
    inside_any = in_any or node.match is MatchType.ANY
    parts = [_split(item, size, order_column, descending, inside_any) for item in node.items]
    total = 1
    for part in parts:
        total *= len(part.variants)
    if total > MAX_VARIANTS:
        raise ValueError(f"the LIST conditions would need {total} requests; send fewer values per call")
    variants: list[Condition | Query] = [
        Query(node.match, combination) for combination in itertools.product(*(p.variants for p in parts))
    ]
    return _Split(variants, sum(p.lists for p in parts), any(p.under_any for p in parts))


def split_lists(
    where: Condition | Query | None,
    chunk_size: int,
    *,
    order_column: str | None = None,
    descending: bool = False,
) -> tuple[list[Query | None], bool]:
    """Split LIST conditions longer than ``chunk_size`` into several queries with the same meaning.

    The union of the rows of the returned queries is the rows of ``where``. Values of a split LIST are
    sorted (and de-duplicated), so when the LIST column is the first ``order_by`` column the pieces come
    back in overall order.

    Args:
        where: The query (None: no condition).
        chunk_size: The most values one LIST condition may carry.
        order_column: The first order column of the browse, if any.
        descending: Whether that column is ordered descending.

    Returns:
        The queries to run one after the other, and whether a row may match several of them (so the
        caller must drop rows it already yielded): true when several LISTs were split, or one was split
        inside a ``MATCH_ANY``.

    Raises:
        ValueError: ``chunk_size`` is below 1, or the split would need more than 10,000 requests.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if where is None:
        return [None], False
    result = _split(normalize(where), chunk_size, order_column, descending, in_any=False)
    queries: list[Query | None] = [normalize(variant) for variant in result.variants]
    return queries, result.lists > 1 or result.under_any
