"""Regions accept only their own API hosts; Zoho's error envelope maps onto the typed error tree."""

from __future__ import annotations

import pytest

from jde_zoho_sdk import ApiError, NotFoundError, RateLimitedError, ServerError, ValidationError
from jde_zoho_sdk.zoho import (
    ApiCreditsExhaustedError,
    DuplicateDataError,
    InvalidDataError,
    LimitExceededError,
    MandatoryNotFoundError,
    PaginationLimitError,
    Region,
    ZohoApiError,
    ZohoAuthenticationError,
    ZohoClient,
    ZohoConfigError,
    ZohoError,
    ZohoNotFoundError,
    ZohoOAuth,
    ZohoPermissionError,
    ZohoRateLimitedError,
    ZohoServerError,
    ZohoValidationError,
)
from jde_zoho_sdk.zoho.errors import error_from_envelope


@pytest.mark.parametrize(
    ("region", "accounts", "api"),
    [
        (Region.US, "https://accounts.zoho.com", "https://www.zohoapis.com"),
        (Region.EU, "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
        (Region.IN, "https://accounts.zoho.in", "https://www.zohoapis.in"),
        (Region.AU, "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
        (Region.JP, "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
        (Region.CA, "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
        (Region.CN, "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
        (Region.SA, "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
        (Region.UK, "https://accounts.zoho.uk", "https://www.zohoapis.uk"),
    ],
)
def test_each_data_center_has_its_accounts_server_and_api_hosts(
    region: Region, accounts: str, api: str
) -> None:
    assert region.token_url == f"{accounts}/oauth/v2/token"
    assert region.api_domain == api
    tld = api.removeprefix("https://www.zohoapis.")
    for prefix in ("www", "sandbox", "developer"):
        assert region.accepts(f"https://{prefix}.zohoapis.{tld}")
        assert region.accepts(f"https://{prefix}.zohoapis.{tld}/")
    assert not region.accepts(f"https://evil.zohoapis.{tld}")
    assert not region.accepts(f"http://www.zohoapis.{tld}")
    assert not region.accepts(f"https://www.zohoapis.{tld}.example")


def test_com_region_does_not_accept_the_com_au_or_com_cn_hosts() -> None:
    assert not Region.US.accepts("https://www.zohoapis.com.au")
    assert not Region.US.accepts("https://www.zohoapis.com.cn")
    assert not Region.AU.accepts("https://www.zohoapis.com")


def test_sandbox_environment_starts_on_the_sandbox_host() -> None:
    sandbox = Region.EU.with_environment("sandbox")
    assert sandbox.api_domain == "https://sandbox.zohoapis.eu"
    assert sandbox.accounts_url == Region.EU.accounts_url
    with pytest.raises(ZohoConfigError):
        Region.custom("http://127.0.0.1:1", "http://127.0.0.1:1").with_environment("developer")


def test_data_centers_are_found_by_name_in_any_case() -> None:
    assert Region.named("eu") is Region.EU
    assert Region.named(" US ") is Region.US
    oauth = ZohoOAuth.from_refresh_token("1000.ID", "secret", "1000.refresh", "au")
    assert oauth.region is Region.AU
    with pytest.raises(ZohoConfigError, match="unknown data center 'mars': expected one of us, eu, in"):
        Region.named("mars")


def test_client_limits_under_one_are_refused() -> None:
    oauth = ZohoOAuth.from_refresh_token("1000.ID", "secret", "1000.refresh", Region.EU)
    with pytest.raises(ZohoConfigError, match="max_concurrency"):
        ZohoClient(oauth, max_concurrency=0)
    with pytest.raises(ZohoConfigError, match="credit_budget"):
        ZohoClient(oauth, credit_budget=0)


def test_custom_region_accepts_exactly_its_origin() -> None:
    region = Region.custom("http://127.0.0.1:8001", "http://127.0.0.1:8002/")
    assert region.accepts("http://127.0.0.1:8002")
    assert region.accepts("HTTP://127.0.0.1:8002/")
    assert not region.accepts("http://127.0.0.1:8001")
    assert not region.accepts("https://127.0.0.1:8002")
    assert not region.accepts("https://www.zohoapis.com")
    with pytest.raises(ZohoConfigError, match=r"zoho\.region\.api_domain"):
        Region.custom("http://127.0.0.1:8001", "127.0.0.1:8002")


@pytest.mark.parametrize(
    ("status", "code", "cls", "meaning"),
    [
        (401, "INVALID_TOKEN", ZohoAuthenticationError, ApiError),
        (401, "OAUTH_SCOPE_MISMATCH", ZohoPermissionError, ApiError),
        (403, "NO_PERMISSION", ZohoPermissionError, ApiError),
        (400, "INVALID_MODULE", ZohoNotFoundError, NotFoundError),
        (404, "INVALID_URL_PATTERN", ZohoNotFoundError, NotFoundError),
        (400, "INVALID_DATA", InvalidDataError, ValidationError),
        (400, "DUPLICATE_DATA", DuplicateDataError, ValidationError),
        (400, "MANDATORY_NOT_FOUND", MandatoryNotFoundError, ValidationError),
        (400, "REQUIRED_PARAM_MISSING", MandatoryNotFoundError, ValidationError),
        (400, "LIMIT_EXCEEDED", LimitExceededError, ValidationError),
        (400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED", PaginationLimitError, ValidationError),
        (400, "PAGINATION_LIMIT_EXCEEDED", PaginationLimitError, ValidationError),
        (429, "TOO_MANY_REQUESTS", ZohoRateLimitedError, RateLimitedError),
        (500, "INTERNAL_ERROR", ZohoServerError, ServerError),
        (400, "SOMETHING_NEW", ZohoValidationError, ValidationError),
        (503, None, ZohoServerError, ServerError),
    ],
)
def test_envelope_code_picks_the_class_and_both_branches_catch_it(
    status: int, code: str | None, cls: type[ZohoApiError], meaning: type[ApiError]
) -> None:
    envelope = {
        "code": code,
        "details": {"api_name": "Email", "json_path": "$.data[0].Email"},
        "message": "m",
        "status": "error",
    }
    error = error_from_envelope(
        status, envelope, method="GET", url="https://www.zohoapis.com/crm/v8/Accounts"
    )
    assert type(error) is cls
    assert isinstance(error, ZohoError)
    assert isinstance(error, meaning)
    assert error.status == status
    assert error.api_name == "Email"
    assert error.json_path == "$.data[0].Email"
    assert "GET https://www.zohoapis.com/crm/v8/Accounts -> HTTP" in str(error)


def test_duplicate_data_names_the_record_that_holds_the_value() -> None:
    envelope = {
        "code": "DUPLICATE_DATA",
        "details": {
            "api_name": "Unique_1",
            "duplicate_record": {"id": "2008662000006256222", "Owner": {"id": "1"}},
        },
        "message": "duplicate data",
        "status": "error",
    }
    error = error_from_envelope(400, envelope)
    assert isinstance(error, DuplicateDataError)
    assert error.duplicate_record_id == "2008662000006256222"


def test_a_429_about_credits_is_exhaustion_and_says_no_backoff_helps() -> None:
    concurrency = error_from_envelope(
        429, {"code": "TOO_MANY_REQUESTS", "message": "concurrency limit exceeded"}, retry_after=3.0
    )
    credits = error_from_envelope(429, {"code": "TOO_MANY_REQUESTS", "message": "API credits exhausted"})
    assert type(concurrency) is ZohoRateLimitedError
    assert concurrency.retry_after == 3.0
    assert isinstance(credits, ApiCreditsExhaustedError)
    assert "rolling 24-hour window" in str(credits)


def test_a_body_without_an_envelope_falls_back_on_the_status() -> None:
    assert type(error_from_envelope(404, {})) is ZohoNotFoundError
    assert type(error_from_envelope(302, {})) is ZohoApiError
    assert "HTTP 502" in str(error_from_envelope(502, {"code": 7, "message": None}))
