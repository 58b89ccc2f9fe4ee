"""Base URLs the clients send secrets to: encrypted off this machine, and no credentials inside."""

from __future__ import annotations

import pytest

from jde_zoho_sdk._redact import redact_text
from jde_zoho_sdk.jde import AisClient, AisConfigError, AisCredentials
from jde_zoho_sdk.zoho import Region, ZohoConfigError

CREDENTIALS = AisCredentials("JDE", "correct-horse-battery")


@pytest.mark.parametrize(
    "url",
    [
        "https://ais.example.com:9300",
        "http://127.0.0.1:9300",
        "http://localhost:9300/jderest",
        "http://[::1]:80",
    ],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    with AisClient(url, CREDENTIALS) as ais:
        assert ais.base_url.endswith(":9300") or ais.base_url.endswith(":80")


def test_plain_http_to_another_machine_is_refused_unless_allowed() -> None:
    with pytest.raises(AisConfigError) as refused:
        AisClient("http://ais.example.com:9300", CREDENTIALS)
    assert refused.value.path == "ais.base_url"
    assert "unencrypted" in str(refused.value)
    with AisClient("http://ais.example.com:9300", CREDENTIALS, allow_insecure_http=True) as ais:
        assert ais.base_url == "http://ais.example.com:9300"


def test_credentials_in_the_url_are_refused_without_repeating_them() -> None:
    with pytest.raises(AisConfigError) as refused:
        AisClient("https://jde:hunter2-long-secret@ais.example.com", CREDENTIALS)
    assert "hunter2" not in str(refused.value)
    assert "credentials" in str(refused.value)


@pytest.mark.parametrize("url", ["ftp://ais.example.com", "ais.example.com:9300", ""])
def test_a_base_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(AisConfigError, match="https://host:port"):
        AisClient(url, CREDENTIALS)


def test_a_blank_device_name_is_refused() -> None:
    with pytest.raises(AisConfigError) as refused:
        AisClient("https://ais.example.com", CREDENTIALS, device_name=" ")
    assert refused.value.path == "ais.device_name"


@pytest.mark.parametrize(
    ("accounts", "api", "bad"),
    [
        ("http://zoho.internal", "https://zoho.internal", "accounts_url"),
        ("https://zoho.internal", "ftp://zoho.internal", "api_domain"),
        ("https://u:pw-in-url@zoho.internal", "https://zoho.internal", "accounts_url"),
    ],
)
def test_custom_regions_refuse_what_would_leak_secrets(accounts: str, api: str, bad: str) -> None:
    with pytest.raises(ZohoConfigError) as refused:
        Region.custom(accounts, api)
    assert refused.value.path == f"zoho.region.{bad}"
    assert "pw-in-url" not in str(refused.value)


def test_custom_regions_accept_loopback_http_and_an_explicit_opt_in() -> None:
    assert (
        Region.custom("http://127.0.0.1:8081", "http://127.0.0.1:8081").api_domain == "http://127.0.0.1:8081"
    )
    region = Region.custom("http://zoho.lab", "http://zoho.lab", allow_insecure_http=True)
    assert region.accounts_url == "http://zoho.lab"


def test_passwords_in_urls_are_redacted_from_text() -> None:
    line = "HTTP Request: GET https://jde:s3cret@ais.example.com/jderest/v2/ok; mail buyer@example.com"
    assert redact_text(line) == (
        "HTTP Request: GET https://jde:REDACTED@ais.example.com/jderest/v2/ok; mail buyer@example.com"
    )
