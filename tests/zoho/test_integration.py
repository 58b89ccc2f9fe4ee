"""The client against the emulator over a real loopback socket: what issue 4 must show."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import timedelta
from decimal import Decimal
from wsgiref.types import StartResponse, WSGIEnvironment

import httpx
import pytest

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.testing._server import serve_wsgi
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import (
    ApiCreditsExhaustedError,
    ChannelManager,
    ForgedNotificationError,
    InvalidNotificationError,
    Notification,
    PartialWriteError,
    Region,
    ZohoClient,
    ZohoConfigError,
    ZohoOAuth,
    ZohoRateLimitedError,
    parse_notification,
)

from .conftest import Clock, socket_client

pytestmark = pytest.mark.integration

CHANNEL_TOKEN = "channel-token-for-the-sync-0042"


@pytest.fixture
def served(clock: Clock) -> Iterator[ZohoEmulator]:
    with ZohoEmulator(clock=clock) as emu, emu.serve():
        yield emu


def accounts(count: int, start: int = 0) -> list[dict[str, object]]:
    return [
        {
            "Account_Name": f"Account {n}",
            "JDE_Address_Number": str(n),
            "Email": f"ap{n}@customer.example",
            "Credit_Limit": Decimal(f"{n}.25"),
        }
        for n in range(start, start + count)
    ]


def test_refresh_grant_then_calls_go_to_the_answered_api_domain(served: ZohoEmulator) -> None:
    sent: list[httpx.URL] = []
    port = httpx.URL(served.url).port
    region = Region.custom(f"http://localhost:{port}", served.url)  # the token answer names served.url
    oauth = ZohoOAuth.from_refresh_token(served.client_id, served.client_secret, served.refresh_token, region)
    with (
        httpx.Client(event_hooks={"request": [lambda request: sent.append(request.url)]}) as http,
        ZohoClient(oauth, http_client=http) as zoho,
    ):
        zoho.fields("Accounts")
        zoho.fields("Contacts")
    assert [(url.host, url.path) for url in sent] == [
        ("localhost", "/oauth/v2/token"),
        ("127.0.0.1", "/crm/v8/settings/fields"),
        ("127.0.0.1", "/crm/v8/settings/fields"),
    ]
    assert served.token_requests == 1


def test_an_api_domain_outside_the_region_is_refused_before_any_call(served: ZohoEmulator) -> None:
    region = Region.custom(served.url, "https://www.zohoapis.com")
    oauth = ZohoOAuth.from_refresh_token(served.client_id, served.client_secret, served.refresh_token, region)
    with ZohoClient(oauth) as zoho, pytest.raises(ZohoConfigError, match="not a Zoho API host"):
        zoho.fields("Accounts")
    assert [entry.path for entry in served.request_log] == ["/oauth/v2/token"]


def test_iterating_4500_accounts_past_the_page_limit_yields_each_once(served: ZohoEmulator) -> None:
    ids = served.insert_many("Accounts", accounts(4500))
    with socket_client(served) as zoho:
        seen = [
            record.id
            for record in zoho.iter_records("Accounts", ["Account_Name", "Credit_Limit"], sort_by="id")
        ]
        credits = zoho.credits
    assert seen == ids
    reads = [entry.status for entry in served.request_log if entry.path == "/crm/v8/Accounts"]
    assert reads == [200] * 23  # 10 pages by number, 13 by page_token
    assert credits == served.credits_used == 23


def test_token_expiry_mid_iteration_is_refreshed_once(served: ZohoEmulator) -> None:
    ids = served.insert_many("Accounts", accounts(4500))
    seen: list[str] = []
    with socket_client(served) as zoho:
        for record in zoho.iter_records("Accounts", ["Account_Name"]):
            if len(seen) == 1000:
                served.expire_tokens()
            seen.append(record.id)
    assert Counter(seen) == Counter(ids)
    assert served.token_requests == 2
    assert [entry.status for entry in served.request_log].count(401) == 1


def test_a_token_near_its_expiry_is_replaced_before_the_call(served: ZohoEmulator, clock: Clock) -> None:
    with socket_client(served, clock) as zoho:
        zoho.fields("Accounts")
        clock.advance(timedelta(minutes=59, seconds=30))
        zoho.fields("Accounts")
    assert served.token_requests == 2
    assert 401 not in [entry.status for entry in served.request_log]


def test_upsert_of_250_is_3_calls_with_results_in_order_and_the_bad_row_named(served: ZohoEmulator) -> None:
    rows = accounts(250)
    rows[137] = {**rows[137], "Credit_Limit": "a lot"}
    with socket_client(served) as zoho:
        results = zoho.upsert(
            "Accounts", rows, duplicate_check_fields=["JDE_Address_Number", "Tax_ID", "Email"]
        )
        credits = zoho.credits
    assert [result.index for result in results] == list(range(250))
    refused = [result for result in results if not result.ok]
    assert [(r.index, r.error.code, r.error.api_name, r.error.json_path) for r in refused if r.error] == [
        (137, "INVALID_DATA", "Credit_Limit", "$.data[37].Credit_Limit")
    ]
    assert all(result.action == "insert" and result.id for result in results if result.ok)
    assert served.count("Accounts") == 249
    writes = Counter(entry.status for entry in served.request_log if entry.path == "/crm/v8/Accounts/upsert")
    assert writes == {200: 2, 207: 1}  # the batches run concurrently, so in any order
    assert credits == served.credits_used == 10 + 10 + 5
    stored = {record["JDE_Address_Number"]: record for record in served.records("Accounts")}
    assert stored["12"]["Credit_Limit"] == Decimal("12.25")


def test_a_duplicate_by_email_updates_instead_of_inserting(served: ZohoEmulator) -> None:
    existing = served.insert("Accounts", {"Account_Name": "Zylker", "Email": "AP@Zylker.example"})
    with socket_client(served) as zoho:
        (result,) = zoho.upsert(
            "Accounts",
            [{"Account_Name": "Zylker Ltd", "JDE_Address_Number": "4242", "Email": "ap@zylker.example"}],
            duplicate_check_fields=["JDE_Address_Number", "Tax_ID", "Email"],
        )
        again = zoho.upsert(
            "Accounts",
            [{"Account_Name": "Zylker Ltd", "JDE_Address_Number": "4242"}],
            duplicate_check_fields=["JDE_Address_Number"],
        )
    assert (result.action, result.id, result.duplicate_field) == ("update", existing, "Email")
    assert (again[0].action, again[0].id, again[0].duplicate_field) == (
        "update",
        existing,
        "JDE_Address_Number",
    )
    assert served.count("Accounts") == 1
    assert served.get("Accounts", existing)["JDE_Address_Number"] == "4242"  # type: ignore[index]


class Receiver:
    """A local HTTP endpoint that verifies notifications like a host's webhook would."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.accepted: list[Notification] = []
        self.refused: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            notification = parse_notification(body, self.token)
        except ForgedNotificationError as error:
            status, note = "401 Unauthorized", str(error)
        except InvalidNotificationError as error:
            status, note = "400 Bad Request", str(error)
        else:
            status, note = "200 OK", ""
            with self.lock:
                self.accepted.append(notification)
        if note:
            with self.lock:
                self.refused.append(note)
        start_response(status, [("Content-Length", "0")])
        return [b""]


def test_a_watched_change_reaches_a_local_endpoint_and_a_forged_one_is_refused(served: ZohoEmulator) -> None:
    receiver = Receiver(CHANNEL_TOKEN)
    account = served.insert("Accounts", {"Account_Name": "Zylker"})
    with serve_wsgi(receiver) as hook_url, socket_client(served) as zoho:
        channel = zoho.channels.watch(
            "1000000068001", ["Accounts.all"], f"{hook_url}/zoho?tenant=7", CHANNEL_TOKEN
        )
        assert channel.modules == ("Accounts",)
        served.update("Accounts", account, {"Phone": "+44 113 496 0000"})
        assert served.wait_for_deliveries(timeout=5)
        forged = {
            "server_time": 1718117126473,
            "module": "Accounts",
            "ids": [account],
            "operation": "delete",
            "channel_id": "1000000068001",
            "token": "guess",
        }
        answer = httpx.post(f"{hook_url}/zoho", json=forged)
    assert answer.status_code == 401
    (notification,) = receiver.accepted
    assert (notification.module, notification.operation, notification.ids) == (
        "Accounts",
        "update",
        (account,),
    )
    assert notification.query_params == {"tenant": "7"}
    assert notification.channel_id == "1000000068001"
    assert receiver.refused == [
        "the notification's token is missing or wrong; answer 401 and ignore it; check the channel token if genuine notifications are refused"
    ]
    assert [delivery.status for delivery in served.deliveries] == [200]


def test_a_full_read_past_a_lowered_token_reach_yields_every_record_once() -> None:
    clock = Clock(step=timedelta(milliseconds=400))  # several records share each second
    with ZohoEmulator(clock=clock, page_token_reach=2400) as emu, emu.serve():
        ids = emu.insert_many("Accounts", accounts(6000))
        with socket_client(emu) as zoho:
            seen = [record.id for record in zoho.iter_records("Accounts", ["Account_Name"])]
    assert len(seen) == len(ids)
    assert Counter(seen) == Counter(ids)
    assert [entry.status for entry in emu.request_log].count(400) == 2


def test_20_concurrent_upsert_batches_within_a_limit_of_5_get_no_429() -> None:
    with (
        ZohoEmulator(concurrency=5, latency=0.02) as emu,
        emu.serve(),
        socket_client(emu, max_concurrency=5) as zoho,
    ):
        results = zoho.upsert("Accounts", accounts(2000), duplicate_check_fields=["JDE_Address_Number"])
        peak = zoho.peak_concurrency
    statuses = Counter(entry.status for entry in emu.request_log)
    assert statuses == {200: 21}  # the token, then 20 batches
    assert all(result.ok for result in results)
    assert [result.index for result in results] == list(range(2000))
    assert 1 < emu.peak_concurrency <= 5
    assert 1 < peak <= 5


def test_without_the_limiter_the_same_load_meets_429_answers() -> None:
    # The control for the test above: room for 20 calls in flight against a limit of 2.
    with ZohoEmulator(concurrency=2, latency=0.02) as emu, emu.serve():
        oauth = ZohoOAuth.from_refresh_token(
            emu.client_id, emu.client_secret, emu.refresh_token, Region.custom(emu.url, emu.url)
        )
        with (
            ZohoClient(oauth, max_concurrency=20, retry=RetryPolicy.never()) as zoho,
            pytest.raises((PartialWriteError, ZohoRateLimitedError)) as caught,
        ):
            zoho.upsert("Accounts", accounts(2000), duplicate_check_fields=["JDE_Address_Number"])
    # Calls that fit under the limit landed (their results ride on the PartialWriteError); others met 429.
    refused = caught.value.error if isinstance(caught.value, PartialWriteError) else caught.value
    assert isinstance(refused, ZohoRateLimitedError)
    assert refused.code == "TOO_MANY_REQUESTS"
    assert not isinstance(refused, ApiCreditsExhaustedError)
    assert 429 in {entry.status for entry in emu.request_log}


def test_a_channel_asked_for_two_weeks_is_scheduled_from_the_expiry_zoho_answered(
    served: ZohoEmulator, clock: Clock
) -> None:
    with socket_client(served, clock) as zoho:
        manager = ChannelManager(
            zoho.channels, channel_id="77", events=["Vendors.all"], notify_url="https://hooks.example/zoho", token=CHANNEL_TOKEN,
            lifetime=timedelta(weeks=2), clock=clock,
        )  # fmt: skip
        channel = manager.ensure()
        assert channel.expiry == clock.now + timedelta(hours=1)
        assert manager.next_renewal == clock.now + timedelta(minutes=50)
        clock.advance(timedelta(minutes=55))
        assert manager.ensure().expiry == clock.now + timedelta(hours=1)
    assert [entry.method for entry in served.request_log if entry.path == "/crm/v8/actions/watch"] == [
        "GET",
        "POST",
        "PATCH",
    ]
