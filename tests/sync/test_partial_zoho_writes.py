"""A system error that stops a batch's Zoho writes after some calls landed keeps what those calls did.

Zoho takes 100 records per call; a batch of more needs several. When a later call fails (a server error,
spent credits), the calls that landed are recorded with the batch (links, audit) before the run stops, and
only the others are written again by the next run.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from jde_zoho_sdk.sync.engine import SyncAbortedError
from jde_zoho_sdk.sync.model import AuditAction, Direction, Entity
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.faults import Fault
from tests.sync.conftest import Systems


@pytest.mark.parametrize(
    ("status", "body", "journaled"),
    [
        (500, b"", True),  # a server error may come after Zoho applied the call
        (200, {"data": []}, True),  # so may an answer that cannot be read
        (429, b"", False),  # a rate limit never does
    ],
    ids=["server error", "unreadable answer", "rate limit"],
)
def test_the_calls_that_landed_before_a_failed_one_are_recorded_and_not_written_again(
    systems: Systems, status: int, body: object, journaled: bool
) -> None:
    systems.load(seed.generate(customers=300, seed=5))
    assert systems.engine().run().failed == 0
    systems.clock.advance(120)
    numbers = [int(str(row["AN8"])) for row in systems.ais_emu.tables.rows("F03012")]
    linked = systems.store.get_links_by_jde(Entity.CUSTOMER, [str(n) for n in numbers])
    changed = sorted(int(key) for key in linked)[:150]  # 150 updates: two calls, 100 and 50
    for number in changed:
        systems.ais_emu.tables.update("F03012", {"AN8": number, "CO": "00000"}, {"ACL": Decimal(55_555)})
    systems.zoho_emu.faults.add(
        Fault(path=r"/crm/v8/Accounts$", method="PUT", status=status, body=body, after=1, times=None)
    )

    with pytest.raises(SyncAbortedError) as stopped:
        systems.engine(batch_size=200, zoho_credit_budget=None).run()

    systems.zoho_emu.faults.clear()
    landed = {n for n in changed if systems.account(n)["Credit_Limit"] == Decimal(55_555)}
    assert len(landed) in (50, 100)  # whichever call came second failed
    links = systems.store.get_links_by_jde(Entity.CUSTOMER, [str(n) for n in changed])
    for number in changed:
        link = links[str(number)]
        if number in landed:
            assert link.pending is None
            assert link.jde_snapshot["credit_limit"] == Decimal(55_555)
        else:
            assert (link.pending is not None) is journaled
            assert link.jde_snapshot["credit_limit"] != Decimal(55_555)
    run_id = stopped.value.report.run_id
    audited = {
        event.jde_key
        for event in systems.store.query_audit(run_id=run_id)
        if event.action is AuditAction.UPDATE and event.entity is Entity.CUSTOMER
    }
    assert audited == {str(n) for n in landed}
    systems.clock.advance(60)

    report = systems.engine().run()

    assert report.failed == 0
    assert all(systems.account(n)["Credit_Limit"] == Decimal(55_555) for n in changed)
    # Only the records of the failed call are written again.
    assert report.counts[(Entity.CUSTOMER, Direction.JDE_TO_ZOHO)].updated == len(changed) - len(landed)
