"""Hostile input: every parser of remote data gives a valid model or a typed SdkError, never anything else.

Each parser is fed arbitrary bytes, arbitrary JSON, and mutations of the documented shape (keys dropped,
values of the wrong type, huge and deep values). Counts of what each parser made of its inputs are printed
with the chaos figures (``hostile:<parser>:<outcome>``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jde_zoho_sdk.errors import SdkError
from jde_zoho_sdk.jde import OrchestrationResult
from jde_zoho_sdk.jde._convert import TokenAnswer, structure_answer
from jde_zoho_sdk.jde.orchestrations import parse_discovery, parse_orchestration_answer
from jde_zoho_sdk.jde.rows import Page as AisPage
from jde_zoho_sdk.jde.rows import parse_page as parse_ais_page
from jde_zoho_sdk.sync import DefaultMapper, Entity, JdeAggregate, MappingContext
from jde_zoho_sdk.zoho import Notification, ZohoRecord, parse_notification
from jde_zoho_sdk.zoho._token import parse_token_answer
from jde_zoho_sdk.zoho.records import Page as ZohoPage
from jde_zoho_sdk.zoho.records import parse_deleted, parse_fields, parse_write_results
from jde_zoho_sdk.zoho.records import parse_page as parse_zoho_page
from tests.chaos.conftest import STATS

HOSTILE = settings(
    max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=30,
)


def mutations(example: Mapping[str, object]) -> st.SearchStrategy[dict[str, object]]:
    """The documented example with keys dropped and values replaced by anything."""
    keys = sorted(example)

    def mutate(drop: list[str], replace: dict[str, object]) -> dict[str, object]:
        out = {key: value for key, value in example.items() if key not in drop}
        out.update(replace)
        return out

    return st.builds(
        mutate,
        st.lists(st.sampled_from(keys), max_size=len(keys)),
        st.dictionaries(st.sampled_from(keys), json_values, max_size=3),
    )


def survive(parser: str, call: Callable[[], object], model: type | tuple[type, ...]) -> None:
    """Run a parser: a result must be the model, an error must be an SdkError."""
    try:
        result = call()
    except SdkError as error:
        STATS[f"hostile:{parser}:{type(error).__name__}"] += 1
        return
    assert isinstance(result, model), f"{parser} returned {type(result).__name__}"
    STATS[f"hostile:{parser}:parsed"] += 1


def as_bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value, default=str).encode()


bodies = st.one_of(st.binary(max_size=200), json_values.map(as_bytes))

AIS_PAGE: dict[str, object] = {
    "fs_DATABROWSE_F0101": {
        "title": "Data Browser - F0101",
        "data": {
            "gridData": {
                "id": 146,
                "columns": {"F0101_AN8": "Address Number"},
                "rowset": [{"F0101_AN8": 1, "F0101_ALPH": "Acme", "F0101_UPMJ": "20240131"}],
                "summary": {"records": 1, "moreRecords": True},
            }
        },
    },
    "links": [{"rel": "next", "href": "http://ais/jderest/v2/dataservice/next?token=044abc"}],
}
AIS_TOKEN: dict[str, object] = {
    "username": "JDE",
    "environment": "JDV920",
    "userInfo": {
        "token": "044abc",
        "simpleDateFormat": "MM/dd/yyyy",
        "dateFormat": "MDE",
        "addressNumber": 1,
    },
}
ORCHESTRATION: dict[str, object] = {
    "AddressNumber": 4242,
    "jde__status": "SUCCESS",
    "jde__serverExecutionSeconds": 2.31,
}
ZOHO_PAGE: dict[str, object] = {
    "data": [
        {"id": "3652397000009851001", "Account_Name": "X", "Modified_Time": "2020-07-31T21:23:35+05:30"}
    ],
    "info": {"per_page": 200, "count": 1, "page": 1, "more_records": False},
}
UPSERT: dict[str, object] = {
    "data": [
        {
            "code": "SUCCESS",
            "duplicate_field": None,
            "action": "insert",
            "details": {"id": "1"},
            "status": "success",
        }
    ]
}
NOTIFICATION: dict[str, object] = {
    "server_time": 1718117126473,
    "module": "Accounts",
    "ids": ["5725767000003000064"],
    "operation": "insert",
    "channel_id": "1000000068001",
    "token": "channel-token-1",
}
ZOHO_TOKEN: dict[str, object] = {
    "access_token": "1000.a.b",
    "api_domain": "https://www.zohoapis.com",
    "expires_in": 3600,
}


@HOSTILE
@given(st.one_of(bodies, mutations(AIS_PAGE).map(as_bytes)))
def test_ais_rowsets(content: bytes) -> None:
    survive("ais_page", lambda: parse_ais_page(content, "F0101"), AisPage)


@HOSTILE
@given(st.one_of(json_values, mutations(AIS_TOKEN), mutations(AIS_TOKEN).map(lambda t: {**t, "userInfo": t})))
def test_ais_token_answers(data: object) -> None:
    survive("ais_token", lambda: structure_answer(data, TokenAnswer, what="AIS token answer"), TokenAnswer)


@HOSTILE
@given(st.one_of(bodies, mutations(ORCHESTRATION).map(as_bytes)), st.sampled_from([200, 400, 444, 500]))
def test_orchestration_replies(content: bytes, status: int) -> None:
    survive("orchestration", lambda: parse_orchestration_answer("JZ_X", status, content), OrchestrationResult)


@HOSTILE
@given(bodies)
def test_orchestration_discovery(content: bytes) -> None:
    survive("discovery", lambda: parse_discovery(content), tuple)


@HOSTILE
@given(st.one_of(json_values, mutations(ZOHO_PAGE)))
def test_zoho_record_pages(body: object) -> None:
    survive("zoho_page", lambda: parse_zoho_page("Accounts", body), ZohoPage)


@HOSTILE
@given(st.one_of(json_values, mutations(UPSERT)), st.integers(0, 3))
def test_upsert_replies(body: object, count: int) -> None:
    survive("upsert", lambda: parse_write_results(body, start=0, count=count, action=None), list)


@HOSTILE
@given(json_values)
def test_field_metadata_and_deleted_lists(body: object) -> None:
    survive("fields", lambda: parse_fields("Accounts", body), list)
    survive("deleted", lambda: parse_deleted("Accounts", body), tuple)


@HOSTILE
@given(st.one_of(bodies, mutations(NOTIFICATION).map(as_bytes)))
def test_notification_bodies(content: bytes) -> None:
    survive("notification", lambda: parse_notification(content, "channel-token-1"), Notification)


@HOSTILE
@given(st.one_of(bodies, mutations(ZOHO_TOKEN).map(as_bytes)), st.sampled_from([200, 400, 500]))
def test_zoho_token_answers(content: bytes, status: int) -> None:
    response = httpx.Response(
        status, content=content, request=httpx.Request("POST", "https://accounts.zoho.com")
    )
    survive(
        "zoho_token",
        lambda: parse_token_answer(
            response, now=datetime.now(UTC), default_api_domain="https://www.zohoapis.com"
        ),
        tuple,
    )


MAPPER = DefaultMapper()
LINKED = MappingContext(parent_in_jde=lambda _m, _i: 4242, parent_in_zoho=lambda _n: ("Accounts", "1"))


@HOSTILE
@given(st.dictionaries(st.sampled_from(["Account_Name", "Email", "Credit_Limit", "Payment_Terms", "Billing_Street",
                                        "Billing_Country", "Credit_Hold", "Account_Name", "Tax_ID"]), json_values),
       st.sampled_from(list(Entity)))  # fmt: skip
def test_mapper_on_any_zoho_values(values: dict[str, object], entity: Entity) -> None:
    record = ZohoRecord(id="1", module="Accounts", modified_time=None, values=values)
    survive("map_zoho", lambda: MAPPER.from_zoho(entity, record, context=LINKED), object)


@HOSTILE
@given(st.dictionaries(st.sampled_from(["ALPH", "TAX", "ACL", "TRAR", "HOLD", "EMAL", "IDLN", "RCK7", "AN8"]),
                       st.one_of(json_values, st.decimals(allow_nan=True), st.just(Decimal("9e999")))))  # fmt: skip
def test_mapper_on_any_jde_rows(row: dict[str, object]) -> None:
    tables = {"F0101": (row,), "F03012": (row,), "F01151": (row,), "F0115": (row,), "F0116": (row,)}
    aggregate = JdeAggregate(entity=Entity.CUSTOMER, address_number=1, rows=tables)
    survive("map_jde", lambda: MAPPER.normalize(MAPPER.from_jde(aggregate), "zoho"), object)


def test_known_hostile_cases() -> None:
    """A few named cases, so the note can list them with their outcome."""
    cases: list[tuple[str, Callable[[], object]]] = [
        ("ais_page_not_json", lambda: parse_ais_page(b"<html>proxy error</html>", "F0101")),
        ("ais_page_deep_nesting", lambda: parse_ais_page(b"[" * 5000 + b"]" * 5000, "F0101")),
        ("ais_page_rowset_of_strings", lambda: parse_ais_page(json.dumps(
            {"fs_DATABROWSE_F0101": {"data": {"gridData": {"rowset": ["x"], "summary": {}}}}}).encode(), "F0101")),
        ("orchestration_error_without_http_error", lambda: parse_orchestration_answer(
            "JZ_X", 200, json.dumps({"jde__status": "ERROR", "message": {"x": {"errors": [{"CODE": "1"}]}}}).encode())),
        ("notification_huge_ids", lambda: parse_notification(json.dumps(
            {**NOTIFICATION, "ids": ["1"] * 100_000}).encode(), "channel-token-1")),
        ("notification_token_missing", lambda: parse_notification(json.dumps(
            {k: v for k, v in NOTIFICATION.items() if k != "token"}).encode(), "channel-token-1")),
        ("zoho_page_amount_1e400", lambda: parse_zoho_page("Accounts", {"data": [{"id": "1", "Credit_Limit": Decimal("1e400")}]})),
        ("mapper_amount_1e400", lambda: MAPPER.normalize(MAPPER.from_zoho(Entity.CUSTOMER, ZohoRecord(
            id="1", module="Accounts", modified_time=None, values={"Account_Name": "X", "Credit_Limit": Decimal("1e400")}),
            context=LINKED), "jde")),
    ]  # fmt: skip
    for name, call in cases:
        try:
            call()
            outcome = "parsed"
        except SdkError as error:
            outcome = type(error).__name__
        except RecursionError:
            pytest.fail(f"{name}: RecursionError escaped")
        STATS[f"hostile-case:{name}:{outcome}"] += 1
