"""A seeded distributor converges in one run, and a second run right after writes nothing."""

from __future__ import annotations

from collections import Counter

from jde_zoho_sdk.sync.model import Direction, Entity
from jde_zoho_sdk.testing import seed
from tests.sync.conftest import Systems


def test_first_run_converges_and_second_run_writes_nothing(systems: Systems) -> None:
    data = seed.generate(customers=60, seed=3)
    systems.load(data)
    engine = systems.engine()

    report = engine.run()
    assert report.failed == 0, systems.store.list_failures()

    accounts = systems.zoho_emu.records("Accounts")
    by_key = Counter(str(a.get("JDE_Address_Number") or "") for a in accounts)
    customers = [row for row in systems.ais_emu.tables.rows("F0101") if row["AT1"] == "C"]
    for row in customers:
        assert by_key[str(row["AN8"])] == 1, f"customer {row['AN8']} has {by_key[str(row['AN8'])]} accounts"
    # Pre-existing twins were linked, not duplicated: every Zoho account has a JDE customer, and no more.
    assert len(accounts) == len(customers)
    # Accounts born in Zoho became JDE customers through the create orchestration.
    zoho_only = len(data.zoho["Accounts"]) - len(data.shared_by_email) - len(data.shared_by_tax_id)
    assert len(customers) == 60 + zoho_only

    writes_before = systems.zoho_emu.request_log
    again = engine.run()
    assert again.written == 0, again.counts
    assert again.failed == 0
    assert [
        r for r in systems.zoho_emu.request_log[len(writes_before) :] if r.method in ("POST", "PUT")
    ] == []
    assert again.total(Direction.JDE_TO_ZOHO).written == 0
    assert (
        again.counts.get((Entity.CUSTOMER, Direction.ZOHO_TO_JDE)) is None
        or again.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].written == 0
    )


def test_contacts_hang_off_the_right_account_and_fields_are_mapped(systems: Systems) -> None:
    data = seed.generate(customers=40, seed=5)
    systems.load(data)
    report = systems.engine().run()
    assert report.failed == 0, systems.store.list_failures()
    emu = systems.zoho_emu
    account_of = {str(a["JDE_Address_Number"]): a for a in emu.records("Accounts")}
    contacts = emu.records("Contacts")
    by_key = {str(c.get("JDE_Contact_Key")): c for c in contacts if c.get("JDE_Contact_Key")}
    emails = {(r["AN8"], r["IDLN"]): r["EMAL"] for r in systems.ais_emu.tables.rows("F01151") if r["IDLN"]}
    customers = {r["AN8"] for r in systems.ais_emu.tables.rows("F0101") if r["AT1"] == "C"}
    expected = [(an8, line) for (an8, line) in emails if an8 in customers]
    assert expected
    for an8, line in expected:
        contact = by_key[f"{an8}-{line}"]
        assert contact["Account_Name"]["id"] == account_of[str(an8)]["id"]  # type: ignore[index]
        assert contact["Email"] == emails[(an8, line)]
    # Every Zoho-born contact reached JDE as a who's who line of its account's customer.
    for contact in contacts:
        an8, _, line = str(contact["JDE_Contact_Key"]).partition("-")
        account = account_of[an8]
        assert contact["Account_Name"]["id"] == account["id"]  # type: ignore[index]
        assert systems.ais_emu.tables.get("F0111", {"AN8": int(an8), "IDLN": int(line)}) is not None
    # Mapped values: JDE financial data reached Zoho through the value maps.
    for row in systems.ais_emu.tables.rows("F03012"):
        account = account_of[str(row["AN8"])]
        assert account["Credit_Limit"] == row["ACL"]
        assert account["Payment_Terms"] == seed.ZOHO_TERMS.get(str(row["TRAR"]), account["Payment_Terms"])
