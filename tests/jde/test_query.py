"""Query building: the wire shape of conditions and nested queries, value formats, and LIST chunking."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jde_zoho_sdk.jde import Condition, DateFormat, Operator, Query, changed_since
from jde_zoho_sdk.jde.query import split_lists
from jde_zoho_sdk.testing._ais_query import compile_query
from jde_zoho_sdk.testing._ais_schema import BUILT_IN_TABLES

F0101 = BUILT_IN_TABLES["F0101"]


def test_flat_query_is_a_condition_list() -> None:
    query = Query.all(Condition("AT1", Operator.EQUAL, "C"), Condition("F0101.AN8", Operator.GREATER, 7000))
    assert query.to_wire("F0101") == {
        "autoFind": True,
        "matchType": "MATCH_ALL",
        "condition": [
            {
                "controlId": "F0101.AT1",
                "operator": "EQUAL",
                "value": [{"content": "C", "specialValueId": "LITERAL"}],
            },
            {
                "controlId": "F0101.AN8",
                "operator": "GREATER",
                "value": [{"content": "7000", "specialValueId": "LITERAL"}],
            },
        ],
    }


def test_nested_query_uses_complex_query_joined_by_the_parent_operator() -> None:
    day = date(2024, 2, 1)
    query = Query.any(
        Condition("UPMJ", Operator.GREATER, day),
        Query.all(Condition("UPMJ", Operator.EQUAL, day), Condition("UPMT", Operator.GREATER_EQUAL, 93000)),
    )
    wire = query.to_wire("F0101", DateFormat("dd/MM/yyyy"))
    assert wire["matchType"] == "MATCH_ANY"
    assert "condition" not in wire
    first, second = cast(list[dict[str, Any]], wire["complexQuery"])
    assert first == {
        "andOr": "OR",
        "query": {
            "matchType": "MATCH_ALL",
            "condition": [
                {
                    "controlId": "F0101.UPMJ",
                    "operator": "GREATER",
                    "value": [{"content": "01/02/2024", "specialValueId": "LITERAL"}],
                }
            ],
        },
    }
    assert second["andOr"] == "OR"
    assert [c["operator"] for c in second["query"]["condition"]] == ["EQUAL", "GREATER_EQUAL"]


def test_same_operator_nesting_and_single_items_flatten() -> None:
    a, b, c = (Condition(alias, Operator.STR_NOT_BLANK) for alias in ("TAX", "ALPH", "ALKY"))
    conditions = cast(
        list[dict[str, Any]], Query.all(a, Query.all(b, Query.any(c))).to_wire("F0101")["condition"]
    )
    assert [item["controlId"] for item in conditions] == ["F0101.TAX", "F0101.ALPH", "F0101.ALKY"]
    assert "value" not in conditions[0]


def test_values_are_written_as_ais_reads_them() -> None:
    wire = Condition("ACL", Operator.BETWEEN, [Decimal("10.50"), 2000]).to_wire("F03012", DateFormat())
    assert [v["content"] for v in wire["value"]] == ["10.50", "2000"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("operator", "value", "message"),
    [
        (Operator.EQUAL, None, "one value"),
        (Operator.EQUAL, [1, 2], "one value"),
        (Operator.BETWEEN, [1], "two values"),
        (Operator.LIST, [], "at least one"),
        (Operator.STR_BLANK, "x", "no value"),
    ],
)
def test_value_count_must_fit_the_operator(operator: Operator, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Condition("AN8", operator, value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, datetime(2024, 1, 1, tzinfo=UTC), 1.5, object()])
def test_unsupported_values_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        Condition("AN8", Operator.EQUAL, value)  # type: ignore[arg-type]


def test_operators_are_the_documented_ones() -> None:
    assert {op.value for op in Operator} == {
        "EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "BETWEEN", "LIST",
        "STR_START_WITH", "STR_END_WITH", "STR_CONTAIN", "STR_BLANK", "STR_NOT_BLANK",
    }  # fmt: skip


def test_changed_since_reads_the_instant_in_the_server_zone() -> None:
    query = changed_since(datetime(2024, 7, 1, 14, 30, 15, tzinfo=UTC), "America/Chicago", table="F0101")
    assert query == Query.any(
        Condition("F0101.UPMJ", Operator.GREATER, date(2024, 7, 1)),
        Query.all(
            Condition("F0101.UPMJ", Operator.EQUAL, date(2024, 7, 1)),
            Condition("F0101.UPMT", Operator.GREATER_EQUAL, 93015),
        ),
    )


@pytest.mark.parametrize(
    ("since", "upmt"),
    [
        (datetime(2024, 11, 3, 6, 45, tzinfo=UTC), 4500),  # 01:45 CDT, first pass: from 00:45
        (datetime(2024, 11, 3, 7, 45, tzinfo=UTC), 14500),  # 01:45 CST, second pass: nothing comes later
        (datetime(2024, 11, 3, 5, 45, tzinfo=UTC), 4500),  # 00:45 CDT, before the repeated hour
    ],
)
def test_changed_since_in_the_first_pass_of_a_repeated_hour_starts_one_repeat_earlier(
    since: datetime, upmt: int
) -> None:
    query = changed_since(since, "America/Chicago")
    assert query.items[1] == Query.all(
        Condition("UPMJ", Operator.EQUAL, date(2024, 11, 3)), Condition("UPMT", Operator.GREATER_EQUAL, upmt)
    )


def test_changed_since_early_in_a_repeated_hour_after_midnight_starts_the_day_before() -> None:
    # Havana's clocks went back from 01:00 CDT to 00:00 CST on 2024-11-03: 00:20 CDT comes one repeat
    # before any 00:xx CST, which reads as the previous evening.
    query = changed_since(datetime(2024, 11, 3, 4, 20, tzinfo=UTC), "America/Havana")
    assert query == Query.any(
        Condition("UPMJ", Operator.GREATER, date(2024, 11, 2)),
        Query.all(
            Condition("UPMJ", Operator.EQUAL, date(2024, 11, 2)),
            Condition("UPMT", Operator.GREATER_EQUAL, 232000),
        ),
    )


def test_long_lists_are_split_sorted_and_deduplicated() -> None:
    values = [5, 3, 3, *range(10, 0, -1)]
    queries, overlap = split_lists(Condition("AN8", Operator.LIST, values), 4, order_column="AN8")
    assert not overlap
    chunks = [q.items[0].values for q in queries if q is not None]  # type: ignore[union-attr]
    assert chunks == [(1, 2, 3, 4), (5, 6, 7, 8), (9, 10)]


def test_descending_order_splits_from_the_top() -> None:
    queries, _ = split_lists(
        Condition("AN8", Operator.LIST, range(1, 6)), 2, order_column="AN8", descending=True
    )
    assert [q.items[0].values for q in queries] == [(5, 4), (3, 2), (1,)]  # type: ignore[union-attr]


def test_split_inside_any_or_twice_needs_deduplication() -> None:
    big = Condition("AN8", Operator.LIST, range(10))
    _, overlap_any = split_lists(Query.any(big, Condition("AT1", Operator.EQUAL, "C")), 3)
    _, overlap_two = split_lists(
        Query.all(big, Condition("TAX", Operator.LIST, [str(n) for n in range(5)])), 3
    )
    _, overlap_none = split_lists(Query.all(big, Condition("AT1", Operator.EQUAL, "C")), 3)
    assert (overlap_any, overlap_two, overlap_none) == (True, True, False)


def test_no_where_is_one_unfiltered_request() -> None:
    assert split_lists(None, 100) == ([None], False)


def _matches(query: Query | None, rows: list[dict[str, object]]) -> set[int]:
    if query is None:
        return {int(row["AN8"]) for row in rows}  # type: ignore[call-overload]
    compiled = compile_query(
        query.to_wire("F0101"), F0101, date_pattern="%m/%d/%Y", today=date(2024, 1, 1), username="JDE"
    )
    return {int(row["AN8"]) for row in rows if compiled.predicate(row)}  # type: ignore[call-overload]


leaf = st.one_of(
    st.builds(
        lambda v: Condition("AN8", Operator.LIST, v), st.lists(st.integers(0, 40), min_size=1, max_size=25)
    ),
    st.builds(lambda v: Condition("AT1", Operator.EQUAL, v), st.sampled_from(["C", "V"])),
    st.builds(lambda v: Condition("AN8", Operator.GREATER_EQUAL, v), st.integers(0, 40)),
)
queries = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda items: Query.all(*items), st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda items: Query.any(*items), st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)


def _pieces(node: Condition | Query, size: int) -> int:
    if isinstance(node, Condition):
        unique = len(set(node.values))
        return -(-unique // size) if node.operator is Operator.LIST and len(node.values) > size else 1
    total = 1
    for item in node.items:
        total *= _pieces(item, size)
    return total


@settings(max_examples=150, deadline=None)
@given(queries, st.integers(1, 6))
def test_split_queries_match_exactly_the_rows_of_the_original(where: Condition | Query, size: int) -> None:
    assume(_pieces(where, size) <= 64)  # keeps each example fast; the limit itself is tested below
    rows: list[dict[str, object]] = [{"AN8": n, "AT1": "C" if n % 3 else "V"} for n in range(41)]
    original = _matches(Query.all(where) if isinstance(where, Condition) else where, rows)
    pieces, overlap = split_lists(where, size)
    found: list[int] = []
    for piece in pieces:
        found.extend(sorted(_matches(piece, rows)))
    assert set(found) == original
    if not overlap:
        assert len(found) == len(set(found))


def test_a_split_into_too_many_requests_is_refused() -> None:
    lists = [Condition(alias, Operator.LIST, range(30)) for alias in ("AN8", "IDLN", "RCK7")]
    with pytest.raises(ValueError, match="27000 requests"):
        split_lists(Query.all(*lists), 1)
