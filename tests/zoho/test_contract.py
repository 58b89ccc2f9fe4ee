"""Contract tests: the client against Zoho's documented example exchanges, replayed from cassettes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import vcr
from vcr.cassette import Cassette

from jde_zoho_sdk.testing.vcr import make_vcr
from jde_zoho_sdk.zoho import (
    PaginationLimitError,
    Region,
    ZohoClient,
    ZohoNotFoundError,
    ZohoOAuth,
    ZohoPermissionError,
    parse_notification,
)

from .conftest import no_sleep_retry

CASSETTES = Path(__file__).parent.parent / "cassettes" / "zoho"


def offline(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"the network was used for {request.method} {request.url}")


@pytest.fixture
def recorder() -> vcr.VCR:
    return make_vcr(CASSETTES, record_mode="none")


@pytest.fixture
def zoho() -> Iterator[ZohoClient]:
    oauth = ZohoOAuth.from_refresh_token(
        "1000.CONTRACT", "contract-client-secret", "1000.contract-refresh-token", Region.US
    )
    with ZohoClient(oauth, transport=httpx.MockTransport(offline), retry=no_sleep_retry()) as client:
        yield client


def test_token_answer_and_a_documented_records_page(recorder: vcr.VCR, zoho: ZohoClient) -> None:
    with recorder.use_cassette("token_and_records_page.yaml") as cassette:
        records = list(
            zoho.iter_records("Leads", ["Company", "First_Name", "Last_Name", "Email"], per_page=5)
        )
    assert cassette.all_played
    first, second = records
    assert (first.id, first.get("Company"), first.get("Email")) == (
        "4150868000000002175",
        "Zylker Corp",
        "john.doe@zylker.com",
    )
    assert first.get("Owner") == {
        "name": "Patricia Boyle",
        "id": "4150868000000225013",
        "email": "patricia.boyle@example.com",
    }
    assert first.modified_time == datetime(2023, 10, 15, 14, 20, tzinfo=UTC)
    assert second.modified_time == datetime(
        2023, 10, 16, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))
    )
    assert second.get("Converted__s") is True
    assert zoho.oauth.api_domain == "https://www.zohoapis.com"


def test_the_documented_mixed_upsert_answer(recorder: vcr.VCR, zoho: ZohoClient) -> None:
    rows: list[dict[str, object]] = [
        {"Last_Name": "Doe", "Email": "jane@zylker.com"},
        {"Last_Name": "Roe", "Company": {"bad": "value"}},
    ]
    with recorder.use_cassette("upsert_mixed_results.yaml") as cassette:
        added, refused = zoho.upsert("Leads", rows, duplicate_check_fields=["Email"])
    assert cassette.all_played
    assert (added.index, added.action, added.id, added.duplicate_field) == (
        0,
        "insert",
        "111112000000142001",
        "Email",
    )
    assert added.modified_time == datetime(2023, 5, 10, 8, 10, 47, tzinfo=UTC)
    assert refused.error is not None
    assert (refused.index, refused.error.code, refused.error.api_name) == (1, "INVALID_DATA", "Company")
    assert refused.error.details["expected_data_type"] == "text"


def test_documented_error_envelopes_become_typed_errors(recorder: vcr.VCR, zoho: ZohoClient) -> None:
    with recorder.use_cassette("error_envelopes.yaml") as cassette:
        with pytest.raises(PaginationLimitError) as discrete:
            list(zoho.iter_records("Accounts", ["Account_Name"]))
        # REQUIRED_PARAM_MISSING (getRecords/examples/response-400-requiredparammissing.md) cannot be
        # met any more: the client refuses a lookup without fields before sending it.
        with pytest.raises(ValueError, match="fields"):
            zoho.get_records("Accounts", ["1"], fields=[])
        with pytest.raises(ZohoNotFoundError) as module:
            zoho.fields("Acounts")
        with pytest.raises(ZohoPermissionError) as scope:
            zoho.search("Vendors", email="ap@acme.example")
        (duplicate,) = zoho.insert("Accounts", [{"Account_Name": "Zylker", "Unique_1": "X"}])
    assert cassette.all_played
    assert discrete.value.details == {"limit": 2000}
    assert "first 2000 records" in str(discrete.value)
    assert module.value.status == 400
    assert scope.value.status == 401
    assert duplicate.error is not None
    assert (duplicate.error.code, duplicate.error.api_name, duplicate.error.duplicate_record_id) == (
        "DUPLICATE_DATA",
        "Unique_1",
        "2008662000006256222",
    )


def test_the_documented_watch_answer_gives_the_expiry_zoho_chose(recorder: vcr.VCR, zoho: ZohoClient) -> None:
    asked = datetime(2023, 8, 9, 16, 59, 50, tzinfo=timezone(timedelta(hours=-11)))
    with recorder.use_cassette("watch_enable.yaml") as cassette:
        channel = zoho.channels.watch(
            "10000", ["Deals.all"], "https://example.com/zoho/cb?key1=val1", "a-channel-token", asked
        )
    assert cassette.all_played
    assert channel.channel_id == "10000"
    assert channel.modules == ("Deals",)
    assert channel.expiry == datetime(2023, 8, 2, 16, 59, 50, tzinfo=timezone(timedelta(hours=-11)))
    assert channel.expiry < asked


def test_the_documented_callback_body_verifies_and_parses() -> None:
    # The token in this cassette is the documentation's own example value, kept so the body verifies.
    cassette = Cassette.load(path=str(CASSETTES / "notification_callback.yaml"))
    (request,) = cassette.requests
    body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
    notification = parse_notification(body, "TOKEN_FOR_VERIFICATION_OF_1000000068001")
    assert (notification.module, notification.operation, notification.ids) == (
        "Leads",
        "insert",
        ("5725767000003000064",),
    )
    assert notification.query_params == {"key1": "val1"}
    assert notification.server_time == datetime(2024, 6, 11, 14, 45, 26, 473000, tzinfo=UTC)
