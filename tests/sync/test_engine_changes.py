"""Incremental changes in both directions, conflicts, failures and replay, deletes, dry runs, notifications."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync.engine import SyncAbortedError, SyncEngine
from jde_zoho_sdk.sync.events import BatchWritten, CheckpointCommitted, RunFinished, RunStarted
from jde_zoho_sdk.sync.merge import FieldPolicy
from jde_zoho_sdk.sync.model import AuditAction, Direction, Entity
from jde_zoho_sdk.sync.report import EntityCounts
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.faults import Fault
from jde_zoho_sdk.zoho import Notification
from tests.sync.conftest import CUSTOMER, Systems


def zoho_writes(systems: Systems, since: int) -> list[str]:
    return [
        f"{r.method} {r.path}" for r in systems.zoho_emu.request_log[since:] if r.method in ("POST", "PUT")
    ]


def test_credit_limit_change_in_jde_reaches_zoho_and_nothing_else_moves(synced: Systems) -> None:
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(98_500)})
    log_start = len(synced.zoho_emu.request_log)
    report = synced.engine().run()
    assert synced.account(CUSTOMER)["Credit_Limit"] == Decimal(98_500)
    counts = report.counts[(Entity.CUSTOMER, Direction.JDE_TO_ZOHO)]
    assert (counts.updated, counts.created, report.failed) == (1, 0, 0), synced.store.list_failures()
    assert zoho_writes(synced, log_start) == ["PUT /crm/v8/Accounts"]
    synced.clock.advance(60)
    assert synced.engine().run().written == 0


def test_new_zoho_account_becomes_a_jde_customer_once(synced: Systems) -> None:
    zoho_id = synced.zoho_emu.insert(
        "Accounts",
        {"Account_Name": "Brand New Prospect LLC", "Email": "buyer@brandnew.example", "Tax_ID": "98-7654321",
         "Payment_Terms": "Net 45", "Credit_Limit": Decimal("7500.49"), "Billing_Country": "Canada"},
    )  # fmt: skip
    report = synced.engine().run()
    assert report.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].created == 1
    [row] = [r for r in synced.ais_emu.tables.rows("F0101") if r["ALKY"] == zoho_id]
    terms = synced.ais_emu.tables.get("F03012", {"AN8": row["AN8"], "CO": "00000"})
    assert terms is not None
    assert (row["ALPH"], row["TAX"], terms["TRAR"], terms["ACL"]) == (
        "Brand New Prospect LLC",
        "98-7654321",
        "N45",
        7500,
    )
    assert synced.zoho_emu.get("Accounts", zoho_id)["JDE_Address_Number"] == str(row["AN8"])  # type: ignore[index]
    synced.clock.advance(60)
    again = synced.engine().run()
    assert again.written == 0, again.counts
    # Zoho keeps its 7500.49 and JDE its rounded 7500: each side's snapshot is what it stores.
    assert synced.zoho_emu.get("Accounts", zoho_id)["Credit_Limit"] == Decimal("7500.49")  # type: ignore[index]


def test_conflict_is_merged_field_by_field_by_policy(synced: Systems) -> None:
    account = synced.account(CUSTOMER)
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(40_000)})
    synced.ais_emu.tables.update("F0116", {"AN8": CUSTOMER, "EFTB": None}, {"CTY1": "Evanston"})
    synced.clock.advance(30)
    synced.zoho_emu.update(
        "Accounts", str(account["id"]), {"Credit_Limit": Decimal(1_000), "Billing_City": "Skokie"}
    )
    report = synced.engine().run()
    assert report.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].conflicts == 1
    after = synced.account(CUSTOMER)
    address = synced.ais_emu.tables.get("F0116", {"AN8": CUSTOMER, "EFTB": None})
    terms = synced.ais_emu.tables.get("F03012", {"AN8": CUSTOMER, "CO": "00000"})
    assert address is not None
    assert terms is not None
    # JDE owns the credit limit; the city changed last in Zoho, so Zoho's wins (newest wins).
    assert (after["Credit_Limit"], terms["ACL"]) == (Decimal(40_000), Decimal(40_000))
    assert (after["Billing_City"], address["CTY1"]) == ("Skokie", "Skokie")
    events = synced.store.query_audit(run_id=report.run_id, record_key=str(CUSTOMER))
    merges = [e for e in events if e.action is AuditAction.MERGE]
    assert len(merges) == 1
    # One write to each side in the run: the merge's (no second write of the same values by the push).
    writes = [(e.direction, e.fields) for e in events if e.action is AuditAction.UPDATE]
    assert sorted(writes) == [
        (Direction.JDE_TO_ZOHO, ("credit_limit",)),
        (Direction.ZOHO_TO_JDE, ("city",)),
    ], events
    assert "credit_limit from jde" in merges[0].message
    assert "city from zoho" in merges[0].message
    synced.clock.advance(60)
    assert synced.engine().run().written == 0


def test_policy_can_give_a_field_to_zoho(synced: Systems) -> None:
    account = synced.account(CUSTOMER)
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(40_000)})
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Credit_Limit": Decimal(1_000)})
    synced.engine(policies={"credit_limit": FieldPolicy.ZOHO_WINS}).run()
    assert synced.account(CUSTOMER)["Credit_Limit"] == Decimal(1_000)


def test_failing_record_is_stored_rest_lands_and_replay_writes_the_newest_value(synced: Systems) -> None:
    good = synced.zoho_emu.insert("Accounts", {"Account_Name": "Good One", "Email": "good@one.example"})
    bad = synced.zoho_emu.insert("Accounts", {"Account_Name": "Nowhere Ltd", "Billing_Country": "Narnia"})
    report = synced.engine().run()
    assert report.failed == 1
    [failure] = synced.store.list_failures()
    assert (failure.source_key, failure.stage, failure.error_code) == (bad, "map", "MappingError")
    assert "country" in failure.message
    assert [r for r in synced.ais_emu.tables.rows("F0101") if r["ALKY"] == good]
    synced.clock.advance(60)
    # The source is fixed (and edited again) in Zoho; a replay re-reads it and writes the newest value.
    synced.zoho_emu.update("Accounts", bad, {"Billing_Country": "Mexico", "Account_Name": "Somewhere Ltd"})
    replay = synced.engine().replay()
    assert replay.failed == 0
    assert synced.store.list_failures() == []
    [row] = [r for r in synced.ais_emu.tables.rows("F0101") if r["ALKY"] == bad]
    assert row["ALPH"] == "Somewhere Ltd"
    assert [r["CTR"] for r in synced.ais_emu.tables.rows("F0116") if r["AN8"] == row["AN8"]] == ["MX"]


def test_zoho_refusing_one_row_fails_only_that_record(synced: Systems) -> None:
    synced.ais_emu.tables.update("F01151", {"AN8": CUSTOMER, "IDLN": 0, "RCK7": 1}, {"EMAL": "not-an-e-mail"})
    synced.ais_emu.tables.update("F03012", {"AN8": 100_005, "CO": "00000"}, {"ACL": Decimal(12_000)})
    report = synced.engine().run()
    assert report.failed == 1
    [failure] = synced.store.list_failures()
    assert (failure.source_key, failure.stage, failure.error_code) == (str(CUSTOMER), "write", "INVALID_DATA")
    assert synced.account(100_005)["Credit_Limit"] == Decimal(12_000)
    synced.clock.advance(60)
    synced.ais_emu.tables.update(
        "F01151", {"AN8": CUSTOMER, "IDLN": 0, "RCK7": 1}, {"EMAL": "fixed@acme.example"}
    )
    assert synced.engine().replay().failed == 0
    assert synced.account(CUSTOMER)["Email"] == "fixed@acme.example"


def test_contact_and_vendor_created_in_zoho_reach_jde(synced: Systems) -> None:
    account = synced.account(CUSTOMER)
    contact_id = synced.zoho_emu.insert(
        "Contacts",
        {
            "First_Name": "Inés",
            "Last_Name": "García",
            "Email": "ines@acme.example",
            "Account_Name": {"id": account["id"]},
        },
    )
    vendor_id = synced.zoho_emu.insert("Vendors", {"Vendor_Name": "Bolts & Nuts Co", "Tax_ID": "11-2223334"})
    report = synced.engine().run()
    assert report.failed == 0, synced.store.list_failures()
    [line] = [r for r in synced.ais_emu.tables.rows("F0111") if r["REM1"] == contact_id]
    assert (line["AN8"], line["GNNM"], line["SRNM"]) == (CUSTOMER, "Inés", "García")
    [vendor] = [r for r in synced.ais_emu.tables.rows("F0101") if r["ALKY"] == vendor_id]
    assert vendor["AT1"] == "V"
    assert synced.zoho_emu.get("Contacts", contact_id)["JDE_Contact_Key"] == f"{CUSTOMER}-{line['IDLN']}"  # type: ignore[index]


def test_zoho_delete_is_recorded_and_nothing_is_deleted_in_jde(synced: Systems) -> None:
    account = synced.account(CUSTOMER)
    synced.zoho_emu.delete("Accounts", str(account["id"]))
    report = synced.engine().run()
    assert report.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].deleted == 1
    assert synced.ais_emu.tables.get("F0101", {"AN8": CUSTOMER}) is not None
    [link] = synced.store.get_links_by_jde(Entity.CUSTOMER, [str(CUSTOMER)]).values()
    assert link.deleted_in == "zoho"
    # A later JDE edit does not bring the deleted account back.
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(1)})
    synced.clock.advance(60)
    synced.engine().run()
    assert not [
        a for a in synced.zoho_emu.records("Accounts") if a.get("JDE_Address_Number") == str(CUSTOMER)
    ]
    events = synced.store.query_audit(record_key=str(CUSTOMER))
    assert any(e.action is AuditAction.DELETE for e in events)
    assert any(e.action is AuditAction.SKIP and "deleted in zoho" in e.message for e in events)


def test_same_name_different_tax_ids_stay_two(systems: Systems) -> None:
    data = seed.generate(customers=60, seed=2)
    systems.load(data)
    assert data.same_name
    systems.engine().run()
    for first, second in data.same_name:
        one, two = systems.account(first), systems.account(second)
        assert one["Account_Name"] == two["Account_Name"]
        assert one["id"] != two["id"]


def test_dry_run_lists_the_changes_the_next_run_makes_and_writes_nothing(synced: Systems) -> None:
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(66_000)})
    synced.zoho_emu.insert("Accounts", {"Account_Name": "Planned Co", "Email": "plan@planned.example"})
    log_start = len(synced.zoho_emu.request_log)
    orchestrations = len(synced.ais_emu.orchestration_log)
    plan = synced.engine().plan()
    assert zoho_writes(synced, log_start) == []
    assert len(synced.ais_emu.orchestration_log) == orchestrations
    planned = {(c.entity, c.direction, c.action) for c in plan.changes}
    assert (Entity.CUSTOMER, Direction.JDE_TO_ZOHO, AuditAction.UPDATE) in planned
    assert (Entity.CUSTOMER, Direction.ZOHO_TO_JDE, AuditAction.CREATE) in planned
    [update] = [c for c in plan.changes if c.action is AuditAction.UPDATE]
    assert update.direction is Direction.JDE_TO_ZOHO
    assert [(f.field, f.new) for f in update.changes] == [("credit_limit", Decimal("66000.00"))]
    # The new account, once created in JDE, is told its JDE key.
    [key_write] = [c for c in plan.changes if c.action is AuditAction.LINK]
    assert (key_write.direction, key_write.jde_key, key_write.changes) == (Direction.JDE_TO_ZOHO, "", ())
    report = synced.engine().run()
    done = {(e, d) for (e, d), counts in report.counts.items() if counts.written}
    assert done == {(Entity.CUSTOMER, Direction.JDE_TO_ZOHO), (Entity.CUSTOMER, Direction.ZOHO_TO_JDE)}


def _written(
    counts: Mapping[tuple[Entity, Direction], EntityCounts],
) -> dict[tuple[Entity, Direction], tuple[int, ...]]:
    return {
        key: (c.created, c.updated, c.linked)
        for key, c in counts.items()
        if c.created or c.updated or c.linked
    }


def test_a_plan_lists_a_record_changed_on_both_sides_once_per_write(synced: Systems) -> None:
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(66_000)})
    synced.clock.advance(60)
    zoho_id = str(synced.account(CUSTOMER)["id"])
    synced.zoho_emu.update("Accounts", zoho_id, {"Phone": "312 555 0111"})
    synced.clock.advance(60)

    plan = synced.engine().plan()

    listed = [
        (c.direction, c.action, c.jde_key, c.zoho_id, [f.field for f in c.changes]) for c in plan.changes
    ]
    assert sorted(listed) == [
        (Direction.JDE_TO_ZOHO, AuditAction.UPDATE, str(CUSTOMER), zoho_id, ["credit_limit"]),
        (Direction.ZOHO_TO_JDE, AuditAction.UPDATE, str(CUSTOMER), zoho_id, ["phone"]),
    ]
    report = synced.engine().run()
    assert _written(plan.report.counts) == _written(report.counts)


def test_a_plan_of_a_first_sync_counts_what_the_first_run_then_does(systems: Systems) -> None:
    systems.load(seed.generate(customers=40, seed=5))

    plan = systems.engine().plan()
    report = systems.engine().run()

    # Records found on both sides are planned as links once, not linked by one phase and created by the
    # other; contacts of accounts the run creates in JDE first are planned too.
    assert _written(plan.report.counts) == _written(report.counts)
    writes = {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.LINK}
    audited = systems.store.query_audit(run_id=report.run_id)
    assert Counter((c.entity, c.action) for c in plan.changes) == Counter(
        (e.entity, e.action) for e in audited if e.action in writes
    )
    assert {c.action for c in plan.changes} == writes


def test_notification_ids_are_queued_then_drained(synced: Systems) -> None:
    account = synced.account(CUSTOMER)
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Phone": "414 555-0123"})
    notification = Notification(
        module="Accounts",
        operation="update",
        ids=(str(account["id"]),),
        channel_id="1",
        server_time=synced.clock(),
    )
    engine = synced.engine()
    assert engine.handle_notification(notification) == 1
    assert engine.handle_notification(notification) == 0  # duplicates collapse
    report = engine.drain()
    assert report.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].updated == 1
    phone = [r for r in synced.ais_emu.tables.rows("F0115") if r["AN8"] == CUSTOMER and r["IDLN"] == 0]
    assert (phone[0]["AR1"], phone[0]["PH1"]) == ("414", "555-0123")
    assert synced.store.queue_depth() == 0


def test_reconcile_finds_records_deleted_in_jde(synced: Systems) -> None:
    account = synced.account(CUSTOMER)
    synced.ais_emu.tables.delete("F0101", {"AN8": CUSTOMER})
    report = synced.engine().reconcile()
    assert report.counts[(Entity.CUSTOMER, Direction.JDE_TO_ZOHO)].deleted == 1
    [link] = synced.store.get_links_by_jde(Entity.CUSTOMER, [str(CUSTOMER)]).values()
    assert link.deleted_in == "jde"
    assert synced.zoho_emu.get("Accounts", str(account["id"])) is not None  # nothing deleted in Zoho
    assert synced.engine().reconcile().counts == {}  # already marked: nothing new


def test_every_write_is_audited_end_to_end_with_the_audit_id_on_the_target(synced: Systems) -> None:
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(31_000)})
    report = synced.engine().run()
    events = synced.store.query_audit(run_id=report.run_id)
    [update] = [e for e in events if e.action is AuditAction.UPDATE and e.jde_key == str(CUSTOMER)]
    assert update.fields == ("credit_limit",)
    assert update.direction is Direction.JDE_TO_ZOHO
    assert synced.account(CUSTOMER)["Sync_Audit_ID"] == update.audit_id
    history = synced.store.query_audit(record_key=str(CUSTOMER))
    assert history[0].action in (AuditAction.CREATE, AuditAction.LINK)
    assert history[-1] == update


def test_observers_see_the_run_in_order(synced: Systems) -> None:
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(31_000)})
    synced.observer.events.clear()
    synced.engine().run()
    kinds = [type(e) for e in synced.observer.events]
    assert kinds[0] is RunStarted
    assert kinds[-1] is RunFinished
    written = kinds.index(BatchWritten)
    assert CheckpointCommitted in kinds[written:]


def test_run_over_its_credit_budget_stops_cleanly_and_the_next_run_finishes(synced: Systems) -> None:
    for index in range(25):
        synced.ais_emu.tables.update(
            "F03012", {"AN8": 100_000 + index + 1, "CO": "00000"}, {"ACL": Decimal(1_000 + index)}
        )
    cursor = synced.store.get_cursor("jde:F03012")
    with pytest.raises(SyncAbortedError) as stopped:
        synced.engine(zoho_credit_budget=3, batch_size=10).run()
    assert "credit" in str(stopped.value).lower()
    assert synced.store.get_cursor("jde:F03012") == cursor  # nothing it covered is lost
    report = synced.engine().run()
    assert report.failed == 0
    assert synced.account(100_025)["Credit_Limit"] == Decimal(1_024)


def test_stop_ends_the_run_after_the_batch_in_flight_and_the_next_run_finishes(synced: Systems) -> None:
    for index in range(12):
        synced.ais_emu.tables.update(
            "F03012", {"AN8": 100_001 + index, "CO": "00000"}, {"ACL": Decimal(2_000 + index)}
        )
    engine = synced.engine(batch_size=4)

    plans: list[bool] = []

    class StopAfterFirstWriteThenPlan:
        def on_event(self, event: object) -> None:
            if isinstance(event, BatchWritten) and not plans:
                engine.stop()
                # A plan made while the run goes on must not erase the stop aimed at the run.
                plans.append(engine.plan().report.stopped)

    engine.observers = (*engine.observers, StopAfterFirstWriteThenPlan())
    cursor = synced.store.get_cursor("jde:F03012")
    report = engine.run()
    assert report.stopped
    assert plans == [True]  # the plan stopped too
    assert 0 < report.written < 12
    assert synced.store.get_cursor("jde:F03012") == cursor  # the JDE phase did not finish
    assert not engine.plan().report.stopped  # the stop was for that run only
    again = synced.engine().run()
    assert not again.stopped
    assert synced.account(100_012)["Credit_Limit"] == Decimal(2_011)


def test_replayed_failures_are_marked_replayed(synced: Systems) -> None:
    bad = synced.zoho_emu.insert("Accounts", {"Account_Name": "Nowhere Ltd", "Billing_Country": "Narnia"})
    synced.engine().run()
    synced.zoho_emu.update("Accounts", bad, {"Billing_Country": "Mexico"})
    [open_failure] = synced.store.list_failures()
    synced.engine().replay(open_failure.failure_id)  # one id, given as it is
    [failure] = synced.store.list_failures(include_resolved=True)
    assert (failure.source_key, failure.resolution) == (bad, "replayed")


def test_a_reply_slower_than_the_timeout_stops_the_run_and_the_next_one_finishes(systems: Systems) -> None:
    systems.load(seed.generate(customers=6, seed=13))
    assert systems.ais_emu.url is not None
    slow = AisClient(
        systems.ais_emu.url,
        AisCredentials("JDE", "JDE"),
        timezone="America/Chicago",
        timeout=0.3,
        retry=RetryPolicy(max_tries=2, sleep=lambda _s: None),
    )
    # The emulator's own thread waits 1 s before answering data requests: past the client's 0.3 s timeout.
    systems.ais_emu.faults.add(Fault(path=r"/dataservice", delay=1.0, times=2))
    engine = SyncEngine(ais=slow, zoho=systems.zoho, store=systems.store, clock=systems.clock)
    with pytest.raises(SyncAbortedError) as stopped:
        engine.run()
    assert "did not answer in time" in str(stopped.value.__cause__)
    assert systems.store.get_cursor("jde:F0101") is None
    assert engine.run().failed == 0
    assert len(systems.zoho_emu.records("Accounts")) >= 6
    slow.close()


def test_a_quiet_second_run_records_no_audit_events(synced: Systems) -> None:
    report = synced.engine().run()
    assert synced.store.query_audit(run_id=report.run_id) == []
    assert report.written == 0


def test_a_lost_state_store_is_rebuilt_from_the_keys_zoho_holds_without_twins(
    synced: Systems, tmp_path: Path
) -> None:
    # A customer with neither a tax id nor an e-mail can only be recognised by the JDE key Zoho holds.
    synced.ais_emu.tables.update("F0101", {"AN8": CUSTOMER}, {"TAX": ""})
    synced.ais_emu.tables.delete("F01151", {"AN8": CUSTOMER, "IDLN": 0, "RCK7": 1})
    synced.engine().run()
    accounts = len(synced.zoho_emu.records("Accounts"))
    customers = len(synced.ais_emu.tables.rows("F0101"))
    contacts = len(synced.zoho_emu.records("Contacts"))
    with SqliteStateStore(tmp_path / "fresh.db") as fresh:
        engine = SyncEngine(ais=synced.ais, zoho=synced.zoho, store=fresh, clock=synced.clock)
        report = engine.run()
        assert report.failed == 0, fresh.list_failures()
        assert len(synced.zoho_emu.records("Accounts")) == accounts
        assert len(synced.ais_emu.tables.rows("F0101")) == customers
        assert len(synced.zoho_emu.records("Contacts")) == contacts
        [link] = fresh.get_links_by_jde(Entity.CUSTOMER, [str(CUSTOMER)]).values()
        assert link.zoho_id == synced.account(CUSTOMER)["id"]


def test_a_contact_edited_in_both_systems_gets_each_edit_in_one_run(synced: Systems) -> None:
    contact = next(
        c
        for c in synced.zoho_emu.records("Contacts")
        if str(c.get("JDE_Contact_Key")).startswith(f"{CUSTOMER}-")
    )
    line = int(str(contact["JDE_Contact_Key"]).split("-")[1])
    synced.ais_emu.tables.update("F0111", {"AN8": CUSTOMER, "IDLN": line}, {"ATTL": "Head of Purchasing"})
    synced.clock.advance(60)
    synced.zoho_emu.update("Contacts", str(contact["id"]), {"Mobile": "312 555 0199"})
    synced.clock.advance(60)

    report = synced.engine().run()

    assert synced.store.list_failures() == []
    assert report.counts[(Entity.CONTACT, Direction.ZOHO_TO_JDE)].updated == 1
    assert synced.zoho_emu.get("Contacts", str(contact["id"]))["Title"] == "Head of Purchasing"  # type: ignore[index]
    mobiles = [
        (r["AR1"], r["PH1"])
        for r in synced.ais_emu.tables.rows("F0115")
        if (r["AN8"], r["IDLN"], r["PHTP"]) == (CUSTOMER, line, "CAR")
    ]
    assert mobiles == [("312", "555 0199")]  # split like the phone, as it is read back


def test_a_mobiles_area_code_held_in_jde_survives_a_zoho_edit(synced: Systems) -> None:
    mobile = next(r for r in synced.ais_emu.tables.rows("F0115") if r["PHTP"] == "CAR")
    key = {"AN8": mobile["AN8"], "IDLN": mobile["IDLN"], "RCK7": mobile["RCK7"]}
    synced.ais_emu.tables.update("F0115", key, {"AR1": "312", "PH1": "555-0199"})  # F0115 holds it so
    synced.clock.advance(60)
    synced.engine().run()
    contact_key = f"{mobile['AN8']}-{mobile['IDLN']}"
    contact = next(c for c in synced.zoho_emu.records("Contacts") if c.get("JDE_Contact_Key") == contact_key)
    assert contact["Mobile"] == "312 555-0199"
    synced.clock.advance(60)
    synced.zoho_emu.update("Contacts", str(contact["id"]), {"Mobile": "312 555-0200"})
    synced.clock.advance(60)

    synced.engine().run()
    synced.clock.advance(60)
    synced.engine().run()

    row = synced.ais_emu.tables.get("F0115", key)
    assert row is not None
    assert (row["AR1"], row["PH1"]) == ("312", "555-0200")  # not "312 555-0200" behind AR1 "312"
    assert synced.zoho_emu.get("Contacts", str(contact["id"]))["Mobile"] == "312 555-0200"  # type: ignore[index]


def test_a_blank_address_line_in_jde_is_not_taken_for_a_zoho_edit(synced: Systems) -> None:
    [row] = [r for r in synced.ais_emu.tables.rows("F0116") if r["AN8"] == CUSTOMER]
    key = {"AN8": CUSTOMER, "EFTB": row["EFTB"]}
    synced.ais_emu.tables.update("F0116", key, {"ADD1": "", "ADD2": "Suite 5"})
    synced.clock.advance(60)
    synced.engine().run()  # Zoho's one street text cannot keep the blank first line
    synced.clock.advance(60)

    second = synced.engine().run()

    assert second.written == 0
    after = synced.ais_emu.tables.get("F0116", key)
    assert after is not None
    assert (after["ADD1"], after["ADD2"]) == ("", "Suite 5")  # JDE's lines are not shifted


def test_a_contact_moved_to_another_account_in_zoho_fails_visibly_and_is_not_moved_back(
    synced: Systems,
) -> None:
    contact = next(
        c
        for c in synced.zoho_emu.records("Contacts")
        if str(c.get("JDE_Contact_Key")).startswith(f"{CUSTOMER}-")
    )
    other = next(
        a
        for a in synced.zoho_emu.records("Accounts")
        if a.get("JDE_Address_Number") and a["JDE_Address_Number"] != str(CUSTOMER)
    )
    synced.zoho_emu.update("Contacts", str(contact["id"]), {"Account_Name": {"id": other["id"]}})
    synced.clock.advance(60)

    report = synced.engine().run()

    assert report.failed == 1
    [failure] = synced.store.list_failures()
    assert (failure.source_key, failure.stage) == (str(contact["id"]), "parent")
    assert "cannot move to another address number" in failure.message
    synced.clock.advance(60)
    synced.engine().run()
    moved = synced.zoho_emu.get("Contacts", str(contact["id"]))
    assert moved is not None
    assert moved["Account_Name"]["id"] == other["id"]  # type: ignore[index]  # the user's move stands
