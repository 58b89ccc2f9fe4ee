"""Wire conversion: renames, unknown keys kept, readable structuring errors."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import pytest

from jde_zoho_sdk._wire import make_converter, structure, wire_field
from jde_zoho_sdk.errors import SdkError, UnexpectedResponseError


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


def test_caller_chooses_the_error_class() -> None:
    class AisBadAnswerError(SdkError):
        pass

    with pytest.raises(AisBadAnswerError):
        structure(converter, "nonsense", Page, what="page", error=AisBadAnswerError)
