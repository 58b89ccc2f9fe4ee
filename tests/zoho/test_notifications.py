"""Channels (watch, renew, list, disable), the renewal schedule, and verified notification parsing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import attrs
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jde_zoho_sdk import AuthenticationError, SdkError, ValidationError
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import (
    ChannelManager,
    ForgedNotificationError,
    InvalidDataError,
    InvalidNotificationError,
    Notification,
    Region,
    ZohoClient,
    ZohoOAuth,
    ZohoPermissionError,
    parse_notification,
)

from .conftest import Clock, in_process_client, no_sleep_retry

TOKEN = "TOKEN_FOR_VERIFICATION_OF_1000000068001"
ACCESS = {"access_token": "1000.access.abcdef", "api_domain": "https://www.zohoapis.com", "expires_in": 3600}
DOCUMENTED = {
    "server_time": 1718117126473,
    "query_params": {"key1": "val1"},
    "module": "Leads",
    "resource_uri": "https://www.zohoapis.com/crm/v2/Leads",
    "ids": ["5725767000003000064"],
    "affected_fields": [],
    "operation": "insert",
    "channel_id": "1000000068001",
    "token": TOKEN,
}


def body(**changes: object) -> bytes:
    return json.dumps({**DOCUMENTED, **changes}).encode()


def test_the_documented_callback_parses_and_drops_the_token() -> None:
    notification = parse_notification(body(), TOKEN)
    assert notification.module == "Leads"
    assert notification.operation == "insert"
    assert notification.ids == ("5725767000003000064",)
    assert notification.channel_id == "1000000068001"
    assert notification.server_time == datetime(2024, 6, 11, 14, 45, 26, 473000, tzinfo=UTC)
    assert notification.query_params == {"key1": "val1"}
    assert TOKEN not in repr(notification)
    assert TOKEN not in repr(attrs.asdict(notification))


@pytest.mark.parametrize(
    "forged",
    [
        body(token="TOKEN_FOR_VERIFICATION_OF_1000000068002"),
        body(token=None),
        body(token=12),
        body(token=""),
        json.dumps({k: v for k, v in DOCUMENTED.items() if k != "token"}).encode(),
    ],
)
def test_a_wrong_or_missing_token_is_refused(forged: bytes) -> None:
    with pytest.raises(ForgedNotificationError) as caught:
        parse_notification(forged, TOKEN)
    assert isinstance(caught.value, AuthenticationError)


def test_nothing_verifies_against_an_empty_expected_token() -> None:
    with pytest.raises(ForgedNotificationError):
        parse_notification(body(token=""), "")


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b"\xff\xfe", "not JSON"),
        (b"[" * 100_000, "not JSON"),
        (body(module=None), "no module"),
        (body(ids="5725767000003000064"), "ids is not a list"),
        (body(ids=[{"id": 1}]), "ids holds a dict"),
        (body(server_time="1718117126473"), "epoch milliseconds"),
        (body(server_time=10**30), "out of range"),
        (body(query_params={"a": 1}), "query_params"),
        (body(channel_id=None), "channel_id"),
        (b" " * 1_000_001, "far more than Zoho sends"),
    ],
)
def test_a_malformed_body_is_a_typed_error(payload: bytes, problem: str) -> None:
    with pytest.raises(InvalidNotificationError, match=problem) as caught:
        parse_notification(payload, TOKEN)
    assert isinstance(caught.value, ValidationError)


@pytest.mark.parametrize(
    ("affected", "names"),
    [
        ([], ()),
        (["Phone", "Email"], ("Phone", "Email")),
        (
            [{"5725767000003000064": ["Phone"]}, {"5725767000003000065": ["Phone", "Email"]}],
            ("Phone", "Email"),
        ),
        ("Phone", ()),
        ([7, None, {"x": "Phone"}], ()),
    ],
)
def test_affected_fields_of_any_shape_never_cost_the_notification(
    affected: object, names: tuple[str, ...]
) -> None:
    # Only the ids matter to the sync; the shape of affected_fields beyond [] is undocumented.
    notification = parse_notification(body(affected_fields=affected), TOKEN)
    assert notification.ids == ("5725767000003000064",)
    assert notification.affected_fields == names


def test_numeric_ids_and_channel_ids_are_read_as_strings() -> None:
    notification = parse_notification(body(ids=[5725767000003000064], channel_id=1000000068001), TOKEN)
    assert notification.ids == ("5725767000003000064",)
    assert notification.channel_id == "1000000068001"


def test_a_non_ascii_token_is_compared_safely() -> None:
    with pytest.raises(ForgedNotificationError):
        parse_notification(body(token="tökén"), TOKEN)
    assert parse_notification(body(token="tökén"), "tökén").module == "Leads"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_a_notification_or_a_typed_error(payload: bytes) -> None:
    try:
        parse_notification(payload, TOKEN)
    except SdkError:
        return


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(DOCUMENTED)), JSON_VALUE, max_size=9))
def test_any_object_with_the_right_token_is_a_notification_or_a_typed_error(
    changes: dict[str, object],
) -> None:
    try:
        notification = parse_notification(body(**{**changes, "token": TOKEN}), TOKEN)
    except InvalidNotificationError:
        return
    assert isinstance(notification, Notification)
    assert all(isinstance(record_id, str) for record_id in notification.ids)
    assert notification.server_time.tzinfo is UTC


# -- channels ------------------------------------------------------------------------------------------


def manager(zoho: ZohoClient, clock: Clock, **options: object) -> ChannelManager:
    return ChannelManager(
        zoho.channels,
        channel_id="1000000068001",
        events=["Accounts.all", "Contacts.all"],
        notify_url="https://hooks.example/zoho?tenant=7",
        token=TOKEN,
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


def test_a_channel_asked_for_two_weeks_is_renewed_from_the_hour_zoho_answered(
    zoho: ZohoClient, emulator: ZohoEmulator, clock: Clock
) -> None:
    channels = manager(zoho, clock, lifetime=timedelta(weeks=2))
    channel = channels.ensure()
    assert channel.expiry == clock.now + timedelta(hours=1)
    assert channels.next_renewal == clock.now + timedelta(minutes=50)
    assert set(channel.modules) == {"Accounts", "Contacts"}
    calls = len(emulator.request_log)
    clock.advance(timedelta(minutes=49))
    assert channels.ensure() is channel
    assert len(emulator.request_log) == calls  # not due yet: no call
    clock.advance(timedelta(minutes=2))
    renewed = channels.ensure()
    assert renewed.expiry == clock.now + timedelta(hours=1)
    assert emulator.request_log[-1].method == "PATCH"


def test_a_channel_within_the_week_keeps_the_expiry_asked_for(zoho: ZohoClient, clock: Clock) -> None:
    channel = manager(zoho, clock).ensure()
    assert channel.expiry == clock.now + timedelta(weeks=1) - timedelta(minutes=10)


def test_a_new_manager_adopts_the_channel_zoho_already_has(
    zoho: ZohoClient, emulator: ZohoEmulator, clock: Clock
) -> None:
    first = manager(zoho, clock).ensure()
    calls = len(emulator.request_log)
    adopted = manager(zoho, clock).ensure()
    assert adopted.channel_id == first.channel_id
    assert adopted.expiry == first.expiry
    assert adopted.notify_url == "https://hooks.example/zoho?tenant=7"
    assert [entry.method for entry in emulator.request_log[calls:]] == ["GET"]


def test_channels_can_be_listed_and_disabled(zoho: ZohoClient) -> None:
    zoho.channels.watch("11", ["Vendors.create"], "https://hooks.example/a", "token-a")
    zoho.channels.watch("12", ["Accounts.edit", "Accounts.delete"], "https://hooks.example/b", "token-b")
    listed = {channel.channel_id: channel for channel in zoho.channels.list()}
    assert set(listed) == {"11", "12"}
    assert listed["12"].events == ("Accounts.edit", "Accounts.delete")
    zoho.channels.disable(["11", "12"])
    assert zoho.channels.list() == []


def test_a_manager_enables_again_a_channel_zoho_dropped(
    zoho: ZohoClient, emulator: ZohoEmulator, clock: Clock
) -> None:
    channels = manager(zoho, clock)
    channels.ensure()
    zoho.channels.disable(["1000000068001"])  # disabled elsewhere, or expired and purged
    clock.advance(timedelta(weeks=1))
    calls = len(emulator.request_log)
    channel = channels.ensure()
    assert channel.channel_id == "1000000068001"
    assert channel.expiry == clock.now + timedelta(weeks=1) - timedelta(minutes=10)
    # The renewal was refused as INVALID_DATA, and the channel enabled again.
    watch_calls = [
        (entry.method, entry.status)
        for entry in emulator.request_log[calls:]
        if entry.path == "/crm/v8/actions/watch"
    ]
    assert watch_calls == [("PATCH", 400), ("POST", 201)]


def test_a_refused_watch_item_is_a_typed_error_naming_the_field(zoho: ZohoClient) -> None:
    with pytest.raises(InvalidDataError) as unknown:
        zoho.channels.renew("999", ["Accounts.all"], "https://hooks.example/z", TOKEN)
    assert unknown.value.api_name == "channel_id"
    with pytest.raises(InvalidDataError) as bad_url:
        zoho.channels.watch("5", ["Accounts.all"], "ftp://hooks.example/z", TOKEN)
    assert bad_url.value.api_name == "notify_url"
    assert bad_url.value.status == 400


def test_disabling_a_channel_zoho_no_longer_knows_counts_as_done(zoho: ZohoClient) -> None:
    zoho.channels.watch("11", ["Vendors.create"], "https://hooks.example/a", "token-a")
    assert zoho.channels.disable(["11", "424242"]) == ("424242",)  # Zoho answered 207: one unknown id
    assert zoho.channels.disable(["11"]) == ("11",)  # already gone
    assert zoho.channels.disable([]) == ()
    assert zoho.channels.list() == []


def test_a_channel_zoho_refuses_to_disable_is_a_typed_error_naming_it() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            return httpx.Response(200, json=ACCESS)
        gone = {"code": "SUCCESS", "details": {"channel_id": "11"}, "message": "ok", "status": "success"}
        kept = {"code": "NO_PERMISSION", "details": {}, "message": "permission denied", "status": "error"}
        return httpx.Response(207, json={"watch": [gone, kept]})

    oauth = ZohoOAuth.from_refresh_token("1000.ID", "client-secret-value", "1000.refresh-value", Region.US)
    with (
        ZohoClient(oauth, transport=httpx.MockTransport(handle), retry=no_sleep_retry()) as zoho,
        pytest.raises(ZohoPermissionError) as caught,
    ):
        zoho.channels.disable(["11", "12"])
    assert caught.value.status == 207
    assert "channel 12 was not disabled: permission denied" in str(caught.value)


def test_channel_arguments_are_checked_before_sending(zoho: ZohoClient) -> None:
    with pytest.raises(ValueError, match="events must look like"):
        zoho.channels.watch("1", ["Accounts"], "https://hooks.example", "t")
    with pytest.raises(ValueError, match="1 to 50 characters"):
        zoho.channels.watch("1", ["Accounts.all"], "https://hooks.example", "t" * 51)


def test_emulated_callbacks_carry_ids_operation_and_token(clock: Clock) -> None:
    received: list[bytes] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        return httpx.Response(200)

    with (
        ZohoEmulator(clock=clock, notify_transport=httpx.MockTransport(endpoint)) as emulator,
        in_process_client(emulator) as zoho,
    ):
        zoho.channels.watch("5", ["Accounts.all"], "https://hooks.example/cb?k=v", TOKEN)
        (created,) = zoho.upsert(
            "Accounts", [{"Account_Name": "Zylker"}], duplicate_check_fields=["Account_Name"]
        )
        assert created.id is not None
        emulator.update("Accounts", created.id, {"Phone": "1"})
        emulator.delete("Accounts", created.id)
        assert emulator.wait_for_deliveries(5)
    notes = [parse_notification(payload, TOKEN) for payload in received]
    assert [(n.operation, n.ids) for n in notes] == [
        ("insert", (created.id,)),
        ("update", (created.id,)),
        ("delete", (created.id,)),
    ]
    assert notes[0].query_params == {"k": "v"}
    assert {delivery.status for delivery in emulator.deliveries} == {200}


def test_callbacks_stop_when_the_channel_expires(clock: Clock) -> None:
    received: list[bytes] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        return httpx.Response(200)

    transport = httpx.MockTransport(endpoint)
    with (
        ZohoEmulator(clock=clock, notify_transport=transport) as emulator,
        in_process_client(emulator) as zoho,
    ):
        zoho.channels.watch("5", ["Vendors.create"], "https://hooks.example/cb", TOKEN)
        emulator.insert("Vendors", {"Vendor_Name": "Acme"})
        clock.advance(timedelta(hours=1))
        emulator.insert("Vendors", {"Vendor_Name": "Too late"})
        emulator.update("Vendors", emulator.records("Vendors")[0]["id"], {"Phone": "1"})  # type: ignore[arg-type]
        assert emulator.wait_for_deliveries(5)
    assert len(received) == 1
