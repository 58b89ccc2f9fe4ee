"""Runs that pull nothing from Zoho first (``run("jde_to_zoho")``, replays) read Zoho before they write it.

A run in both directions pulls Zoho's changes before pushing JDE's, so the push may take a linked record's
Zoho side to be its snapshot. A run that pulled nothing cannot: it wrote JDE's value over a newer Zoho
edit of the same field, and the next run then saw Zoho unchanged, so the edit was lost for good.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from jde_zoho_sdk.sync.model import AuditAction, Direction, Entity
from tests.sync.conftest import CUSTOMER, Systems


def _jde_city(systems: Systems) -> str:
    address = systems.ais_emu.tables.get("F0116", {"AN8": CUSTOMER, "EFTB": None})
    assert address is not None
    return str(address["CTY1"])


def _city_changed_in_jde_then_in_zoho(systems: Systems) -> str:
    account_id = str(systems.account(CUSTOMER)["id"])
    systems.ais_emu.tables.update("F0116", {"AN8": CUSTOMER, "EFTB": None}, {"CTY1": "Evanston"})
    systems.clock.advance(600)
    systems.zoho_emu.update("Accounts", account_id, {"Billing_City": "Skokie"})  # newer: it wins
    systems.clock.advance(60)
    return account_id


def test_a_jde_to_zoho_run_keeps_a_newer_zoho_edit_of_the_field_and_the_next_full_run_settles_it(
    synced: Systems,
) -> None:
    account_id = _city_changed_in_jde_then_in_zoho(synced)

    report = synced.engine().run("jde_to_zoho")

    assert report.failed == 0
    assert synced.account(CUSTOMER)["Billing_City"] == "Skokie"
    assert _jde_city(synced) == "Evanston"  # a one-way run writes no JDE
    [held] = [
        event
        for event in synced.store.query_audit(record_key=account_id)
        if event.action is AuditAction.SKIP and event.run_id == report.run_id
    ]
    assert held.fields == ("city",)
    synced.clock.advance(60)

    synced.engine().run()

    assert (synced.account(CUSTOMER)["Billing_City"], _jde_city(synced)) == ("Skokie", "Skokie")
    synced.clock.advance(60)
    assert synced.engine().run().written == 0


def test_a_jde_to_zoho_run_writes_jdes_changes_and_leaves_zohos_other_edits_for_the_next_full_run(
    synced: Systems,
) -> None:
    account_id = str(synced.account(CUSTOMER)["id"])
    synced.zoho_emu.update("Accounts", account_id, {"Phone": "312 555 0199"})
    synced.clock.advance(60)
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(77_000)})

    report = synced.engine().run("jde_to_zoho")

    assert report.counts[(Entity.CUSTOMER, Direction.JDE_TO_ZOHO)].updated == 1
    account = synced.account(CUSTOMER)
    assert (account["Credit_Limit"], account["Phone"]) == (Decimal(77_000), "312 555 0199")
    synced.clock.advance(60)

    synced.engine().run()

    phone = synced.ais_emu.tables.get("F0115", {"AN8": CUSTOMER, "IDLN": 0, "RCK7": 1})
    assert phone is not None
    assert (phone["AR1"], phone["PH1"]) == ("312", "555 0199")


def test_a_replay_of_a_jde_change_keeps_a_zoho_edit_made_since_it_failed(synced: Systems) -> None:
    account_id = str(synced.account(CUSTOMER)["id"])
    # Zoho refuses the e-mail: the city change fails with it, for a replay.
    synced.ais_emu.tables.update("F01151", {"AN8": CUSTOMER, "IDLN": 0, "RCK7": 1}, {"EMAL": "not-an-e-mail"})
    synced.ais_emu.tables.update("F0116", {"AN8": CUSTOMER, "EFTB": None}, {"CTY1": "Evanston"})
    assert synced.engine().run().failed == 1
    synced.clock.advance(60)
    synced.ais_emu.tables.update(
        "F01151", {"AN8": CUSTOMER, "IDLN": 0, "RCK7": 1}, {"EMAL": "fixed@acme.example"}
    )
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", account_id, {"Billing_City": "Skokie"})  # newer than JDE's city
    synced.clock.advance(60)

    assert synced.engine().replay().failed == 0

    account = synced.account(CUSTOMER)
    assert (account["Email"], account["Billing_City"], _jde_city(synced)) == (
        "fixed@acme.example",
        "Skokie",
        "Skokie",
    )


def test_a_zoho_edit_held_back_by_a_one_way_run_still_wins_after_a_later_jde_edit(synced: Systems) -> None:
    _city_changed_in_jde_then_in_zoho(synced)
    synced.engine().run("jde_to_zoho")
    synced.clock.advance(600)
    # A later JDE edit of another field dates JDE's record after Zoho's edit of the city.
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(77_000)})
    synced.clock.advance(60)

    synced.engine().run()

    # As a run in both directions instead of the one-way run would have left it: Zoho's newer city.
    assert (synced.account(CUSTOMER)["Billing_City"], _jde_city(synced)) == ("Skokie", "Skokie")
    assert synced.account(CUSTOMER)["Credit_Limit"] == Decimal(77_000)


@pytest.mark.parametrize("replayed", [False, True], ids=["one-way run", "replay"])
def test_a_zoho_side_that_cannot_be_mapped_does_not_hold_back_jdes_change(
    synced: Systems, replayed: bool
) -> None:
    account_id = str(synced.account(CUSTOMER)["id"])
    if replayed:  # a JDE change Zoho refused (the e-mail), then mended in JDE, for a replay
        synced.ais_emu.tables.update(
            "F01151", {"AN8": CUSTOMER, "IDLN": 0, "RCK7": 1}, {"EMAL": "not-an-e-mail"}
        )
        assert synced.engine().run("jde_to_zoho").failed == 1
        synced.clock.advance(60)
        synced.ais_emu.tables.update(
            "F01151", {"AN8": CUSTOMER, "IDLN": 0, "RCK7": 1}, {"EMAL": "fixed@acme.example"}
        )
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(77_000)})
    synced.zoho_emu.update("Accounts", account_id, {"Billing_Country": "Deutschland"})  # no value map entry
    synced.clock.advance(60)

    report = synced.engine().replay() if replayed else synced.engine().run("jde_to_zoho")

    assert report.failed == 0, synced.store.list_failures()
    assert synced.account(CUSTOMER)["Credit_Limit"] == Decimal(77_000)
