"""The Zoho poll reads each changed record once, though the run writes JDE keys back as it goes."""

from __future__ import annotations

from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.engine import SyncEngine
from jde_zoho_sdk.sync.events import PageRead, SyncEvent
from jde_zoho_sdk.sync.model import Direction, Entity
from tests.sync.conftest import FakeClock, Systems


class TimePasses:
    """Moves the clock a second per batch, as a real run takes time between its reads and writes."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock

    def on_event(self, event: SyncEvent) -> None:
        if isinstance(event, PageRead):
            self.clock.advance(1)


def test_zoho_born_accounts_are_polled_once_not_again_after_their_keys_are_written_back(
    systems: Systems,
) -> None:
    ids = systems.zoho_emu.insert_many(
        "Accounts",
        ({"Account_Name": f"Prospect {n}", "Email": f"buyer{n}@prospect.example"} for n in range(250)),
    )
    systems.clock.advance(60)
    engine = SyncEngine(
        ais=systems.ais,
        zoho=systems.zoho,
        store=systems.store,
        config=SyncConfig(entities=frozenset({Entity.CUSTOMER})),
        observers=[TimePasses(systems.clock)],
        clock=systems.clock,
    )
    report = engine.run("zoho_to_jde")
    assert report.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].read == len(ids)
    polls = [r for r in systems.zoho_emu.request_log if r.method == "GET" and r.path == "/crm/v8/Accounts"]
    assert len(polls) == 2  # 250 records in pages of 200; the 250 written back are not read again
    assert all(systems.zoho_emu.get("Accounts", i)["JDE_Address_Number"] for i in ids)  # type: ignore[index]
