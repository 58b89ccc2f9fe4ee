"""Browse mechanics: LIST chunks, restarts in other orders, incremental polls, request shapes, odd answers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from jde_zoho_sdk.jde import (
    AisClient,
    AisConfigError,
    AisCredentials,
    AisUnexpectedResponseError,
    Condition,
    DateFormat,
    Operator,
    Query,
    ResultSetExpiredError,
)
from jde_zoho_sdk.jde.dataservice import Browse, OrderBy, _plan, _same_origin
from jde_zoho_sdk.testing.ais import AisEmulator, Column, Fault, TableDef
from tests.jde.conftest import BASE, FakeClock, client_for, no_wait_retry
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


def next_requests(emulator: AisEmulator) -> int:
    return sum(1 for record in emulator.request_log if record.path == "/jderest/v2/dataservice/next")


class LoseNextPage(httpx.BaseTransport):
    """Between the client and the emulator: one next-page request fails, after or before reaching AIS.

    ``lose="timeout"`` and ``lose="504"``: AIS reads the request (its cursor moves on), then the answer is
    lost as a read timeout or replaced by a gateway's 504. ``lose="connect"``: the request never gets there.
    """

    def __init__(self, inner: httpx.BaseTransport, lose: str, *, at: int = 2) -> None:
        self.inner = inner
        self.lose = lose
        self.at = at
        self.next_pages = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/dataservice/next"):
            return self.inner.handle_request(request)
        self.next_pages += 1
        if self.next_pages != self.at:
            return self.inner.handle_request(request)
        if self.lose == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        self.inner.handle_request(request).read()
        if self.lose == "timeout":
            raise httpx.ReadTimeout("read timed out", request=request)
        return httpx.Response(504, text="Gateway Timeout", request=request)


def client_through(transport: httpx.BaseTransport, **options: object) -> AisClient:
    """A client whose requests pass through ``transport`` (which wraps an emulator's)."""
    return AisClient(
        BASE,
        AisCredentials("JDE", "JDE"),
        transport=transport,
        timezone="America/Chicago",
        retry=no_wait_retry(),
        **options,  # type: ignore[arg-type]
    )


def define_log_table(emulator: AisEmulator, rows: int) -> None:
    """A custom table the client has no key for, whose rows all have the same status."""
    emulator.tables.define(
        TableDef.build(
            "F55LOG",
            "Custom log",
            ("UKID",),
            (Column(alias="UKID", kind="number", length=8), Column(alias="ST", length=10)),
        )
    )
    emulator.tables.insert_many("F55LOG", ({"UKID": n, "ST": "OK"} for n in range(1, rows + 1)))


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


@pytest.mark.parametrize("lose", ["timeout", "504"])
def test_a_next_page_whose_answer_is_lost_is_not_sent_again_and_the_read_resumes_without_gaps(
    seeded: AisEmulator, lose: str
) -> None:
    with client_through(LoseNextPage(seeded.transport(), lose)) as ais:
        rows = [row["AN8"] for row in ais.browse("F0101", ["AN8"], page_size=40)]
    assert rows == list(range(1, 301))
    assert data_requests(seeded) == 2  # the query ran again from the last address number yielded
    # Two links before the loss, the lost one included and never sent again (its cursor had moved on),
    # then five for the 221 rows from address number 80 on.
    assert next_requests(seeded) == 2 + 5


def test_a_lost_next_page_in_another_order_resumes_without_repeats(seeded: AisEmulator) -> None:
    with client_through(LoseNextPage(seeded.transport(), "timeout", at=3)) as ais:
        rows = list(ais.browse("F0101", ["AN8", "ALPH"], order_by=["-ALPH"], page_size=40))
    assert sorted(row["AN8"] for row in rows) == list(range(1, 301))  # type: ignore[type-var]


def test_a_next_page_that_never_reached_ais_is_sent_again(seeded: AisEmulator) -> None:
    with client_through(LoseNextPage(seeded.transport(), "connect")) as ais:
        rows = [row["AN8"] for row in ais.browse("F0101", ["AN8"], page_size=40)]
    assert rows == list(range(1, 301))
    assert data_requests(seeded) == 1


def test_a_table_without_known_keys_yields_every_row_even_with_the_same_cells(
    emulator: AisEmulator,
) -> None:
    define_log_table(emulator, 5)
    with client_for(emulator) as ais:
        rows = list(ais.browse("F55LOG", ["ST"], page_size=2))
    assert rows == [{"ST": "OK"}] * 5


def test_a_table_without_known_keys_cannot_resume_a_broken_chain_and_names_table_keys(
    emulator: AisEmulator,
) -> None:
    define_log_table(emulator, 5)
    with client_for(emulator) as ais:
        chain = ais.browse("F55LOG", ["ST"], page_size=2)
        assert [next(chain), next(chain)] == [{"ST": "OK"}] * 2
        emulator.expire_result_sets()
        with pytest.raises(ResultSetExpiredError, match=r"after 2 rows .*table_keys=\{'F55LOG'"):
            next(chain)
    with client_for(emulator, table_keys={"F55LOG": ("UKID",)}) as ais:
        chain = ais.browse("F55LOG", ["ST"], page_size=2)
        rows = [next(chain), next(chain)]
        emulator.expire_result_sets()
        rows.extend(chain)
    assert [row["UKID"] for row in rows] == [1, 2, 3, 4, 5]


def test_a_table_without_known_keys_runs_again_when_nothing_was_yielded(emulator: AisEmulator) -> None:
    define_log_table(emulator, 5)
    emulator.faults.add(Fault(path="/jderest/v2/dataservice$", status=500, body=MSG347))
    with client_for(emulator) as ais:
        assert len(list(ais.browse("F55LOG", ["ST"], page_size=2))) == 5
    assert data_requests(emulator) == 2


def test_a_split_list_that_may_repeat_rows_of_a_table_without_known_keys_is_refused(
    emulator: AisEmulator,
) -> None:
    define_log_table(emulator, 5)
    where = Query.any(Condition("UKID", Operator.LIST, range(1, 8)), Condition("ST", Operator.EQUAL, "OK"))
    with client_for(emulator, list_chunk_size=3) as ais, pytest.raises(AisConfigError, match="table_keys"):
        next(ais.browse("F55LOG", ["ST"], where=where))
    assert data_requests(emulator) == 0


def test_changed_since_in_the_first_pass_of_the_repeated_hour_finds_rows_of_the_second_pass(
    clock: FakeClock,
) -> None:
    clock.now = datetime(2024, 11, 3, 6, 45, tzinfo=UTC)  # 01:45 CDT, the first pass in Chicago
    emulator = AisEmulator(clock=clock, timezone="America/Chicago")
    since = clock()
    clock.advance(minutes=25)  # 01:10 CST: later, but a smaller UPMT
    emulator.tables.insert("F0101", {"AN8": 7, "ALPH": "second pass"})
    with client_for(emulator, clock) as ais:
        rows = list(ais.browse("F0101", ["AN8"], where=ais.changed_since(since)))
    assert [row["AN8"] for row in rows] == [7]


@pytest.mark.parametrize(
    ("href", "path"),
    [
        ("http://ais-internal:9300/jderest/v2/dataservice/next?rid=1", "/ais/jderest/v2/dataservice/next"),
        ("https://gw.example.com/ais/jderest/v2/dataservice/next?rid=1", "/ais/jderest/v2/dataservice/next"),
        ("http://ais-internal:9300/e1/jderest/v2/dataservice/next?rid=1", "/ais/jderest/v2/dataservice/next"),
        ("http://ais-internal:9300/v2/next?rid=1", "/ais/v2/next"),
    ],
)
def test_next_links_keep_the_path_of_the_configured_base(href: str, path: str) -> None:
    assert _same_origin(href, "https://gw.example.com/ais") == f"https://gw.example.com{path}?rid=1"


def test_a_page_chain_through_a_gateway_path_reaches_its_last_page() -> None:
    first = {
        "fs_DATABROWSE_F0101": {
            "data": {"gridData": {"rowset": [{"F0101_AN8": 1}], "summary": {"moreRecords": True}}}
        },
        "links": [{"rel": "next", "href": "http://ais-internal:9300/jderest/v2/dataservice/next?rid=1"}],
    }
    last = {"fs_DATABROWSE_F0101": {"data": {"gridData": {"rowset": [{"F0101_AN8": 2}]}}}}
    fake = ScriptedAis((200, first), (200, last))
    with AisClient(
        "https://gw.example.com/ais",
        AisCredentials("JDE", "JDE"),
        transport=httpx.MockTransport(fake),
        retry=no_wait_retry(),
    ) as ais:
        assert [row["AN8"] for row in ais.browse("F0101")] == [1, 2]
    assert {request.url.path for request in fake.requests} == {
        "/ais/jderest/v2/tokenrequest",
        "/ais/jderest/v2/dataservice",
        "/ais/jderest/v2/dataservice/next",
        "/ais/jderest/v2/tokenrequest/logout",
    }
