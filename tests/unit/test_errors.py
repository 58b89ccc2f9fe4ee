"""The exception tree: meanings, messages that say what to do next, and status mapping."""

from __future__ import annotations

import pytest

from jde_zoho_sdk.errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    MappingError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    SdkError,
    ServerError,
    TransportError,
    ValidationError,
    error_class_for_status,
)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, ValidationError),
        (429, RateLimitedError),
        (500, ServerError),
        (503, ServerError),
        (418, ApiError),
    ],
)
def test_status_mapping(status: int, cls: type[ApiError]) -> None:
    assert error_class_for_status(status) is cls


def test_every_error_is_an_sdk_error() -> None:
    for cls in (ApiError, TransportError, ConfigError, MappingError, RateLimitedError):
        assert issubclass(cls, SdkError)


def test_api_error_message_names_code_request_and_next_step() -> None:
    error = AuthenticationError(
        "invalid oauth token",
        status=401,
        code="INVALID_TOKEN",
        method="GET",
        url="https://www.zohoapis.com/crm/v8/Accounts",
    )
    text = str(error)
    assert text.startswith(
        "[INVALID_TOKEN] invalid oauth token (GET https://www.zohoapis.com/crm/v8/Accounts -> HTTP 401)"
    )
    assert "check the credentials" in text


def test_rate_limited_carries_retry_after() -> None:
    error = RateLimitedError("slow down", retry_after=12.0)
    assert error.retry_after == 12.0
    assert error.status == 429
    assert "concurrency" in str(error)


def test_details_are_read_only() -> None:
    error = ValidationError("bad", details={"api_name": "Email"})
    assert error.details["api_name"] == "Email"
    with pytest.raises(TypeError):
        error.details["api_name"] = "x"  # type: ignore[index]


def test_config_error_names_the_setting() -> None:
    error = ConfigError("unknown region 'mars'", path="zoho.region", hint="use one of us, eu, in")
    assert str(error) == "zoho.region: unknown region 'mars'; use one of us, eu, in"
    assert error.path == "zoho.region"


def test_mapping_error_names_record_and_field() -> None:
    error = MappingError(
        "no Zoho value for payment terms 'N99'", field="payment_terms", record_key="jde:4242"
    )
    assert str(error) == "jde:4242, field 'payment_terms': no Zoho value for payment terms 'N99'"
