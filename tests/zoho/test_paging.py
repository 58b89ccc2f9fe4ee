"""Reading a whole module: page, then page_token, then Modified_Time windows past a chain's reach."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta

import pytest

from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import (
    PageInfo,
    PaginationLimitError,
    ZohoClient,
    ZohoRecord,
    ZohoUnexpectedResponseError,
)
from jde_zoho_sdk.zoho._paging import iter_windows
from jde_zoho_sdk.zoho.records import Page

from .conftest import START, Clock, in_process_client


def seed_accounts(emu: ZohoEmulator, count: int) -> list[str]:
    return emu.insert_many(
        "Accounts", ({"Account_Name": f"Account {n}", "JDE_Address_Number": str(n)} for n in range(count))
    )


def test_page_numbers_then_page_token_past_the_first_2000() -> None:
    clock = Clock(step=timedelta(seconds=1))
    with ZohoEmulator(clock=clock) as emu:
        ids = seed_accounts(emu, 2300)
        with in_process_client(emu) as zoho:
            seen = [record.id for record in zoho.iter_records("Accounts", ["Account_Name"], sort_by="id")]
    assert seen == ids
    reads = [entry for entry in emu.request_log if entry.path == "/crm/v8/Accounts"]
    assert len(reads) == 12  # pages 1-10 by number, 11-12 by token
    assert {entry.status for entry in reads} == {200}


def test_a_read_past_the_token_reach_continues_in_windows_with_each_record_once() -> None:
    # Two records per second, so window boundaries fall inside a second and must be de-duplicated.
    clock = Clock(step=timedelta(milliseconds=500))
    with ZohoEmulator(clock=clock, page_token_reach=2100) as emu:
        ids = seed_accounts(emu, 5000)
        with in_process_client(emu) as zoho:
            seen = [record.id for record in zoho.iter_records("Accounts", ["Account_Name"], per_page=200)]
    assert Counter(seen) == Counter(ids)
    statuses = Counter(entry.status for entry in emu.request_log if entry.path == "/crm/v8/Accounts")
    assert statuses[400] == 2  # PAGINATION_LIMIT_EXCEEDED answered twice; a new window started each time


def test_modified_since_reads_only_later_changes_and_nothing_when_none(clock: Clock) -> None:
    with ZohoEmulator(clock=clock) as emu:
        old = seed_accounts(emu, 3)
        clock.advance(timedelta(hours=1))
        changed = emu.insert("Accounts", {"Account_Name": "New"})
        emu.update("Accounts", old[1], {"Phone": "+1 555 0100"})
        with in_process_client(emu) as zoho:
            since = START + timedelta(minutes=30)
            assert {r.id for r in zoho.iter_records("Accounts", ["Phone"], modified_since=since)} == {
                changed,
                old[1],
            }
            later = START + timedelta(days=2)
            assert list(zoho.iter_records("Accounts", ["Phone"], modified_since=later)) == []
    assert emu.request_log[-1].status == 304


def test_an_empty_module_yields_nothing(zoho: ZohoClient, emulator: ZohoEmulator) -> None:
    assert list(zoho.iter_records("Vendors", ["Vendor_Name"])) == []
    assert emulator.request_log[-1].status == 204


def test_read_parameters_are_checked_before_any_call(zoho: ZohoClient) -> None:
    with pytest.raises(ValueError, match="1 to 49 fields"):
        zoho.iter_records("Accounts", [f"F{n}" for n in range(50)])
    with pytest.raises(ValueError, match="per_page"):
        zoho.iter_records("Accounts", ["Account_Name"], per_page=201)
    with pytest.raises(ValueError, match="module API name"):
        zoho.iter_records("Accounts/../settings", ["Account_Name"])


# -- the window logic alone, with a scripted fetch ------------------------------------------------------


def record(number: int, second: int) -> ZohoRecord:
    return ZohoRecord(str(number), "Accounts", START + timedelta(seconds=second), {})


class Script:
    """Answers like Zoho over ``records`` sorted by Modified_Time, with a chain reach of ``reach``."""

    def __init__(self, records: list[ZohoRecord], reach: int, per_page: int = 2) -> None:
        self.records = records
        self.reach = reach
        self.per_page = per_page
        self.calls: list[tuple[dict[str, str], datetime | None]] = []

    def __call__(self, query: Mapping[str, str], since: datetime | None) -> Page | None:
        self.calls.append((dict(query), since))
        pool = [
            r
            for r in self.records
            if since is None or (r.modified_time is not None and r.modified_time >= since)
        ]
        start = (
            int(query["page_token"]) if "page_token" in query else (int(query["page"]) - 1) * self.per_page
        )
        if start >= self.reach:
            raise PaginationLimitError("reach", code="PAGINATION_LIMIT_EXCEEDED", status=400)
        chunk = pool[start : start + self.per_page]
        if not chunk:
            return None
        more = start + self.per_page < len(pool)
        return Page(
            chunk, PageInfo(more_records=more, next_page_token=str(start + self.per_page) if more else None)
        )


def test_windows_restart_at_the_last_second_and_skip_what_was_already_yielded() -> None:
    records = [record(n, second) for n, second in enumerate([0, 1, 1, 1, 2, 3, 3, 4, 5])]
    script = Script(records, reach=4)
    seen = [r.id for r in iter_windows(script, {}, per_page=2, since=None, windowed=True)]
    assert seen == [str(n) for n in range(9)]
    assert next(since for _, since in script.calls if since is not None) == START + timedelta(seconds=1)


def test_more_records_in_one_second_than_a_chain_reaches_is_a_clear_error() -> None:
    records = [record(n, 7) for n in range(6)]
    with pytest.raises(PaginationLimitError, match="share one Modified_Time"):
        list(iter_windows(Script(records, reach=4), {}, per_page=2, since=None, windowed=True))


def test_a_read_not_sorted_by_modified_time_cannot_continue_past_the_reach() -> None:
    records = [record(n, n) for n in range(6)]
    with pytest.raises(PaginationLimitError):
        list(iter_windows(Script(records, reach=4), {}, per_page=2, since=None, windowed=False))


def test_more_records_without_a_token_past_the_page_limit_is_an_unexpected_answer() -> None:
    def fetch(query: Mapping[str, str], since: datetime | None) -> Page:
        return Page([record(int(query.get("page", 0)), 0)], PageInfo(more_records=True))

    with pytest.raises(ZohoUnexpectedResponseError, match="no next_page_token"):
        list(iter_windows(fetch, {}, per_page=200, since=None, windowed=True))
