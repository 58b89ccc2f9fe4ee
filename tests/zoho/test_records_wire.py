"""Records on the wire: pages parsed with exact decimals and aware datetimes, write bodies encoded exactly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jde_zoho_sdk import MappingError, SdkError
from jde_zoho_sdk.zoho import criterion
from jde_zoho_sdk.zoho._convert import dumps, loads
from jde_zoho_sdk.zoho.errors import ZohoUnexpectedResponseError
from jde_zoho_sdk.zoho.records import Page, parse_fields, parse_page, parse_write_results, write_body

PAGE = b"""{
  "data": [
    {"id": "4150868000000002175", "Account_Name": "Zylker", "Credit_Limit": 12345678901.23, "Employees": 40,
     "Owner": {"name": "Patricia Boyle", "id": "4150868000000225013", "email": "p@example.com"},
     "Credit_Hold": false, "Modified_Time": "2023-10-15T14:20:00+05:30"},
    {"id": 4150868000000002176, "Account_Name": null, "Modified_Time": null}
  ],
  "info": {"call": false, "per_page": 2, "next_page_token": "c8582xx9e7c7", "count": 2, "sort_by": "id", "page": 1,
           "previous_page_token": null, "page_token_expiry": "2022-11-11T15:08:14+05:30", "sort_order": "desc",
           "email": false, "more_records": true}
}"""


def test_a_page_keeps_money_exact_and_times_aware() -> None:
    page = parse_page("Accounts", loads(PAGE))
    first, second = page.records
    assert first.get("Credit_Limit") == Decimal("12345678901.23")
    assert type(first.get("Employees")) is int
    assert first.modified_time == datetime(2023, 10, 15, 8, 50, tzinfo=UTC)
    assert first.modified_time.utcoffset() == timedelta(hours=5, minutes=30)
    assert first.module == "Accounts"
    assert second.id == "4150868000000002176"
    assert second.modified_time is None
    assert page.info.more_records is True
    assert page.info.next_page_token == "c8582xx9e7c7"
    assert page.info.page_token_expiry == datetime(
        2022, 11, 11, 15, 8, 14, tzinfo=timezone(timedelta(hours=5, minutes=30))
    )
    assert page.info.extra == {"call": False, "previous_page_token": None, "email": False}


def test_record_values_cannot_be_changed_through_the_record() -> None:
    record = parse_page("Accounts", loads(PAGE)).records[0]
    with pytest.raises(TypeError):
        record.values["Account_Name"] = "changed"  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"info": {}}, "has no data array"),
        ({"data": [["not", "an", "object"]]}, "not a JSON object"),
        ({"data": [{"Account_Name": "no id"}]}, "has no id"),
        ({"data": [{"id": "1", "Modified_Time": "2023-10-15T14:20:00"}]}, "no UTC offset"),
        ({"data": [{"id": "1", "Modified_Time": 1697359800}]}, "Modified_Time"),
        ({"data": [], "info": {"more_records": "yes"}}, "$.more_records"),
    ],
)
def test_a_page_outside_the_documented_shape_is_a_typed_error(body: object, message: str) -> None:
    with pytest.raises(ZohoUnexpectedResponseError, match=message.replace("$", r"\$")):
        parse_page("Accounts", body)


def test_write_body_sends_decimals_with_exactly_their_digits() -> None:
    body = write_body(
        "Accounts",
        [
            {
                "Credit_Limit": Decimal("1234.50"),
                "Annual_Revenue": Decimal("10.00"),
                "Big": Decimal("123456789012.34"),
                "Since": datetime(2024, 6, 5, 10, 0, 30, 123456, tzinfo=timezone(timedelta(hours=-7))),
                "Born": date(2024, 6, 5),
                "Account_Name": "Zylker",
                "Parent_Account": {"id": "1"},
            }
        ],
        trigger=(),
        duplicate_check_fields=["JDE_Address_Number", "Tax_ID"],
    )
    assert b'"Credit_Limit":1234.5,' in body
    assert b'"Annual_Revenue":10,' in body
    assert b'"Big":123456789012.34,' in body
    assert b'"Since":"2024-06-05T10:00:30-07:00"' in body
    decoded = json.loads(body)
    assert decoded["trigger"] == []
    assert decoded["duplicate_check_fields"] == ["JDE_Address_Number", "Tax_ID"]
    assert decoded["data"][0]["Born"] == "2024-06-05"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (Decimal("12345678901234567.89"), "more significant digits"),
        (Decimal("NaN"), "not a number"),
        (datetime(2024, 6, 5, 10, 0), "timezone-aware"),
        (object(), "cannot be sent"),
    ],
)
def test_a_value_that_cannot_be_sent_names_its_field_and_record(value: object, problem: str) -> None:
    rows: list[dict[str, object]] = [
        {"Account_Name": "fine"},
        {"Account_Name": "also fine", "Credit_Limit": value},
    ]
    with pytest.raises(MappingError) as caught:
        write_body("Accounts", rows, trigger=())
    assert caught.value.field == "Credit_Limit"
    assert caught.value.record_key == "zoho:Accounts:#1"
    assert problem in str(caught.value)


def test_mixed_write_results_come_back_in_input_order_with_the_field_at_fault() -> None:
    answer = {
        "data": [
            {
                "code": "SUCCESS",
                "duplicate_field": "Email",
                "action": "update",
                "details": {"Modified_Time": "2020-10-14T10:31:43+05:30", "id": "4150868000000376008"},
                "message": "record updated",
                "status": "success",
            },
            {
                "code": "INVALID_DATA",
                "details": {
                    "expected_data_type": "text",
                    "api_name": "Company",
                    "json_path": "$.data[1].Company",
                },
                "message": "invalid data",
                "status": "error",
            },
        ]
    }
    first, second = parse_write_results(answer, start=100, count=2, action=None)
    assert (first.index, first.action, first.id, first.duplicate_field, first.ok) == (
        100,
        "update",
        "4150868000000376008",
        "Email",
        True,
    )
    assert first.modified_time == datetime(2020, 10, 14, 5, 1, 43, tzinfo=UTC)
    assert second.index == 101
    assert not second.ok
    assert second.error is not None
    assert (second.error.code, second.error.api_name, second.error.json_path) == (
        "INVALID_DATA",
        "Company",
        "$.data[1].Company",
    )
    assert second.error.details["expected_data_type"] == "text"


def test_insert_results_without_an_action_take_the_call_s_action() -> None:
    answer = {
        "data": [{"code": "SUCCESS", "details": {"id": "9"}, "message": "record added", "status": "success"}]
    }
    (result,) = parse_write_results(answer, start=0, count=1, action="insert")
    assert result.action == "insert"


def test_a_write_answer_with_the_wrong_number_of_results_is_refused() -> None:
    with pytest.raises(ZohoUnexpectedResponseError, match="holds 1 results for 2 records"):
        parse_write_results({"data": [{"status": "success"}]}, start=0, count=2, action=None)


def test_field_metadata_keeps_uniqueness_picklists_and_unknown_keys() -> None:
    body = {
        "fields": [
            {
                "api_name": "Payment_Terms",
                "data_type": "picklist",
                "unique": {},
                "pick_list_values": [{"display_value": "Net 30", "actual_value": "Net_30", "id": "7"}],
                "ui_type": 2,
            },
            {
                "api_name": "Tax_ID",
                "data_type": "text",
                "length": 30,
                "unique": {"casesensitive": False},
                "custom_field": True,
            },
        ]
    }
    terms, tax = parse_fields("Accounts", body)
    assert terms.picklist == ("Net_30",)
    assert not terms.is_unique
    assert terms.extra == {"ui_type": 2}
    assert terms.pick_list_values[0].extra == {"id": "7"}
    assert tax.is_unique
    assert tax.length == 30


def test_criteria_values_are_escaped() -> None:
    assert (
        criterion("Account_Name", "equals", "Smith (UK), Ltd") == r"(Account_Name:equals:Smith \(UK\)\, Ltd)"
    )
    assert criterion("Credit_Hold", "equals", True) == "(Credit_Hold:equals:true)"
    assert criterion("Tax_ID", "in", ["A,1", "B2"]) == r"(Tax_ID:in:A\,1,B2)"
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (
        criterion("Modified_Time", "greater_than", moment)
        == "(Modified_Time:greater_than:2024-01-02T03:04:05+00:00)"
    )


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
RECORD_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=20), st.integers(), st.none(), st.booleans()),
        "Modified_Time": st.one_of(
            st.text(max_size=30), st.datetimes(timezones=st.timezones()).map(datetime.isoformat), st.none()
        ),
        "Account_Name": JSON,
    },
)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"data": st.lists(st.one_of(RECORD_LIKE, JSON), max_size=5)}, optional={"info": JSON}
        ),
    )
)
def test_any_json_parses_to_a_page_or_a_typed_error(body: object) -> None:
    try:
        page = parse_page("Accounts", body)
    except SdkError:
        return
    assert isinstance(page, Page)
    for record in page.records:
        assert isinstance(record.id, str)
        assert record.modified_time is None or record.modified_time.utcoffset() is not None


VALUES = st.dictionaries(
    st.text(min_size=1, max_size=15),
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.text(max_size=30)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**12), max_value=10**12),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUES, max_size=5))
def test_write_bodies_decode_to_exactly_the_values_given(rows: list[dict[str, object]]) -> None:
    decoded = loads(write_body("Accounts", rows, trigger=()))
    assert isinstance(decoded, dict)
    assert decoded["data"] == rows


def test_dumps_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        dumps({"x": {1, 2}})
