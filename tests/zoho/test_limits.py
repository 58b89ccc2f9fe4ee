"""The client's own budgets: calls in flight capped by the limiter, credits counted and capped."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import (
    ApiCreditsExhaustedError,
    CreditBudgetExceededError,
    PartialWriteError,
    Region,
    ZohoClient,
    ZohoConfigError,
    ZohoNotFoundError,
    ZohoOAuth,
    ZohoServerError,
    write_cost,
)
from jde_zoho_sdk.zoho._limits import ConcurrencyLimiter, CreditMeter

from .conftest import Clock, in_process_client, no_sleep_retry

TOKEN = {"access_token": "1000.access.abcdef", "api_domain": "https://www.zohoapis.com", "expires_in": 3600}


def client(handler: httpx.MockTransport, **options: object) -> ZohoClient:
    oauth = ZohoOAuth.from_refresh_token("1000.ID", "client-secret-value", "1000.refresh-value", Region.US)
    return ZohoClient(oauth, transport=handler, retry=no_sleep_retry(), **options)  # type: ignore[arg-type]


def test_calls_from_many_threads_never_exceed_the_limit() -> None:
    limit = 3
    together = threading.Barrier(limit, timeout=5)  # every group of three must be in flight at once
    lock = threading.Lock()
    state = {"in_flight": 0, "peak": 0}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            return httpx.Response(200, json=TOKEN)
        with lock:
            state["in_flight"] += 1
            state["peak"] = max(state["peak"], state["in_flight"])
        together.wait()
        with lock:
            state["in_flight"] -= 1
        return httpx.Response(204)

    with client(httpx.MockTransport(handle), max_concurrency=limit) as zoho:
        workers = [threading.Thread(target=zoho.get_record, args=("Accounts", str(n))) for n in range(12)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert zoho.peak_concurrency == limit
    assert state["peak"] == limit


def test_upsert_batches_run_concurrently_and_come_back_in_input_order() -> None:
    together = threading.Barrier(4, timeout=5)

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            return httpx.Response(200, json=TOKEN)
        rows = json.loads(request.content)["data"]
        together.wait()  # four batches in flight at once, or this times out
        data = [
            {
                "code": "SUCCESS",
                "action": "insert",
                "duplicate_field": None,
                "details": {"id": row["Account_Name"]},
                "status": "success",
                "message": "record added",
            }
            for row in rows
        ]
        return httpx.Response(200, json={"data": data})

    with client(httpx.MockTransport(handle), max_concurrency=4) as zoho:
        results = zoho.upsert(
            "Accounts",
            [{"Account_Name": str(n)} for n in range(400)],
            duplicate_check_fields=["Account_Name"],
        )
        assert zoho.credits == 40
        assert zoho.stats.calls == 4
    assert [result.id for result in results] == [str(n) for n in range(400)]
    assert [result.index for result in results] == list(range(400))


def test_a_failed_batch_fails_the_call_and_stops_the_rest() -> None:
    sent: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            return httpx.Response(200, json=TOKEN)
        sent.append(len(json.loads(request.content)["data"]))
        return httpx.Response(
            400,
            json={
                "code": "INVALID_MODULE",
                "details": {},
                "message": "the module name given seems to be invalid",
                "status": "error",
            },
        )

    with client(httpx.MockTransport(handle), max_concurrency=1) as zoho, pytest.raises(ZohoNotFoundError):
        zoho.upsert("Acounts", [{"Name": str(n)} for n in range(1000)], duplicate_check_fields=["Name"])
    assert sent == [100]  # with one slot, the later batches were cancelled before they were sent


def internal_error() -> httpx.Response:
    body = {"code": "INTERNAL_ERROR", "details": {}, "message": "internal error", "status": "error"}
    return httpx.Response(500, json=body)


def inserted(request: httpx.Request) -> httpx.Response:
    rows = json.loads(request.content)["data"]
    data = [
        {
            "code": "SUCCESS",
            "details": {"id": row["Vendor_Name"]},
            "message": "record added",
            "status": "success",
        }
        for row in rows
    ]
    return httpx.Response(201, json={"data": data})


def test_a_call_failing_after_others_landed_keeps_their_results(clock: Clock) -> None:
    # The org has credits for two calls of 100 inserts; the third is refused.
    with (
        ZohoEmulator(clock=clock, daily_credit_cap=20) as emu,
        in_process_client(emu, clock, max_concurrency=1) as zoho,
        pytest.raises(PartialWriteError) as caught,
    ):
        zoho.insert("Vendors", [{"Vendor_Name": f"V{n}"} for n in range(300)])
    partial = caught.value
    assert isinstance(partial.error, ApiCreditsExhaustedError)
    assert partial.__cause__ is partial.error
    assert [result.index for result in partial.results] == list(range(200))
    assert all(result.ok and result.action == "insert" for result in partial.results)
    assert {result.id for result in partial.results} == {
        str(record["id"]) for record in emu.records("Vendors")
    }
    assert partial.failed == tuple(range(200, 300))
    assert partial.unsent == ()
    assert "records 200-299 are not confirmed" in str(partial)


def test_calls_after_a_failed_one_are_not_sent_and_said_so() -> None:
    sent: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            return httpx.Response(200, json=TOKEN)
        first = json.loads(request.content)["data"][0]["Vendor_Name"]
        sent.append(first)
        return internal_error() if first == "100" else inserted(request)

    with (
        client(httpx.MockTransport(handle), max_concurrency=1) as zoho,
        pytest.raises(PartialWriteError) as caught,
    ):
        zoho.insert("Vendors", [{"Vendor_Name": str(n)} for n in range(300)])
    assert sent == ["0", "100"]
    assert isinstance(caught.value.error, ZohoServerError)
    assert [result.id for result in caught.value.results] == [str(n) for n in range(100)]
    assert caught.value.failed == tuple(range(100, 200))
    assert caught.value.unsent == tuple(range(200, 300))


def test_concurrent_calls_that_landed_beside_a_failed_one_keep_their_results() -> None:
    together = threading.Barrier(4, timeout=5)  # all four calls in flight before any answers

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            return httpx.Response(200, json=TOKEN)
        together.wait()
        failing = json.loads(request.content)["data"][0]["Vendor_Name"] == "100"
        return internal_error() if failing else inserted(request)

    with (
        client(httpx.MockTransport(handle), max_concurrency=4) as zoho,
        pytest.raises(PartialWriteError) as caught,
    ):
        zoho.insert("Vendors", [{"Vendor_Name": str(n)} for n in range(400)])
    landed = [*range(100), *range(200, 400)]
    assert [result.index for result in caught.value.results] == landed
    assert [result.id for result in caught.value.results] == [str(n) for n in landed]
    assert caught.value.failed == tuple(range(100, 200))
    assert caught.value.unsent == ()


def test_failed_calls_zoho_may_have_applied_are_told_from_calls_it_refused_whole() -> None:
    together = threading.Barrier(4, timeout=5)  # all four calls in flight before any answers
    refused = {"code": "INVALID_DATA", "details": {}, "message": "invalid data", "status": "error"}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            return httpx.Response(200, json=TOKEN)
        together.wait()
        first = json.loads(request.content)["data"][0]["Vendor_Name"]
        if first == "0":
            return httpx.Response(400, json=refused)  # refused whole: nothing applied
        if first == "200":
            return internal_error()  # may come after Zoho applied the call
        if first == "300":
            return httpx.Response(200, json={"data": []})  # applied, but the answer cannot be read
        return inserted(request)

    with (
        client(httpx.MockTransport(handle), max_concurrency=4) as zoho,
        pytest.raises(PartialWriteError) as caught,
    ):
        zoho.insert("Vendors", [{"Vendor_Name": str(n)} for n in range(400)])
    partial = caught.value
    assert [result.index for result in partial.results] == list(range(100, 200))
    assert partial.failed == (*range(100), *range(200, 400))
    assert partial.unknown == tuple(range(200, 400))


@pytest.mark.parametrize(("records", "cost"), [(1, 1), (10, 1), (11, 2), (100, 10)])
def test_a_write_costs_one_credit_per_ten_records(records: int, cost: int) -> None:
    assert write_cost(records) == cost


def test_the_credit_meter_counts_across_threads_and_refuses_past_the_budget() -> None:
    meter = CreditMeter(1000)

    def spend_100() -> None:
        for _ in range(100):
            meter.spend(1)

    workers = [threading.Thread(target=spend_100) for _ in range(10)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert meter.spent == 1000
    with pytest.raises(CreditBudgetExceededError, match="raise credit_budget"):
        meter.spend(1)
    assert meter.spent == 1000


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ConcurrencyLimiter(0)
    with pytest.raises(ValueError, match="negative"):
        CreditMeter(-1)


def test_the_edition_sets_the_default_concurrency() -> None:
    oauth = ZohoOAuth.from_refresh_token("1000.ID", "client-secret-value", "1000.refresh-value", Region.US)
    assert [
        ZohoClient(oauth, edition=edition).max_concurrency
        for edition in ("free", "standard", "professional", "enterprise", "ultimate")
    ] == [5, 10, 15, 20, 25]
    assert ZohoClient(oauth, edition="free", max_concurrency=2).max_concurrency == 2
    with pytest.raises(ZohoConfigError, match="unknown edition"):
        ZohoClient(oauth, edition="platinum")  # type: ignore[arg-type]


def test_overlapping_windows_each_end_only_their_own_allowance() -> None:
    meter = CreditMeter(None)
    run, plan = meter.window(5), meter.window(100)
    run.__enter__()
    plan.__enter__()
    meter.spend(3)
    run.__exit__(None, None, None)  # the run ends first, while the plan goes on
    meter.spend(50)  # past what the run allowed: only the plan's allowance counts now
    with pytest.raises(CreditBudgetExceededError):
        meter.spend(48)  # the plan's 100 would be passed
    plan.__exit__(None, None, None)
    meter.spend(1_000)  # no window left: no cap stays behind
    assert meter.spent == 1_053


def test_a_window_inside_a_budget_is_bounded_by_both() -> None:
    meter = CreditMeter(10)
    with meter.window(50):
        meter.spend(10)
        with pytest.raises(CreditBudgetExceededError, match="raise credit_budget"):
            meter.spend(1)
