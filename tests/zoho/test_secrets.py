"""No secret (client secret, refresh token, access token, channel token) reaches a log line or an error."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest

from jde_zoho_sdk import SdkError
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import (
    Channel,
    ChannelManager,
    Notification,
    Region,
    ZohoClient,
    ZohoOAuth,
    parse_notification,
)

from .conftest import Clock, no_sleep_retry

CHANNEL_TOKEN = "channel-token-do-not-log-4711"


def test_no_secret_appears_in_any_debug_log_line_or_error(
    caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    sent_tokens: set[str] = set()

    def spy(request: httpx.Request) -> None:
        header = request.headers.get("Authorization")
        if header:
            sent_tokens.add(header.removeprefix("Zoho-oauthtoken "))

    errors: list[str] = []
    caplog.set_level(logging.DEBUG)
    with ZohoEmulator(clock=clock) as emu:
        region = Region.custom(emu.url, emu.url)
        oauth = ZohoOAuth.from_refresh_token(
            emu.client_id, emu.client_secret, emu.refresh_token, region, clock=clock
        )
        with (
            httpx.Client(transport=emu.transport(), event_hooks={"request": [spy]}) as http,
            ZohoClient(oauth, http_client=http, retry=no_sleep_retry()) as zoho,
        ):
            zoho.upsert(
                "Accounts",
                [{"Account_Name": "Zylker", "Credit_Limit": "bad"}],
                duplicate_check_fields=["Account_Name"],
            )
            emu.expire_tokens()  # a refused token, then a refresh
            list(zoho.iter_records("Accounts", ["Account_Name"]))
            ChannelManager(
                zoho.channels,
                channel_id="1",
                events=["Accounts.all"],
                notify_url="https://hooks.example",
                token=CHANNEL_TOKEN,
                clock=clock,
            ).ensure()
            zoho.channels.list()
            emu.revoke_refresh_token()
            emu.expire_tokens()
            with pytest.raises(SdkError) as refused:
                zoho.fields("Accounts")
            errors.append(str(refused.value))
            errors.append(repr(oauth))
        with pytest.raises(SdkError) as forged:
            parse_notification(b'{"token": "%s-forged"}' % CHANNEL_TOKEN.encode(), CHANNEL_TOKEN)
        errors.append(str(forged.value))
        secrets = {emu.client_secret, emu.refresh_token, CHANNEL_TOKEN, *sent_tokens}
    assert len(sent_tokens) == 2  # the first token and its replacement were both used
    lines = [record.getMessage() for record in caplog.records]
    assert any("oauth/v2/token" in line or "access token issued" in line for line in lines)
    assert any("/crm/v8/Accounts" in line for line in lines)
    leaks = [(secret, line) for secret in secrets for line in [*lines, *errors] if secret in line]
    assert leaks == []


def test_reprs_of_channels_and_notifications_hide_secrets_of_the_notify_url() -> None:
    secret = "1000.23dnsbbbh455jnn"  # Zoho's own example passes an OAuth token in the notify URL
    channel = Channel(
        channel_id="1000000068001",
        expiry=datetime(2025, 3, 3, tzinfo=UTC),
        notify_url=f"https://hooks.example/zoho?authorization=Zoho-oauthtoken%20{secret}&key1=val1",
    )
    notification = Notification(
        module="Accounts",
        operation="insert",
        ids=("1",),
        channel_id="1000000068001",
        server_time=datetime(2025, 3, 3, tzinfo=UTC),
        query_params={"authorization": f"Zoho-oauthtoken {secret}", "key1": "val1"},
    )
    for shown in (repr(channel), repr(notification)):
        assert secret not in shown
        assert "key1" in shown
        assert "val1" in shown
    assert channel.notify_url is not None
    assert secret in channel.notify_url  # the value itself is intact
