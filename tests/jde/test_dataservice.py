"""Browse mechanics: LIST chunks, restarts in other orders, incremental polls, request shapes, odd answers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from jde_zoho_sdk.jde import (
    AisConfigError,
    AisUnexpectedResponseError,
    Condition,
    DateFormat,
    Operator,
    Query,
    ResultSetExpiredError,
)
from jde_zoho_sdk.jde.dataservice import Browse, OrderBy, _plan
from jde_zoho_sdk.testing.ais import AisEmulator, Fault
from tests.jde.conftest import FakeClock, client_for
from tests.jde.test_auth import ScriptedAis, make

MSG347 = {"sysErrors": [{"TITLE": "JAS_MSG347: The query results expired.", "DESC": "JAS_MSG347"}]}


@pytest.fixture
def seeded(emulator: AisEmulator) -> AisEmulator:
    emulator.tables.insert_many(
        "F0101", ({"AN8": n, "ALPH": f"Name {n % 7}", "AT1": "C"} for n in range(1, 301))
    )
    return emulator


def data_requests(emulator: AisEmulator) -> int:
    return sum(1 for record in emulator.request_log if record.path == "/jderest/v2/dataservice")


def test_browse_request_body_has_the_documented_shape() -> None:
    browse = Browse(
        table="F0101",
        columns=("AN8", "F0101.ALPH"),
        where=Query.all(Condition("AT1", Operator.EQUAL, "C")),
        page_size=None,
        order_by=(OrderBy.parse("-UPMJ"), OrderBy.parse("AN8")),
    )
    assert browse.to_wire(DateFormat()) == {
        "targetName": "F0101",
        "targetType": "table",
        "dataServiceType": "BROWSE",
        "outputType": "GRID_DATA",
        "findOnEntry": "TRUE",
        "maxPageSize": "No Max",
        "enableNextPageProcessing": True,
        "returnControlIDs": "F0101.AN8|F0101.ALPH",
        "query": {
            "autoFind": True,
            "matchType": "MATCH_ALL",
            "condition": [
                {
                    "controlId": "F0101.AT1",
                    "operator": "EQUAL",
                    "value": [{"content": "C", "specialValueId": "LITERAL"}],
                }
            ],
        },
        "aggregation": {
            "orderBy": [
                {"column": "F0101.UPMJ", "direction": "DESC"},
                {"column": "F0101.AN8", "direction": "ASC"},
            ]
        },
    }


def test_a_long_list_is_a_few_requests_in_order(seeded: AisEmulator) -> None:
    wanted = list(range(300, 0, -2))  # 150 address numbers, given in no particular order
    with client_for(seeded, list_chunk_size=40) as ais:
        rows = list(ais.browse("F0101", ["AN8"], where=Condition("AN8", Operator.LIST, wanted)))
    assert [row["AN8"] for row in rows] == sorted(wanted)
    assert data_requests(seeded) == 4


def test_a_split_list_inside_match_any_never_yields_a_row_twice(seeded: AisEmulator) -> None:
    where = Query.any(
        Condition("AN8", Operator.LIST, range(1, 120)), Condition("ALPH", Operator.EQUAL, "Name 3")
    )
    with client_for(seeded, list_chunk_size=50) as ais:
        rows = [int(str(row["AN8"])) for row in ais.browse("F0101", ["AN8"], where=where)]
    expected = {n for n in range(1, 301) if n < 120 or n % 7 == 3}
    assert sorted(rows) == sorted(expected)
    assert len(rows) == len(expected)


def test_restart_in_another_order_skips_what_was_yielded(seeded: AisEmulator) -> None:
    with client_for(seeded) as ais:
        chain = ais.browse("F0101", ["AN8", "ALPH"], order_by=["-ALPH"], page_size=40)
        rows = [next(chain) for _ in range(90)]
        seeded.expire_result_sets()
        rows.extend(chain)
    assert sorted(row["AN8"] for row in rows) == list(range(1, 301))  # type: ignore[type-var]
    assert [row["ALPH"] for row in rows] == sorted((row["ALPH"] for row in rows), reverse=True)  # type: ignore[type-var]


def test_restarts_that_get_nowhere_give_up_with_the_expiry_error(seeded: AisEmulator) -> None:
    seeded.faults.add(Fault(path="/jderest/v2/dataservice", status=500, body=MSG347, after=1, times=None))
    with client_for(seeded) as ais, pytest.raises(ResultSetExpiredError, match="JAS_MSG347"):
        list(ais.browse("F0101", ["AN8"], page_size=100))


def test_incremental_poll_with_the_nested_changed_since_query(
    emulator: AisEmulator, clock: FakeClock
) -> None:
    tables = emulator.tables
    tables.insert("F0101", {"AN8": 1, "ALPH": "Before"})  # 09:30:00 CDT
    clock.advance(seconds=15)
    since = clock()
    tables.insert("F0101", {"AN8": 2, "ALPH": "Same second"})  # 09:30:15
    clock.advance(days=1)
    tables.insert("F0101", {"AN8": 3, "ALPH": "Next day, earlier time"})
    tables.update("F0101", {"AN8": 1}, {"ALPH": "Changed again"})
    with client_for(emulator, clock) as ais:
        rows = list(ais.browse("F0101", ["AN8"], where=ais.changed_since(since)))
        also = list(ais.browse("F0101", ["AN8"], where=ais.changed_since(since + timedelta(seconds=1))))
    assert [row["AN8"] for row in rows] == [1, 2, 3]
    assert [row["AN8"] for row in also] == [1, 3]


def test_changed_since_in_the_repeated_autumn_hour_is_conservative(clock: FakeClock) -> None:
    clock.now = datetime(2024, 11, 3, 6, 40, tzinfo=UTC)  # 01:40 CDT, the first 01:40 in Chicago
    emulator = AisEmulator(clock=clock)
    emulator.tables.insert("F0101", {"AN8": 1, "ALPH": "first pass"})
    clock.advance(hours=1)  # 01:40 CST, the second pass
    with client_for(emulator, clock) as ais:
        rows = list(ais.browse("F0101", ["AN8"], where=ais.changed_since(clock() - timedelta(minutes=5))))
    assert [row["AN8"] for row in rows] == [1]  # a stamp from the first pass cannot be told apart: kept


def test_no_max_page_size_is_one_request(seeded: AisEmulator) -> None:
    with client_for(seeded) as ais:
        assert len(list(ais.browse("F0101", ["AN8"], page_size=None))) == 300
    assert [r.path for r in seeded.request_log].count("/jderest/v2/dataservice/next") == 0


def test_key_columns_are_added_to_the_columns_asked_for(seeded: AisEmulator) -> None:
    with client_for(seeded) as ais:
        (row,) = ais.browse("F0101", ["ALPH"], where=Condition("AN8", Operator.EQUAL, 5))
    assert row == {"ALPH": "Name 5", "AN8": 5}


@pytest.mark.parametrize("page_size", [0, -5])
def test_page_size_must_be_positive(page_size: int, seeded: AisEmulator) -> None:
    with client_for(seeded) as client, pytest.raises(AisConfigError, match="page_size"):
        client.browse("F0101", page_size=page_size)


def test_more_records_without_a_next_link_is_reported() -> None:
    page = {
        "fs_DATABROWSE_F0101": {
            "data": {"gridData": {"rowset": [{"F0101_AN8": 1}], "summary": {"moreRecords": True}}}
        }
    }
    fake = ScriptedAis((200, page))
    with make(fake) as ais, pytest.raises(AisUnexpectedResponseError, match="no next link"):
        list(ais.browse("F0101"))


def test_next_page_goes_to_the_configured_host_with_the_chains_token() -> None:
    first = {
        "fs_DATABROWSE_F0101": {
            "data": {"gridData": {"rowset": [{"F0101_AN8": 1}], "summary": {"moreRecords": True}}}
        },
        "links": [
            {"rel": "next", "href": "http://internal-ais:8080/jderest/v2/dataservice/next?rid=1&token=x%2By"}
        ],
    }
    last = {"fs_DATABROWSE_F0101": {"data": {"gridData": {"rowset": [{"F0101_AN8": 2}]}}}}
    fake = ScriptedAis((200, first), (200, last))
    with make(fake) as ais:
        assert [row["AN8"] for row in ais.browse("F0101")] == [1, 2]
    (next_page,) = fake.calls("/dataservice/next")
    assert next_page.url.host == "ais.example.com"
    assert next_page.url.params["token"] == "x+y"
    assert next_page.headers["jde-AIS-Auth"] == fake.tokens[0]
    assert json.loads(next_page.content) == {}


def test_date_values_follow_the_session_format(emulator: AisEmulator) -> None:
    emulator.tables.insert("F0116", {"AN8": 1, "EFTB": date(2024, 2, 1), "CTY1": "Chicago"})
    emulator.tables.insert("F0116", {"AN8": 1, "EFTB": None, "CTY1": "Old"})
    with client_for(emulator) as ais:
        rows = list(
            ais.browse("F0116", ["CTY1", "EFTB"], where=Condition("EFTB", Operator.LESS, date(2024, 3, 1)))
        )
    assert [(row["CTY1"], row["EFTB"]) for row in rows] == [("Old", None), ("Chicago", date(2024, 2, 1))]


@pytest.mark.parametrize(
    ("order_by", "expected", "key_ordered"),
    [
        ((), ["AN8", "IDLN"], True),
        (("-AN8",), ["-AN8", "-IDLN"], True),
        (("AN8", "IDLN"), ["AN8", "IDLN"], True),
        (("-UPMJ",), ["-UPMJ", "-AN8", "-IDLN"], False),
        (("AN8", "-IDLN"), ["AN8", "-IDLN"], False),
    ],
)
def test_orders_are_completed_by_the_key(
    order_by: tuple[str, ...], expected: list[str], key_ordered: bool
) -> None:
    plan = _plan(("MLNM",), [OrderBy.parse(text) for text in order_by], ("AN8", "IDLN"))
    assert [("-" if o.descending else "") + o.column for o in plan.order] == expected
    assert plan.key_ordered is key_ordered
    assert plan.columns == ("MLNM", "AN8", "IDLN")


def test_key_order_restart_of_a_two_column_key_resumes_at_the_last_address_number(
    emulator: AisEmulator,
) -> None:
    emulator.tables.insert_many(
        "F0111", ({"AN8": n // 3, "IDLN": n % 3, "MLNM": f"L{n}"} for n in range(3, 603))
    )
    with client_for(emulator) as ais:
        chain = ais.browse("F0111", ["MLNM"], order_by=["-AN8"], page_size=50)
        rows = [next(chain) for _ in range(125)]
        emulator.expire_result_sets()
        rows.extend(chain)
    keys = [(row["AN8"], row["IDLN"]) for row in rows]
    assert keys == sorted(((n // 3, n % 3) for n in range(3, 603)), reverse=True)
    (_first, restart) = [r for r in emulator.request_log if r.path == "/jderest/v2/dataservice"]
    assert restart.status == 200
