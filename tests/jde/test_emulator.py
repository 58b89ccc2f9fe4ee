"""The AIS emulator at the wire: status codes, bodies, sessions, data service rules and the tables API."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import cast

import httpx
import pytest

from jde_zoho_sdk.jde import AisClient, Condition, Operator, Query
from jde_zoho_sdk.testing.ais import AisEmulator, Column, ColumnRuleError, Fault, TableDef
from tests.jde.conftest import BASE, FakeClock, client_for


def raw(emulator: AisEmulator) -> httpx.Client:
    return httpx.Client(base_url=BASE, transport=emulator.transport())


def login(http: httpx.Client, device: str = "tests") -> str:
    answer = http.post(
        "/jderest/v2/tokenrequest", json={"username": "jde", "password": "JDE", "deviceName": device}
    )
    assert answer.status_code == 200
    return cast(str, answer.json()["userInfo"]["token"])


def browse(http: httpx.Client, token: str, device: str = "tests", **request: object) -> httpx.Response:
    body = {"targetName": "F0101", "targetType": "table", "dataServiceType": "BROWSE", **request}
    return http.post(
        "/jderest/v2/dataservice", json=body, headers={"jde-AIS-Auth": token, "jde-AIS-Auth-Device": device}
    )


def grid(answer: httpx.Response, table: str = "F0101") -> dict[str, object]:
    return cast(dict[str, object], answer.json()[f"fs_DATABROWSE_{table}"]["data"]["gridData"])


@pytest.fixture
def seeded(emulator: AisEmulator) -> AisEmulator:
    emulator.tables.insert_many(
        "F0101",
        (
            {
                "AN8": n,
                "ALPH": f"Customer {n:03d}",
                "AT1": "C" if n % 2 else "V",
                "TAX": f"T{n}" if n % 5 else "",
            }
            for n in range(1, 251)
        ),
    )
    return emulator


def test_token_answer_has_the_documented_shape(emulator: AisEmulator) -> None:
    with raw(emulator) as http:
        body = http.post("/jderest/v2/tokenrequest", json={"username": "JDE", "password": "JDE"}).json()
    assert body["userInfo"]["token"].startswith("044")
    assert body["userInfo"]["dateFormat"] == "MDE"
    assert body["userInfo"]["simpleDateFormat"] == "MM/dd/yyyy"
    assert body["userInfo"]["dateSeperator"] == "/"
    assert {"username", "environment", "role", "aisSessionCookie", "userAuthorized"} <= set(body)


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "JDE", "password": "wrong"},
        {"username": "NOBODY", "password": "JDE"},
        {"username": "JDE", "password": "JDE", "environment": "JPY920"},
        {"username": "JDE", "password": "JDE", "role": "ACCOUNTING"},
    ],
)
def test_bad_credentials_answer_403(emulator: AisEmulator, credentials: dict[str, str]) -> None:
    with raw(emulator) as http:
        answer = http.post("/jderest/v2/tokenrequest", json=credentials)
    assert answer.status_code == 403
    assert answer.json()["message"] == "Authorization Failure"


def test_basic_authorization_header_login(emulator: AisEmulator) -> None:
    with raw(emulator) as http:
        answer = http.post(
            "/jderest/v2/tokenrequest",
            auth=("JDE", "JDE"),
            headers={"jde-AIS-Auth-Device": "Postman"},
            json={},
        )
    assert answer.status_code == 200
    assert emulator.sessions()[0].device_name == "Postman"


def test_wrong_content_type_is_415(emulator: AisEmulator) -> None:
    with raw(emulator) as http:
        answer = http.post(
            "/jderest/v2/tokenrequest", content=b"username=JDE", headers={"Content-Type": "text/plain"}
        )
    assert answer.status_code == 415
    assert "application/json" in answer.json()["message"]


def test_invalid_json_is_400(emulator: AisEmulator) -> None:
    with raw(emulator) as http:
        answer = http.post(
            "/jderest/v2/tokenrequest", content=b"{nope", headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 400


def test_token_is_bound_to_its_device(seeded: AisEmulator) -> None:
    with raw(seeded) as http:
        token = login(http, "laptop")
        assert browse(http, token, "laptop").status_code == 200
        stolen = browse(http, token, "phone")
        assert stolen.status_code == 444
        assert stolen.json()["message"] == "Invalid Token"
        assert set(stolen.json()) == {"message", "exception", "timeStamp"}
        assert browse(http, "044forged", "laptop").status_code == 444


def test_sessions_end_after_idle_timeout_and_time_to_live(seeded: AisEmulator, clock: FakeClock) -> None:
    with raw(seeded) as http:
        token = login(http)
        clock.advance(minutes=29)
        assert browse(http, token).status_code == 200  # use refreshes the idle timer
        clock.advance(minutes=29)
        assert browse(http, token).status_code == 200
        clock.advance(minutes=30)
        assert browse(http, token).status_code == 444
        token = login(http)
        for _ in range(25):  # busy, never idle, but past the 12 h time to live
            clock.advance(minutes=29)
            status = browse(http, token).status_code
        assert status == 444


def test_validate_and_logout(emulator: AisEmulator) -> None:
    with raw(emulator) as http:
        token = login(http)
        headers = {"jde-AIS-Auth-Device": "tests"}
        assert http.post(
            "/jderest/v2/tokenrequest/validate", json={"token": token}, headers=headers
        ).json() == {"isValidSession": True}
        assert http.post("/jderest/v2/tokenrequest/logout", json={"token": token}).json() == {
            "status": "Success"
        }
        assert http.post("/jderest/v2/tokenrequest/logout", json={"token": token}).status_code == 444


def test_default_page_size_is_100_and_no_max_returns_everything(seeded: AisEmulator) -> None:
    with raw(seeded) as http:
        token = login(http)
        default = browse(http, token, enableNextPageProcessing=True)
        assert len(grid(default)["rowset"]) == 100  # type: ignore[arg-type]
        assert grid(default)["summary"] == {"records": 100, "moreRecords": True}
        assert default.json()["links"][0]["rel"] == "next"
        everything = browse(http, token, maxPageSize="No Max", enableNextPageProcessing=True)
        assert len(grid(everything)["rowset"]) == 250  # type: ignore[arg-type]
        assert "links" not in everything.json()
        no_links = browse(http, token, maxPageSize="10")
        assert grid(no_links)["summary"] == {"records": 10, "moreRecords": True}
        assert "links" not in no_links.json()  # no next-page processing asked


def test_next_link_embeds_the_token_and_pages_on_to_the_end(seeded: AisEmulator) -> None:
    with raw(seeded) as http:
        token = login(http)
        page = browse(
            http, token, maxPageSize="100", enableNextPageProcessing=True, returnControlIDs="F0101.AN8"
        )
        seen = [row["F0101_AN8"] for row in grid(page)["rowset"]]  # type: ignore[attr-defined]
        while "links" in page.json():
            href = page.json()["links"][0]["href"]
            assert "token=044" in href
            assert href.startswith(f"{BASE}/jderest/v2/dataservice/next?")
            page = http.post(href, json={}, headers={"jde-AIS-Auth-Device": "tests"})
            seen += [row["F0101_AN8"] for row in grid(page)["rowset"]]  # type: ignore[attr-defined]
    assert seen == list(range(1, 251))


def test_expired_result_set_answers_jas_msg347(seeded: AisEmulator) -> None:
    with raw(seeded) as http:
        token = login(http)
        page = browse(http, token, enableNextPageProcessing=True)
        seeded.expire_result_sets()
        answer = http.post(page.json()["links"][0]["href"], json={}, headers={"jde-AIS-Auth-Device": "tests"})
    assert answer.status_code == 500
    assert answer.json()["sysErrors"][0]["TITLE"].startswith("JAS_MSG347")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Condition("AN8", Operator.EQUAL, 7), [7]),
        (Condition("AN8", Operator.NOT_EQUAL, 7), [n for n in range(1, 13) if n != 7]),
        (Condition("AN8", Operator.LESS, 3), [1, 2]),
        (Condition("AN8", Operator.LESS_EQUAL, 3), [1, 2, 3]),
        (Condition("AN8", Operator.GREATER, 10), [11, 12]),
        (Condition("AN8", Operator.GREATER_EQUAL, 10), [10, 11, 12]),
        (Condition("AN8", Operator.BETWEEN, [4, 6]), [4, 5, 6]),
        (Condition("AN8", Operator.LIST, [9, 2, 5]), [2, 5, 9]),
        (Condition("ALPH", Operator.STR_START_WITH, "Customer 01"), [10, 11, 12]),
        (Condition("ALPH", Operator.STR_END_WITH, "07"), [7]),
        (Condition("ALPH", Operator.STR_CONTAIN, "r 00"), list(range(1, 10))),
        (Condition("TAX", Operator.STR_BLANK), [5, 10]),
        (Condition("TAX", Operator.STR_NOT_BLANK), [n for n in range(1, 13) if n % 5]),
    ],
)
def test_every_documented_operator(emulator: AisEmulator, condition: Condition, expected: list[int]) -> None:
    emulator.tables.insert_many(
        "F0101",
        ({"AN8": n, "ALPH": f"Customer {n:03d}", "TAX": f"T{n}" if n % 5 else ""} for n in range(1, 13)),
    )
    with client_for(emulator) as ais:
        assert [row["AN8"] for row in ais.browse("F0101", ["AN8"], where=condition)] == expected


def test_match_any_and_nested_queries(seeded: AisEmulator) -> None:
    where = Query.any(
        Condition("AN8", Operator.LESS, 3),
        Query.all(Condition("AN8", Operator.GREATER, 240), Condition("AT1", Operator.EQUAL, "V")),
    )
    with client_for(seeded) as ais:
        assert [row["AN8"] for row in ais.browse("F0101", ["AN8"], where=where)] == [
            1,
            2,
            242,
            244,
            246,
            248,
            250,
        ]


def test_dates_in_the_user_format_and_yyyymmdd(emulator: AisEmulator) -> None:
    emulator.tables.insert("F0101", {"AN8": 1, "ALPH": "Old", "UPMJ": date(2024, 1, 31), "UPMT": 80000})
    emulator.tables.insert("F0101", {"AN8": 2, "ALPH": "New", "UPMJ": date(2024, 2, 1), "UPMT": 80000})
    with raw(emulator) as http:
        token = login(http)
        for text in ("02/01/2024", "20240201"):
            query = {"condition": [{"controlId": "F0101.UPMJ", "operator": "GREATER_EQUAL",
                                    "value": [{"content": text, "specialValueId": "LITERAL"}]}]}  # fmt: skip
            rows = grid(browse(http, token, query=query))["rowset"]
            assert [row["F0101_AN8"] for row in rows] == [2]  # type: ignore[attr-defined]
            assert rows[0]["F0101_UPMJ"] == "20240201"  # type: ignore[index]


def test_order_by_descending_and_by_another_column(seeded: AisEmulator) -> None:
    with client_for(seeded) as ais:
        top = ais.browse("F0101", ["AN8"], order_by=["-AN8"], page_size=7)
        assert [row["AN8"] for row, _ in zip(top, range(3), strict=False)] == [250, 249, 248]
        by_type = [row["AT1"] for row in ais.browse("F0101", ["AT1"], order_by=["-AT1"])]
        assert by_type == ["V"] * 125 + ["C"] * 125


def test_unknown_column_is_a_400_the_client_reports(seeded: AisEmulator) -> None:
    with raw(seeded) as http:
        answer = browse(http, login(http), returnControlIDs="F0101.NOPE")
    assert answer.status_code == 400
    assert "NOPE" in answer.json()["message"]


def test_writes_apply_column_rules_and_stamp_in_the_server_zone(emulator: AisEmulator) -> None:
    row = emulator.tables.insert(
        "F0101", {"ALPH": "A" * 45, "AT1": "c", "TAX": 123456789}
    )  # clock: 2024-07-01 14:30 UTC = 09:30 CDT
    assert row["ALPH"] == "A" * 40
    assert row["AT1"] == "C"
    assert row["TAX"] == "123456789"
    assert (row["UPMJ"], row["UPMT"]) == (date(2024, 7, 1), 93000)
    terms = emulator.tables.insert("F03012", {"AN8": row["AN8"], "CO": "00000", "ACL": Decimal("1234.56")})
    assert terms["ACL"] == 1235
    with pytest.raises(ColumnRuleError, match="digits"):
        emulator.tables.insert("F03012", {"AN8": 1, "CO": "00001", "ACL": 10**15})
    with pytest.raises(ColumnRuleError, match="not a number"):
        emulator.tables.update("F03012", {"AN8": row["AN8"], "CO": "00000"}, {"ACL": "lots"})


def test_tables_api(emulator: AisEmulator, clock: FakeClock) -> None:
    tables = emulator.tables
    first = tables.insert("F0101", {"ALPH": "First"})["AN8"]
    assert first == 1001
    assert tables.next_number() == 1002
    tables.insert("F0101", {"AN8": 5000, "ALPH": "Explicit"})
    assert tables.insert("F0101", {"ALPH": "After"})["AN8"] == 5001
    clock.advance(hours=1)
    changed = tables.update("F0101", {"AN8": 5000}, {"ALPH": "Renamed"})
    assert (changed["ALPH"], changed["UPMT"]) == ("Renamed", 103000)
    assert [r["AN8"] for r in tables.rows("F0101", ALPH="Renamed")] == [5000]
    assert tables.delete("F0101", {"AN8": 5000}) is True
    assert tables.get("F0101", {"AN8": 5000}) is None
    with pytest.raises(KeyError, match="already"):
        tables.insert("F0101", {"AN8": first, "ALPH": "Twin"})
    with pytest.raises(KeyError, match="no table"):
        tables.rows("F9999")


def test_custom_table_amounts_keep_their_decimals(emulator: AisEmulator) -> None:
    emulator.tables.define(
        TableDef.build(
            "F55INV",
            "Invoices",
            ("DOC",),
            (
                Column(alias="DOC", kind="number", length=8),
                Column(alias="AAP", kind="number", length=15, decimals=2),
            ),
        )
    )
    emulator.tables.insert_many(
        "F55INV", ({"DOC": n, "AAP": Decimal("1234567890123.45") + n} for n in range(3))
    )
    with client_for(emulator, table_keys={"F55INV": ("DOC",)}) as ais:
        rows = list(ais.browse("F55INV", page_size=2))
    assert [row["AAP"] for row in rows] == [Decimal("1234567890123.45"), Decimal("1234567890124.45"),
                                           Decimal("1234567890125.45")]  # fmt: skip


def test_faults_are_injected_before_the_answer_and_the_client_retries(seeded: AisEmulator) -> None:
    seeded.faults.add(Fault(path="/jderest/v2/dataservice$", status=503, times=2))
    with client_for(seeded) as ais:
        assert len(list(ais.browse("F0101", ["AN8"], where=Condition("AN8", Operator.LESS, 4)))) == 3
    assert [r.status for r in seeded.request_log if r.path == "/jderest/v2/dataservice"] == [503, 503, 200]


def test_request_log_keeps_no_secret(seeded: AisEmulator) -> None:
    with client_for(seeded) as ais:
        list(ais.browse("F0101", ["AN8"], page_size=100))
        token = seeded.sessions()[0].token
    assert all("?" not in record.path for record in seeded.request_log)
    assert token not in repr(seeded.request_log)
    assert token not in repr(seeded.sessions())


def test_defaultconfig_reports_the_session_timeouts(emulator: AisEmulator) -> None:
    with raw(emulator) as http:
        assert http.get("/jderest/defaultconfig").json() == {"sessionTimeout": "30", "timeToLive": "720"}


def test_client_session_date_format_follows_the_emulator(emulator: AisEmulator) -> None:
    dme = AisEmulator(date_format="DME", clock=FakeClock())
    dme.tables.insert("F0101", {"AN8": 3, "UPMJ": date(2024, 2, 1)})
    with client_for(dme) as ais:
        assert ais.session.date_format.pattern == "dd/MM/yyyy"
        rows = list(ais.browse("F0101", ["AN8"], where=Condition("UPMJ", Operator.EQUAL, date(2024, 2, 1))))
    assert [row["AN8"] for row in rows] == [3]
    assert isinstance(ais, AisClient)


def test_latency_is_waited_by_concurrent_calls_together_outside_the_emulators_lock() -> None:
    together = threading.Barrier(2, timeout=5)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        together.wait()  # both calls inside their latency at once, or this times out

    emulator = AisEmulator(latency=0.25, sleep=sleep)
    with raw(emulator) as http, ThreadPoolExecutor(2) as pool:
        tokens = list(pool.map(lambda device: login(http, device), ["one", "two"]))
    assert len(set(tokens)) == 2
    assert waits == [0.25, 0.25]
    assert emulator.peak_concurrency == 2
    emulator.latency = 0
    with raw(emulator) as http:
        login(http)
    assert len(waits) == 2
