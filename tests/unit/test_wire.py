"""Wire conversion: renames, unknown keys kept, readable structuring errors."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import pytest

from jde_zoho_sdk._wire import make_converter, structure, wire_field
from jde_zoho_sdk.errors import SdkError, UnexpectedResponseError
from jde_zoho_sdk.jde._convert import TokenAnswer
from jde_zoho_sdk.jde._convert import converter as jde_converter


@attrs.frozen
class Summary:
    records: int
    more_records: bool = wire_field("moreRecords", default=False)
    extra: Mapping[str, object] = attrs.field(factory=dict)


@attrs.frozen
class Page:
    summary: Summary
    title: str = ""


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


converter = make_converter()


def test_wire_names_and_unknown_keys_round_trip() -> None:
    data = {"summary": {"records": 3, "moreRecords": True, "nextToken": "x"}, "title": "t"}
    page = structure(converter, data, Page, what="page")
    assert page.summary == Summary(records=3, more_records=True, extra={"nextToken": "x"})
    assert converter.unstructure(page) == data


def test_default_key_function_applies_to_plain_fields() -> None:
    @attrs.frozen
    class Token:
        user_name: str
        device_name: str = wire_field("deviceName")

    camel_converter = make_converter(key=camel)
    token = structure(camel_converter, {"userName": "JDE", "deviceName": "d"}, Token, what="token")
    assert token == Token(user_name="JDE", device_name="d")


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"summary": {"records": "many"}}, "$.summary.records"),
        ({"summary": []}, "$.summary"),
        ({}, "$.summary"),
    ],
)
def test_bad_shapes_name_the_path(data: object, path: str) -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        structure(converter, data, Page, what="AIS page")
    assert "AIS page does not match the documented shape" in str(caught.value)
    assert path in str(caught.value)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"summary": {"records": "many"}}, "expected an integer @ $.summary.records"),
        ({"summary": 7}, "expected a JSON object @ $.summary"),
        ({"summary": {"moreRecords": True}}, "required field missing @ $.summary.records"),
    ],
)
def test_bad_values_are_named_by_their_wire_path_and_json_kind(data: object, problem: str) -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        structure(converter, data, Page, what="AIS page")
    assert problem in str(caught.value)


def test_a_derived_wire_key_names_the_path_too() -> None:
    @attrs.frozen
    class Token:
        user_name: str
        expires_in: int | None = None

    with pytest.raises(UnexpectedResponseError) as caught:
        structure(make_converter(key=camel), {"userName": "a", "expiresIn": "soon"}, Token, what="token")
    assert "expected an integer or null @ $.expiresIn" in str(caught.value)


def test_a_bad_token_answer_names_userinfo_token_not_the_python_names() -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        structure(jde_converter, {"userInfo": {"token": ""}}, TokenAnswer, what="AIS token answer")
    assert "expected a non-empty string @ $.userInfo.token" in str(caught.value)
    assert "user_info" not in str(caught.value)
    assert "Secret" not in str(caught.value)


def test_caller_chooses_the_error_class() -> None:
    class AisBadAnswerError(SdkError):
        pass

    with pytest.raises(AisBadAnswerError):
        structure(converter, "nonsense", Page, what="page", error=AisBadAnswerError)
