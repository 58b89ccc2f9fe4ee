"""Every kind of secret is scrubbed from URLs, headers, JSON, form bodies, free text and log records."""

from __future__ import annotations

import json
import logging

import pytest

from jde_zoho_sdk import Secret
from jde_zoho_sdk._redact import (
    REDACTED,
    get_logger,
    is_secret_key,
    redact_body,
    redact_headers,
    redact_json,
    redact_text,
    redact_url,
    remember_secret,
)

AIS_TOKEN = "044ZQNmLGH+5+8ker4Q0hFKq6zIMNxGzCm4kpgtfVOl8to=MDE5MDEy"
ZOHO_ACCESS = "1000.f27c8a0d2b5e4bd8a3f9.bdc6c19e7d1a"
ZOHO_REFRESH = "1000.9c1d0e2f3a4b5c6d7e8f.0a1b2c3d4e5f"


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "Password",
        "token",
        "access_token",
        "accessToken",
        "refresh_token",
        "client_secret",
        "Authorization",
        "jde-AIS-Auth",
        "aisSessionCookie",
        "psToken",
        "Cookie",
        "Set-Cookie",
    ],
)
def test_secret_key_names(name: str) -> None:
    assert is_secret_key(name)


@pytest.mark.parametrize(
    "name", ["username", "code", "Account_Name", "deviceName", "jde-AIS-Auth-Device", "api_domain"]
)
def test_ordinary_key_names(name: str) -> None:
    assert not is_secret_key(name)


def test_ais_next_page_link_loses_its_token() -> None:
    href = (
        "http://ais:9300/jderest/v2/dataservice/next?stackId=1&stateId=1&rid=48e401e5950224d"
        "&fullGridId=54&formOID=V0101&token=044h8kJ2%2Bq%3D&outputType=GRID_DATA&returnControlIDs=F0101.AN8|F0101.AT1"
    )
    redacted = redact_url(href)
    assert "044h8kJ2" not in redacted
    assert "token=REDACTED" in redacted
    assert "stackId=1" in redacted
    assert "returnControlIDs=F0101.AN8|F0101.AT1" in redacted


@pytest.mark.parametrize(
    "url",
    [
        f"https://accounts.zoho.com/oauth/v2/token?refresh_token={ZOHO_REFRESH}&client_secret=abcdefgh12345&grant_type=refresh_token",
        "https://accounts.zoho.com/oauth/v2/token?code=1000.deadbeefcafe&grant_type=authorization_code",
        "https://svc:hunter2hunter2@ais.example/jderest/v2/tokenrequest",
    ],
)
def test_url_secrets(url: str) -> None:
    redacted = redact_url(url)
    for secret in (ZOHO_REFRESH, "abcdefgh12345", "deadbeefcafe", "hunter2hunter2"):
        assert secret not in redacted


def test_headers() -> None:
    headers = redact_headers(
        {
            "Authorization": f"Zoho-oauthtoken {ZOHO_ACCESS}",
            "jde-AIS-Auth": AIS_TOKEN,
            "jde-AIS-Auth-Device": "sync-01",
            "Content-Type": "application/json",
        }
    )
    assert headers["Authorization"] == REDACTED
    assert headers["jde-AIS-Auth"] == REDACTED
    assert headers["jde-AIS-Auth-Device"] == "sync-01"


def test_ais_token_answer_json() -> None:
    answer = {
        "username": "JDE",
        "userInfo": {"token": AIS_TOKEN, "addressNumber": 1, "simpleDateFormat": "MM/dd/yyyy"},
        "aisSessionCookie": "AkB7N6U0r65v!-302166512!1775888737588",
        "links": [
            {"rel": "next", "href": "http://ais/jderest/v2/dataservice/next?token=044abcdefghij&rid=1"}
        ],
    }
    text = json.dumps(redact_json(answer))
    assert AIS_TOKEN not in text
    assert "AkB7N6U0r65v" not in text
    assert "044abcdefghij" not in text
    assert '"simpleDateFormat": "MM/dd/yyyy"' in text


def test_zoho_token_answer_and_error_codes() -> None:
    answer = {
        "access_token": ZOHO_ACCESS,
        "refresh_token": ZOHO_REFRESH,
        "api_domain": "https://www.zohoapis.com",
    }
    body = redact_body(json.dumps(answer).encode(), "application/json;charset=UTF-8").decode()
    assert ZOHO_ACCESS not in body
    assert ZOHO_REFRESH not in body
    assert "https://www.zohoapis.com" in body
    error = {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}
    assert redact_json(error) == error  # Zoho's error code is not a secret


def test_form_body() -> None:
    form = f"grant_type=refresh_token&refresh_token={ZOHO_REFRESH}&client_id=1000.ABC&client_secret=topsecretvalue1"
    body = redact_body(form.encode(), "application/x-www-form-urlencoded").decode()
    assert ZOHO_REFRESH not in body
    assert "topsecretvalue1" not in body
    assert "client_id=1000.ABC" in body


def test_notification_channel_token_in_watch_body() -> None:
    body = {
        "watch": [
            {"channel_id": "1000000068001", "token": "TOKEN_FOR_VERIFICATION", "notify_url": "https://x/cb"}
        ]
    }
    assert "TOKEN_FOR_VERIFICATION" not in json.dumps(redact_json(body))


@pytest.mark.parametrize(
    "text",
    [
        'refused: {"password": "hunter22", "username": "jde"}',
        "POST /oauth/v2/token?refresh_token=1000.abcdef&x=1",
        "header was Zoho-oauthtoken 1000.abcdefabcdef",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
        "Authorization: Basic c3ZjOmh1bnRlcjI=",
    ],
)
def test_free_text(text: str) -> None:
    redacted = redact_text(text)
    assert REDACTED in redacted
    for secret in ("hunter22", "1000.abcdef", "eyJhbGciOiJIUzI1NiJ9", "c3ZjOmh1bnRlcjI="):
        assert secret not in redacted


def test_known_secret_values_are_scrubbed_anywhere() -> None:
    remember_secret(AIS_TOKEN)
    assert AIS_TOKEN not in redact_text(f"AIS said: session {AIS_TOKEN} expired")


def test_short_values_are_not_scrubbed_by_value() -> None:
    Secret("jde")  # the demo password; scrubbing "jde" by value would mangle every message
    assert redact_text("jde_zoho_sdk.jde") == "jde_zoho_sdk.jde"


def test_secret_never_shows_itself() -> None:
    secret = Secret("client-secret-value-42")
    assert "client-secret-value-42" not in repr(secret)
    assert "client-secret-value-42" not in str(secret)
    assert "client-secret-value-42" not in f"{secret} {[secret]} { ({'s': secret}) }"
    assert secret.reveal() == "client-secret-value-42"
    assert redact_text("echoed client-secret-value-42 back") == f"echoed {REDACTED} back"


def test_secret_requires_a_string() -> None:
    with pytest.raises(TypeError):
        Secret(42)  # type: ignore[arg-type]


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = get_logger("jde_zoho_sdk.tests.redaction")
    with caplog.at_level(logging.DEBUG, logger="jde_zoho_sdk"):
        logger.debug("GET %s", "https://ais/next?token=044abcdefgh&rid=2")
        logging.getLogger("httpx").warning("HTTP Request: %s", "https://ais/next?token=044zyxwvut&rid=3")
    assert "044abcdefgh" not in caplog.text
    assert "044zyxwvut" not in caplog.text
    assert "rid=2" in caplog.text


def test_a_logged_tracebacks_chain_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = get_logger("jde_zoho_sdk.tests.redaction")
    password = "jde-pa55word-in-a-traceback-0042"
    remember_secret(password)
    with caplog.at_level(logging.ERROR, logger="jde_zoho_sdk"):
        try:
            try:
                raise ValueError("GET https://ais/jderest/v2/dataservice/next?token=044chainedtoken12&rid=2")
            except ValueError as inner:
                raise RuntimeError(f"login refused for {password}") from inner
        except RuntimeError:
            logger.exception("drain failed")
    assert "drain failed" in caplog.text
    assert "Traceback" in caplog.text  # the chain is still there, scrubbed
    assert "RuntimeError" in caplog.text
    assert password not in caplog.text
    assert "044chainedtoken12" not in caplog.text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("https://sync.example/cb?authorization=Zoho-oauthtoken%20abcdef12&key1=v", "abcdef12"),
        ("callback?apiKey=k-123456789&module=Accounts", "k-123456789"),
        ("form: pwd=hunter22&user=jde", "hunter22"),
        ("kwargs were {'password': 'hunter22', 'user': 'jde'}", "hunter22"),
        ('{"Access-Token": "1000.abcdefgh"}', "1000.abcdefgh"),
    ],
)
def test_free_text_knows_every_secret_name_the_structures_know(text: str, secret: str) -> None:
    assert secret not in redact_text(text)


def test_zohos_error_code_in_json_stays_readable() -> None:
    assert redact_text('{"code": "INVALID_DATA"}') == '{"code": "INVALID_DATA"}'
