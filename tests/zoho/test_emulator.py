"""The emulator answers as Zoho documents: error codes and details, limits, duplicate checks, search, tokens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from jde_zoho_sdk.testing.faults import Fault
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import (
    ApiCreditsExhaustedError,
    CreditBudgetExceededError,
    ZohoClient,
    ZohoRecord,
    ZohoServerError,
    criterion,
)

from .conftest import Clock, in_process_client


class Raw:
    """Plain HTTP against the emulator, with a valid token."""

    def __init__(self, emu: ZohoEmulator) -> None:
        self.emu = emu
        self.http = httpx.Client(base_url=emu.url, transport=emu.transport())
        self.token = self.grant(grant_type="refresh_token", refresh_token=emu.refresh_token).json()[
            "access_token"
        ]

    def grant(self, **form: str) -> httpx.Response:
        return self.http.post(
            "/oauth/v2/token",
            data={"client_id": self.emu.client_id, "client_secret": self.emu.client_secret, **form},
        )

    def __call__(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {"Authorization": f"Zoho-oauthtoken {self.token}"}
        return self.http.request(method, f"/crm/v8/{path}", headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def raw(emulator: ZohoEmulator) -> Iterator[Raw]:
    client = Raw(emulator)
    yield client
    client.http.close()


def details(answer: httpx.Response) -> tuple[int, str, dict[str, object]]:
    body = answer.json()
    element = body["data"][0] if "data" in body else body
    return answer.status_code, element["code"], element["details"]


@pytest.mark.parametrize("by_ids", [{}, {"ids": "1"}], ids=["list", "by ids"])
def test_a_list_needs_fields_and_at_most_50(raw: Raw, by_ids: dict[str, str]) -> None:
    assert details(raw("GET", "Accounts", params=by_ids)) == (
        400,
        "REQUIRED_PARAM_MISSING",
        {"param_name": "fields"},
    )
    many = ",".join(f"F{n}" for n in range(51))
    assert details(raw("GET", "Accounts", params={**by_ids, "fields": many})) == (
        400,
        "LIMIT_EXCEEDED",
        {"limit": 50, "param_name": "fields"},
    )


def test_page_numbers_reach_only_2000_records(raw: Raw) -> None:
    answer = raw("GET", "Accounts", params={"fields": "Account_Name", "page": "11", "per_page": "200"})
    assert answer.json() == {
        "code": "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
        "details": {"limit": 2000},
        "message": "You can only get the first 2000 records without using page_token param",
        "status": "error",
    }
    both = raw("GET", "Accounts", params={"fields": "Account_Name", "page": "1", "page_token": "x"})
    assert details(both)[1] == "AMBIGUITY_DURING_PROCESSING"


def test_a_page_token_is_bound_to_its_parameters_and_expires(
    raw: Raw, emulator: ZohoEmulator, clock: Clock
) -> None:
    emulator.insert_many("Accounts", ({"Account_Name": f"A{n}"} for n in range(3)))
    first = raw("GET", "Accounts", params={"fields": "Account_Name", "per_page": "1"}).json()
    token = first["info"]["next_page_token"]
    assert first["info"]["more_records"] is True
    assert first["info"]["page_token_expiry"].endswith("-08:00")
    assert (
        raw(
            "GET", "Accounts", params={"fields": "Account_Name", "per_page": "1", "page_token": token}
        ).status_code
        == 200
    )
    other = raw("GET", "Accounts", params={"fields": "Phone", "per_page": "1", "page_token": token})
    assert details(other)[1] == "TOKEN_BOUND_DATA_MISMATCH"
    clock.advance(timedelta(hours=24))
    raw.token = raw.grant(grant_type="refresh_token", refresh_token=emulator.refresh_token).json()[
        "access_token"
    ]
    expired = raw("GET", "Accounts", params={"fields": "Account_Name", "per_page": "1", "page_token": token})
    assert details(expired)[1:] == ("EXPIRED_VALUE", {"param_name": "page_token"})


def test_values_are_checked_as_zoho_documents(raw: Raw) -> None:
    rows = [
        {"Last_Name": "x" * 81},
        {"First_Name": "no last name"},
        {"Last_Name": "ok", "Email": "not-an-email"},
        {"Last_Name": "ok", "Email_Opt_Out": "yes"},
        {"Last_Name": "ok", "Account_Name": {"id": "5725767999999999999"}},
        {"Last_Name": "ok", "Salutation": "Sir"},
        {"Last_Name": "ok", "Date_of_Birth": "2024-02-30"},
    ]
    answer = raw("POST", "Contacts", json={"data": rows})
    assert answer.status_code == 400  # every record refused: per-record errors, in order
    elements = answer.json()["data"]
    assert [(e["code"], e["details"].get("api_name")) for e in elements] == [
        ("INVALID_DATA", "Last_Name"),
        ("MANDATORY_NOT_FOUND", "Last_Name"),
        ("INVALID_DATA", "Email"),
        ("INVALID_DATA", "Email_Opt_Out"),
        ("INVALID_DATA", "Account_Name"),
        ("INVALID_DATA", "Salutation"),
        ("INVALID_DATA", "Date_of_Birth"),
    ]
    assert elements[0]["details"] == {
        "api_name": "Last_Name",
        "json_path": "$.data[0].Last_Name",
        "maximum_length": 80,
    }
    assert elements[2]["details"]["expected_data_type"] == "email"


def test_writes_take_at_most_100_records(raw: Raw) -> None:
    answer = raw("POST", "Vendors", json={"data": [{"Vendor_Name": str(n)} for n in range(101)]})
    assert details(answer) == (400, "LIMIT_EXCEEDED", {"limit": 100, "api_name": "data"})


def test_a_unique_field_refuses_a_second_holder_and_names_the_first(raw: Raw, emulator: ZohoEmulator) -> None:
    first = emulator.insert("Accounts", {"Account_Name": "A", "Tax_ID": "GB-1"})
    answer = raw("POST", "Accounts", json={"data": [{"Account_Name": "B", "Tax_ID": "gb-1"}]})
    status, code, info = details(answer)
    assert (status, code, info["api_name"]) == (400, "DUPLICATE_DATA", "Tax_ID")
    assert info["duplicate_record"]["id"] == first  # type: ignore[index]


def test_upsert_matches_in_the_order_given_and_refuses_fields_that_are_not_unique(
    raw: Raw, emulator: ZohoEmulator
) -> None:
    by_tax = emulator.insert("Accounts", {"Account_Name": "Tax holder", "Tax_ID": "T1"})
    by_key = emulator.insert("Accounts", {"Account_Name": "Key holder", "JDE_Address_Number": "9"})
    order = ["JDE_Address_Number", "Tax_ID"]
    rows = [
        {
            "Account_Name": "Matched by key",
            "JDE_Address_Number": "9",
            "Tax_ID": "T1",
        },  # T1 belongs to another record
        {"Account_Name": "Matched by tax id", "JDE_Address_Number": "10", "Tax_ID": "T1"},
        {"Account_Name": "New", "JDE_Address_Number": "11"},
    ]
    answer = raw("POST", "Accounts/upsert", json={"data": rows, "duplicate_check_fields": order})
    refused, by_tax_id, inserted = answer.json()["data"]
    assert answer.status_code == 207
    assert (
        refused["code"],
        refused["details"]["api_name"],
        refused["details"]["duplicate_record"]["id"],
    ) == ("DUPLICATE_DATA", "Tax_ID", by_tax)
    assert (by_tax_id["action"], by_tax_id["details"]["id"], by_tax_id["duplicate_field"]) == (
        "update",
        by_tax,
        "Tax_ID",
    )
    assert (inserted["action"], inserted["duplicate_field"]) == ("insert", None)
    assert emulator.get("Accounts", by_key)["Account_Name"] == "Key holder"  # type: ignore[index]
    not_unique = raw("POST", "Accounts/upsert", json={"data": rows, "duplicate_check_fields": ["Phone"]})
    assert details(not_unique)[:2] == (400, "INVALID_DATA")


def test_upsert_without_check_fields_uses_the_system_field_first(raw: Raw, emulator: ZohoEmulator) -> None:
    existing = emulator.insert("Vendors", {"Vendor_Name": "Acme Supply"})
    element = raw(
        "POST", "Vendors/upsert", json={"data": [{"Vendor_Name": "ACME SUPPLY", "Phone": "1"}]}
    ).json()["data"][0]
    assert (element["action"], element["details"]["id"], element["duplicate_field"]) == (
        "update",
        existing,
        "Vendor_Name",
    )


def test_update_needs_an_existing_id(raw: Raw) -> None:
    answer = raw(
        "PUT", "Accounts", json={"data": [{"Account_Name": "x"}, {"id": "123", "Account_Name": "x"}]}
    )
    assert [(e["code"], e["details"]["api_name"]) for e in answer.json()["data"]] == [
        ("MANDATORY_NOT_FOUND", "id"),
        ("INVALID_DATA", "id"),
    ]


def test_money_is_rounded_to_the_field_s_places_and_times_carry_the_org_offset(
    emulator: ZohoEmulator,
) -> None:
    record_id = emulator.insert("Accounts", {"Account_Name": "A", "Credit_Limit": Decimal("10.005")})
    stored = emulator.get("Accounts", record_id)
    assert stored is not None
    assert stored["Credit_Limit"] == Decimal("10.01")
    assert str(stored["Modified_Time"]) == "2025-03-03T01:00:00-08:00"
    assert stored["Owner"] == {
        "name": "Emulator Admin",
        "id": "5725767000000411001",
        "email": "admin@zoho-emulator.invalid",
    }


def test_picklists_are_configurable(clock: Clock) -> None:
    with ZohoEmulator(clock=clock, payment_terms=["N30", "N60"]) as emu:
        emu.insert("Accounts", {"Account_Name": "A", "Payment_Terms": "N60"})
        with pytest.raises(ValueError, match="Payment_Terms"):
            emu.insert("Accounts", {"Account_Name": "B", "Payment_Terms": "Net 30"})
        with in_process_client(emu) as zoho:
            terms = {field.api_name: field for field in zoho.fields("Accounts")}["Payment_Terms"]
    assert terms.picklist == ("N30", "N60")


def test_fields_metadata_shows_custom_unique_and_mandatory_fields(zoho: ZohoClient) -> None:
    fields = {field.api_name: field for field in zoho.fields("Accounts")}
    assert {name for name, field in fields.items() if field.is_unique} == {
        "JDE_Address_Number",
        "Tax_ID",
        "Email",
    }
    assert fields["Account_Name"].system_mandatory
    assert fields["Credit_Limit"].data_type == "currency"
    assert fields["Credit_Limit"].decimal_place == 2
    assert fields["Credit_Hold"].data_type == "boolean"
    assert fields["Customer_Category"].custom_field
    contacts = {field.api_name: field for field in zoho.fields("Contacts")}
    assert contacts["JDE_Contact_Key"].is_unique
    assert contacts["Account_Name"].lookup == {"module": {"api_name": "Accounts"}}
    vendors = {field.api_name: field for field in zoho.fields("Vendors")}
    assert vendors["JDE_Address_Number"].is_unique
    assert not vendors["Tax_ID"].is_unique


def test_search_by_criteria_email_and_word(zoho: ZohoClient, emulator: ZohoEmulator) -> None:
    emulator.insert_many(
        "Accounts",
        [
            {
                "Account_Name": "Smith (UK), Ltd",
                "Tax_ID": "GB1",
                "Email": "ap@smith.example",
                "Credit_Limit": 500,
            },
            {"Account_Name": "Smithers", "Tax_ID": "US2", "Credit_Limit": 1500},
            {"Account_Name": "Zylker", "Tax_ID": "US3", "Billing_City": "Smithville"},
        ],
    )

    def names(found: list[ZohoRecord]) -> set[object]:
        return {record.get("Account_Name") for record in found}

    assert names(
        zoho.search("Accounts", criteria=criterion("Account_Name", "equals", "Smith (UK), Ltd"))
    ) == {"Smith (UK), Ltd"}
    assert names(zoho.search("Accounts", criteria="(Account_Name:starts_with:smith)")) == {
        "Smith (UK), Ltd",
        "Smithers",
    }
    assert names(
        zoho.search(
            "Accounts",
            criteria=f"({criterion('Tax_ID', 'in', ['US2', 'US3'])}and(Credit_Limit:greater_than:1000))",
        )
    ) == {"Smithers"}
    assert names(zoho.search("Accounts", email="AP@smith.example")) == {"Smith (UK), Ltd"}
    assert names(zoho.search("Accounts", word="smith")) == {"Smith (UK), Ltd", "Smithers", "Zylker"}
    assert zoho.search("Accounts", criteria="(Tax_ID:equals:NOPE)") == []
    with pytest.raises(ValueError, match="exactly one"):
        zoho.search("Accounts", email="a@b.c", word="ab")


def test_malformed_criteria_is_an_invalid_query(raw: Raw) -> None:
    answer = raw("GET", "Accounts/search", params={"criteria": "(Tax_ID:like:x)"})
    assert details(answer)[:2] == (400, "INVALID_QUERY")


def test_deleted_records_are_listed_since_a_time(
    zoho: ZohoClient, emulator: ZohoEmulator, clock: Clock
) -> None:
    old, new = emulator.insert_many("Vendors", [{"Vendor_Name": "Old"}, {"Vendor_Name": "New"}])
    emulator.delete("Vendors", old)
    clock.advance(timedelta(hours=2))
    emulator.delete("Vendors", new)
    everything = list(zoho.iter_deleted("Vendors", None))
    assert [(entry.id, entry.type, entry.display_name) for entry in everything] == [
        (old, "recycle", "Old"),
        (new, "recycle", "New"),
    ]
    assert [entry.id for entry in zoho.iter_deleted("Vendors", clock.now - timedelta(hours=1))] == [new]
    assert zoho.get_record("Vendors", new) is None
    assert zoho.get_records("Vendors", [old, new], fields=["Vendor_Name"]) == []
    with pytest.raises(KeyError):
        emulator.delete("Vendors", new)


@pytest.mark.parametrize("count", [0, 50])
def test_get_records_refuses_before_sending_what_zoho_would_refuse(
    zoho: ZohoClient, emulator: ZohoEmulator, count: int
) -> None:
    # None (Zoho requires fields) or 51 with Modified_Time (Zoho takes 50).
    with pytest.raises(ValueError, match="1 to 49 fields"):
        zoho.get_records("Accounts", ["1"], [f"Field_{n}" for n in range(count)])
    assert emulator.request_log == []


def test_get_records_batches_ids_by_100_and_keeps_the_order_asked(
    zoho: ZohoClient, emulator: ZohoEmulator
) -> None:
    ids = emulator.insert_many("Contacts", ({"Last_Name": f"L{n}"} for n in range(250)))
    wanted = [*reversed(ids), "5725767000999999999", ids[0]]
    found = zoho.get_records("Contacts", wanted, fields=["Last_Name"])
    assert [record.id for record in found] == list(reversed(ids))
    assert sum(entry.path == "/crm/v8/Contacts" for entry in emulator.request_log) == 3


def test_token_endpoint_errors_answer_200_with_an_error_code(raw: Raw) -> None:
    assert raw.grant(grant_type="refresh_token", refresh_token="1000.nope").json() == {
        "error": "invalid_code"
    }
    wrong = raw.http.post(
        "/oauth/v2/token",
        data={"client_id": raw.emu.client_id, "client_secret": "wrong-secret", "grant_type": "refresh_token"},
    )
    assert (wrong.status_code, wrong.json()) == (200, {"error": "invalid_client_secret"})
    assert raw.grant(grant_type="client_credentials").json() == {"error": "missing_org_info"}
    assert raw.grant(grant_type="password").json() == {"error": "unsupported_grant_type"}
    issued = raw.grant(
        grant_type="client_credentials", soid=f"ZohoCRM.{raw.emu.org_id}", scope="ZohoCRM.modules.ALL"
    ).json()
    assert issued["api_domain"] == raw.emu.url
    assert issued["expires_in"] == 3600
    assert issued["scope"] == "ZohoCRM.modules.ALL"


def test_a_16th_live_token_replaces_the_oldest(raw: Raw, clock: Clock) -> None:
    first = raw.token
    tokens = [
        raw.grant(grant_type="refresh_token", refresh_token=raw.emu.refresh_token).json()["access_token"]
        for _ in range(9)
    ]
    clock.advance(timedelta(minutes=10))
    tokens += [
        raw.grant(grant_type="refresh_token", refresh_token=raw.emu.refresh_token).json()["access_token"]
        for _ in range(6)
    ]
    raw.token = first
    assert raw("GET", "settings/fields", params={"module": "Accounts"}).status_code == 401
    raw.token = tokens[0]
    assert raw("GET", "settings/fields", params={"module": "Accounts"}).status_code == 200


def test_unauthenticated_unknown_and_malformed_calls(raw: Raw) -> None:
    assert raw.http.get("/crm/v8/Accounts").json()["code"] == "AUTHENTICATION_FAILURE"
    bad = raw.http.get("/crm/v8/Accounts", headers={"Authorization": "Zoho-oauthtoken 1000.forged"})
    assert (bad.status_code, bad.json()["code"]) == (401, "INVALID_TOKEN")
    assert details(raw("GET", "Leadz", params={"fields": "x"})) == (
        400,
        "INVALID_MODULE",
        {"resource_path_index": 0},
    )
    assert raw("GET", "Accounts/1/2/3").status_code == 404
    assert raw.http.get("/nowhere").json()["code"] == "INVALID_URL_PATTERN"
    assert details(raw("DELETE", "Accounts"))[1] == "INVALID_REQUEST_METHOD"


def test_the_daily_credit_cap_stops_the_client_cleanly(clock: Clock) -> None:
    with ZohoEmulator(clock=clock, daily_credit_cap=3) as emu, in_process_client(emu) as zoho:
        zoho.fields("Accounts")
        zoho.upsert(
            "Accounts", [{"Account_Name": str(n)} for n in range(20)], duplicate_check_fields=["Account_Name"]
        )
        calls = len(emu.request_log)
        with pytest.raises(ApiCreditsExhaustedError) as caught:
            zoho.fields("Vendors")
        assert "rolling 24-hour window" in str(caught.value)
        assert len(emu.request_log) == calls + 1  # spent credits are not retried: no backoff helps
        clock.advance(timedelta(hours=24))
        assert zoho.fields("Vendors")
    assert emu.credits_used == 4


def test_the_client_refuses_a_call_past_its_own_budget_before_sending(emulator: ZohoEmulator) -> None:
    with in_process_client(emulator, credit_budget=12) as zoho:
        zoho.upsert(
            "Accounts",
            [{"Account_Name": str(n)} for n in range(100)],
            duplicate_check_fields=["Account_Name"],
        )
        zoho.fields("Accounts")
        with pytest.raises(CreditBudgetExceededError) as caught:
            zoho.upsert("Accounts", [{"Account_Name": "x"}] * 11, duplicate_check_fields=["Account_Name"])
        assert (caught.value.budget, caught.value.spent, caught.value.cost) == (12, 11, 2)
        assert zoho.credits == emulator.credits_used == 11


def test_faults_are_retried_for_upserts_but_an_insert_is_not_sent_twice(
    zoho: ZohoClient, emulator: ZohoEmulator
) -> None:
    emulator.faults.add(Fault(path=r"/Accounts/upsert$", status=503, times=2))
    (landed,) = zoho.upsert("Accounts", [{"Account_Name": "A"}], duplicate_check_fields=["Account_Name"])
    assert landed.ok
    emulator.faults.add(Fault(path=r"/crm/v8/Accounts$", method="POST", status=502))
    with pytest.raises(ZohoServerError):
        zoho.insert("Accounts", [{"Account_Name": "B"}])
    inserts = [
        entry.status
        for entry in emulator.request_log
        if entry.method == "POST" and entry.path == "/crm/v8/Accounts"
    ]
    assert inserts == [502]
    assert zoho.stats.retries == 2


def test_watch_expiry_follows_the_documented_rules(raw: Raw, clock: Clock) -> None:
    def watch(**item: object) -> httpx.Response:
        base = {
            "channel_id": 1000000068001,
            "events": ["Accounts.all"],
            "notify_url": "https://hooks.example",
            "token": "t",
        }
        return raw("POST", "actions/watch", json={"watch": [{**base, **item}]})

    def expiry(answer: httpx.Response) -> str:
        return str(answer.json()["watch"][0]["details"]["events"][0]["channel_expiry"])

    assert expiry(watch()) == "2025-03-03T02:00:00-08:00"  # omitted: one hour
    assert (
        expiry(watch(channel_expiry="2025-03-09T09:00:00+00:00")) == "2025-03-09T01:00:00-08:00"
    )  # within a week
    assert (
        expiry(watch(channel_expiry="2025-03-11T09:00:00+00:00")) == "2025-03-03T02:00:00-08:00"
    )  # over: one hour
    too_long = watch(token="t" * 51).json()["watch"][0]
    assert (too_long["code"], too_long["details"]["api_name"]) == ("INVALID_DATA", "token")
    unknown = raw(
        "PATCH",
        "actions/watch",
        json={"watch": [{"channel_id": 9, "channel_expiry": "2025-03-04T09:00:00+00:00"}]},
    )
    assert unknown.json()["watch"][0]["code"] == "INVALID_DATA"
    assert raw("DELETE", "actions/watch", params={"channel_ids": "1000000068001"}).status_code == 200
    assert raw("GET", "actions/watch").status_code == 204


def test_the_request_log_holds_no_query_strings_or_tokens(zoho: ZohoClient, emulator: ZohoEmulator) -> None:
    list(zoho.iter_records("Accounts", ["Account_Name"]))
    text = repr(emulator.request_log)
    assert "fields" not in text
    assert emulator.refresh_token not in text
    assert emulator.client_secret not in text


def test_a_credit_budget_window_limits_only_the_block(emulator: ZohoEmulator) -> None:
    with in_process_client(emulator) as zoho:
        zoho.fields("Accounts")
        with zoho.credit_budget(2):
            zoho.fields("Accounts")
            zoho.fields("Contacts")
            with pytest.raises(CreditBudgetExceededError):
                zoho.fields("Vendors")
        zoho.fields("Vendors")
        assert zoho.credits == 4
