"""Rows of GRID_DATA pages and the typed table models built from them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from jde_zoho_sdk.jde import (
    F0101,
    F0111,
    F03012,
    AisUnexpectedResponseError,
    AisValidationError,
    Row,
)
from jde_zoho_sdk.jde.errors import iter_form_errors
from jde_zoho_sdk.jde.rows import parse_page

# Oracle's example data request response (EOTJC example-data-request-response.html), with a links section.
DOCUMENTED_PAGE = {
    "fs_DATABROWSE_F0101": {
        "title": "Data Browser - F0101 [Address Book Master]",
        "data": {
            "gridData": {
                "id": 146,
                "fullGridId": "146",
                "columns": {
                    "F0101_AN8": "Address Number",
                    "F0101_ALPH": "Alpha Name",
                    "F0101_AT1": "Sch Typ",
                },
                "rowset": [
                    {"F0101_AT1": "O", "F0101_AN8": 1, "F0101_ALPH": "Financial/Distribution Company"},
                    {"F0101_AT1": "O", "F0101_AN8": 9, "F0101_ALPH": "Multi-Site Target Company"},
                ],
                "summary": {"records": 2, "moreRecords": True},
            }
        },
    },
    "links": [{"rel": "next", "href": "http://ais:9300/jderest/v2/dataservice/next?rid=48e4&token=044h%3D"}],
}


def page(rowset: list[dict[str, object]], *, table: str = "F0101", more: bool = False) -> bytes:
    body = {
        f"fs_DATABROWSE_{table}": {"data": {"gridData": {"rowset": rowset, "summary": {"moreRecords": more}}}}
    }
    return json.dumps(body).encode()


def test_documented_page_gives_rows_by_alias_and_the_next_link() -> None:
    parsed = parse_page(json.dumps(DOCUMENTED_PAGE), "F0101")
    assert parsed.more_records is True
    assert parsed.records == 2
    assert parsed.title == "Data Browser - F0101 [Address Book Master]"
    assert parsed.next_href is not None
    assert parsed.next_href.endswith("token=044h%3D")
    assert parsed.rows[0] == {"AT1": "O", "AN8": 1, "ALPH": "Financial/Distribution Company"}
    assert "next_href" not in repr(parsed)  # the link embeds the token


def test_amounts_are_exact_decimals_and_dates_are_dates() -> None:
    text = (
        b'{"fs_DATABROWSE_F03012":{"data":{"gridData":{"rowset":['
        b'{"F03012_AN8":4242,"F03012_ACL":12345678901234.56,"F03012_UPMJ":"20240201","F03012_DAOJ":""}]}}}}'
    )
    (row,) = parse_page(text, "F03012").rows
    assert row["ACL"] == Decimal("12345678901234.56")
    assert type(row["AN8"]) is int
    assert row["UPMJ"] == date(2024, 2, 1)
    assert row["DAOJ"] is None


def test_row_is_a_read_only_mapping_with_qualified_lookups() -> None:
    row = Row({"AN8": 4242, "ALPH": "Acme"})
    assert row["F0101.AN8"] == row["F0101_AN8"] == row["AN8"] == 4242
    assert "F0101.ALPH" in row
    assert row.get("TAX", "-") == "-"
    assert dict(row) == {"AN8": 4242, "ALPH": "Acme"}
    assert row == {"AN8": 4242, "ALPH": "Acme"}
    with pytest.raises(KeyError):
        row["TAX"]
    with pytest.raises(TypeError):
        row["AN8"] = 1  # type: ignore[index]
    copy = row.to_dict()
    copy["AN8"] = 1
    assert row["AN8"] == 4242


def test_form_errors_in_a_page_are_validation_errors() -> None:
    body = {"fs_DATABROWSE_F0101": {"errors": [{"CODE": "0018", "TITLE": "Invalid column"}], "data": {}}}
    with pytest.raises(AisValidationError, match=r"\[0018\] Invalid column"):
        parse_page(json.dumps(body), "F0101")


@pytest.mark.parametrize(
    "content",
    [b"<html>", b"[]", b'{"other": {}}', b'{"fs_DATABROWSE_F0101": {"data": {"gridData": {"rowset": {}}}}}'],
)
def test_answers_outside_the_documented_shape_are_reported(content: bytes) -> None:
    with pytest.raises(AisUnexpectedResponseError):
        parse_page(content, "F0101")


def test_a_bad_date_cell_names_its_column() -> None:
    with pytest.raises(AisUnexpectedResponseError, match="UPMJ"):
        parse_page(page([{"F0101_AN8": 1, "F0101_UPMJ": "yesterday"}]), "F0101")


def test_typed_customer_keeps_the_raw_row_and_reads_the_stamp_in_the_server_zone() -> None:
    (row,) = parse_page(
        page([
            {"F0101_AN8": 4242, "F0101_ALPH": "Acme   ", "F0101_AT1": "C", "F0101_ALKY": "5725767000003000064",
             "F0101_AC02": "NE", "F0101_UPMJ": "20241103", "F0101_UPMT": 13000}
        ]),
        "F0101",
    ).rows  # fmt: skip
    customer = F0101.from_row(row, "America/Chicago")
    assert customer.address_number == 4242
    assert customer.alpha_name == "Acme"
    assert customer.long_address_number == "5725767000003000064"
    assert customer.category_code_02 == "NE"
    assert customer.tax_id == ""
    assert customer.updated_at == datetime(2024, 11, 3, 6, 30, tzinfo=UTC)  # earlier of the repeated 01:30
    assert customer.raw["AC02"] == "NE"


def test_credit_limit_is_a_decimal() -> None:
    terms = F03012.from_row({"AN8": 1, "CO": "00000", "ACL": 1235, "UPMJ": None})
    assert terms.credit_limit == Decimal(1235)
    assert terms.updated_at is None
    assert F03012.from_row({"AN8": 1, "ACL": "12.50"}).credit_limit == Decimal("12.50")


def test_who_is_who_columns() -> None:
    line = F0111.from_row(
        {
            "AN8": 7,
            "IDLN": 2,
            "MLNM": "Ann Lee",
            "GNNM": "Ann",
            "SRNM": "Lee",
            "ATTL": "Buyer",
            "REM1": "z-9",
            "TYC": "C",
        }
    )
    assert (line.line_number, line.given_name, line.surname, line.contact_title, line.remark) == (
        2, "Ann", "Lee", "Buyer", "z-9",
    )  # fmt: skip


def test_model_columns_start_with_the_key() -> None:
    assert F0111.columns()[:2] == ("AN8", "IDLN")
    assert {"UPMJ", "UPMT", "USER"} <= set(F0101.columns())


def test_bad_number_cells_are_value_errors() -> None:
    with pytest.raises(ValueError, match="not a number"):
        F0101.from_row({"AN8": [1]})


def test_form_errors_are_found_however_deep_the_body_nests() -> None:
    deep: object = {"errors": [{"CODE": "0052", "TITLE": "Error: Business Unit Invalid"}]}
    for _ in range(5000):
        deep = {"step": [deep]}
    assert [e.code for e in iter_form_errors({"sysErrors": [{"TITLE": "JAS_MSG347"}], "message": deep})] == [
        "",
        "0052",
    ]
