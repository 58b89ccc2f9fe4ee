"""A read that writes as it goes (the sync's Zoho -> JDE pass) still meets every record once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from jde_zoho_sdk.testing.zoho import ZohoEmulator

from .conftest import Clock, in_process_client


def test_records_modified_between_pages_do_not_shift_the_pages_after_them(clock: Clock) -> None:
    with ZohoEmulator(clock=clock) as emu:
        ids = emu.insert_many("Accounts", ({"Account_Name": f"Account {n}"} for n in range(600)))
        clock.advance(timedelta(minutes=5))
        seen: list[str] = []
        with in_process_client(emu) as zoho:
            for record in zoho.iter_records("Accounts", ["Account_Name"], per_page=200):
                seen.append(record.id)
                if len(seen) % 200 == 0:
                    # Write the page back, as the sync does with the JDE keys it learned: these records
                    # move to the end of a Modified_Time read.
                    zoho.update("Accounts", [{"id": i, "Phone": "1"} for i in seen[-200:]])
    assert Counter(seen[:600]) == Counter(ids)
