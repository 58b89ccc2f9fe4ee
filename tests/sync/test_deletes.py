"""Deletes on either side: links marked, nothing deleted across, twins flagged, refused flags replayed."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from jde_zoho_sdk.sync import (
    AuditAction,
    DefaultMapper,
    Direction,
    Entity,
    MappingConfig,
    OrchestrationNames,
    SyncAbortedError,
    ZohoFieldNames,
)
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import FormErrorSpec, OrchestrationCall, OrchestrationFailure
from jde_zoho_sdk.testing.faults import Fault
from jde_zoho_sdk.testing.zoho import ZohoField
from tests.sync.conftest import Systems

CUSTOMER = "100004"
FLAG = "JZ_FlagDeleted"


@pytest.fixture
def zoho_extra_fields() -> dict[str, list[ZohoField]]:
    return {
        "Accounts": [ZohoField(api_name="JDE_Deleted", data_type="boolean", label="JDE deleted", custom=True)]
    }


@pytest.fixture
def world(systems: Systems) -> Systems:
    """Customers, contacts and suppliers after a first sync."""
    systems.load(seed.generate(customers=8, seed=17))
    systems.engine().run()
    systems.clock.advance(60)
    return systems


def category_30(world: Systems) -> object:
    """F0101.AC30 of the customer, which the built-in flag orchestration sets to DEL."""
    [row] = [row for row in world.ais_emu.tables.rows("F0101") if str(row["AN8"]) == CUSTOMER]
    return row["AC30"]


def customer_failures(world: Systems) -> list[tuple[str, str, str, str]]:
    """Open failures of customers (a deleted account's contacts lose their parent: they fail too)."""
    return [
        (f.direction, f.stage, f.source_key, f.target_key)
        for f in world.store.list_failures()
        if f.entity is Entity.CUSTOMER
    ]


def zoho_id(world: Systems) -> str:
    [link] = world.store.get_links_by_jde(Entity.CUSTOMER, [CUSTOMER]).values()
    return link.zoho_id


def test_a_refused_zoho_flag_is_a_failure_of_the_jde_record_and_replay_sends_it_again(world: Systems) -> None:
    account = zoho_id(world)
    world.ais_emu.tables.delete("F0101", {"AN8": int(CUSTOMER)})
    # The flag mapped to a picklist by mistake: Zoho refuses True there (a record error).
    wrong = DefaultMapper(MappingConfig(zoho_fields=ZohoFieldNames(jde_deleted="Payment_Terms")))

    report = world.engine(wrong, flag_zoho_on_jde_delete=True).reconcile()

    assert report.counts[(Entity.CUSTOMER, Direction.JDE_TO_ZOHO)].deleted == 1
    assert customer_failures(world) == [("jde_to_zoho", "flag", CUSTOMER, account)]
    events = world.store.query_audit(run_id=report.run_id)
    [delete] = [e for e in events if e.action is AuditAction.DELETE]
    assert (delete.jde_key, delete.zoho_id) == (CUSTOMER, account)
    assert "flagged" not in delete.message
    [fail] = [e for e in events if e.action is AuditAction.FAIL]
    assert (fail.jde_key, fail.zoho_id) == (CUSTOMER, account)
    [link] = world.store.get_links_by_jde(Entity.CUSTOMER, [CUSTOMER]).values()
    assert link.deleted_in == "jde"

    world.clock.advance(60)
    replayed = world.engine(flag_zoho_on_jde_delete=True).replay()  # the mapping fixed

    assert world.store.list_failures() == []
    stored = world.zoho_emu.get("Accounts", account)
    assert stored is not None
    assert stored["JDE_Deleted"] is True
    [flagged] = [e for e in world.store.query_audit(run_id=replayed.run_id) if e.action is AuditAction.DELETE]
    assert stored["Sync_Audit_ID"] == flagged.audit_id
    [resolved] = world.store.list_failures(include_resolved=True)
    assert resolved.resolution == "replayed"


def test_a_flag_no_longer_configured_is_resolved_as_not_needed(world: Systems) -> None:
    world.ais_emu.tables.delete("F0101", {"AN8": int(CUSTOMER)})
    wrong = DefaultMapper(MappingConfig(zoho_fields=ZohoFieldNames(jde_deleted="Payment_Terms")))
    world.engine(wrong, flag_zoho_on_jde_delete=True).reconcile()
    assert len(customer_failures(world)) == 1

    world.engine().replay()  # flagging turned off

    [resolved] = world.store.list_failures(include_resolved=True)
    assert resolved.resolution == "not needed"


def test_a_jde_flag_refused_by_the_orchestration_is_replayed(world: Systems) -> None:
    account = zoho_id(world)
    builtin = world.ais_emu.orchestrations[FLAG].handler
    on_hold = [True]

    def strict(call: OrchestrationCall) -> Mapping[str, object]:
        if on_hold[0]:
            raise OrchestrationFailure(FormErrorSpec(code="0187", title="Error: Address Number on hold"))
        return builtin(call)

    world.ais_emu.register_orchestration("JZ_FlagDeletedStrict", strict)
    names = OrchestrationNames(flag_deleted="JZ_FlagDeletedStrict")
    world.zoho_emu.delete("Accounts", account)

    report = world.engine(orchestrations=names).run()

    assert report.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].deleted == 1
    assert customer_failures(world) == [("zoho_to_jde", "flag", account, CUSTOMER)]
    assert category_30(world) != "DEL"
    [link] = world.store.get_links_by_jde(Entity.CUSTOMER, [CUSTOMER]).values()
    assert link.deleted_in == "zoho"

    on_hold[0] = False
    world.clock.advance(60)
    world.engine(orchestrations=names).replay()

    assert customer_failures(world) == []
    assert category_30(world) == "DEL"


def test_a_jde_flag_that_meets_a_system_error_stops_the_run_and_the_next_run_flags(world: Systems) -> None:
    account = zoho_id(world)
    names = OrchestrationNames(flag_deleted=FLAG)
    world.zoho_emu.delete("Accounts", account)
    world.ais_emu.faults.add(Fault(path=rf"/orchestrator/{FLAG}", status=503, times=5))

    with pytest.raises(SyncAbortedError):
        world.engine(orchestrations=names).run()
    [link] = world.store.get_links_by_jde(Entity.CUSTOMER, [CUSTOMER]).values()
    assert not link.deleted  # nothing recorded: the delete is seen again

    world.ais_emu.faults.clear()
    world.clock.advance(60)
    report = world.engine(orchestrations=names).run()

    assert report.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].deleted == 1
    assert customer_failures(world) == []
    assert category_30(world) == "DEL"


def test_reconcile_can_flag_the_zoho_twin_of_a_record_deleted_in_jde(world: Systems) -> None:
    account = zoho_id(world)
    world.ais_emu.tables.delete("F0101", {"AN8": int(CUSTOMER)})

    report = world.engine(flag_zoho_on_jde_delete=True).reconcile()

    assert report.counts[(Entity.CUSTOMER, Direction.JDE_TO_ZOHO)].deleted == 1
    stored = world.zoho_emu.get("Accounts", account)
    assert stored is not None
    assert stored["JDE_Deleted"] is True
    [event] = [e for e in world.store.query_audit(run_id=report.run_id) if e.action is AuditAction.DELETE]
    assert stored["Sync_Audit_ID"] == event.audit_id
    assert "flagged in Zoho (JDE_Deleted)" in event.message


def test_a_jde_contact_edit_under_a_customer_deleted_in_zoho_fails_at_stage_parent(world: Systems) -> None:
    account = world.account(CUSTOMER)
    contacts = [
        link for link in world.store.page_links(Entity.CONTACT) if link.jde_key.startswith(f"{CUSTOMER}-")
    ]
    line = int(contacts[0].jde_key.split("-")[1])
    world.zoho_emu.delete("Accounts", str(account["id"]))
    world.clock.advance(60)
    world.engine().run()  # records the delete
    world.clock.advance(60)
    world.ais_emu.tables.update("F0111", {"AN8": int(CUSTOMER), "IDLN": line}, {"ATTL": "Buyer"})
    world.clock.advance(60)

    world.engine().run("jde_to_zoho")

    [failure] = [f for f in world.store.list_failures() if f.source_key == contacts[0].jde_key]
    assert (failure.entity, failure.direction, failure.stage) == (
        Entity.CONTACT,
        Direction.JDE_TO_ZOHO,
        "parent",
    )


def test_a_jde_delete_found_by_a_pull_flags_the_zoho_twin_as_reconcile_would(world: Systems) -> None:
    account = zoho_id(world)
    world.ais_emu.tables.delete("F0101", {"AN8": int(CUSTOMER)})
    world.zoho_emu.update("Accounts", account, {"Phone": "608 555-0142"})  # edited before the reconcile
    world.clock.advance(60)

    report = world.engine(flag_zoho_on_jde_delete=True).run()

    assert report.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].deleted == 1
    [link] = world.store.get_links_by_jde(Entity.CUSTOMER, [CUSTOMER]).values()
    assert link.deleted_in == "jde"
    stored = world.zoho_emu.get("Accounts", account)
    assert stored is not None
    assert stored["JDE_Deleted"] is True
    [event] = [e for e in world.store.query_audit(run_id=report.run_id) if e.action is AuditAction.DELETE]
    assert stored["Sync_Audit_ID"] == event.audit_id
    assert event.message.startswith("edited in Zoho but gone from JDE")


def test_a_plan_sees_a_zoho_delete_as_the_run_does(world: Systems) -> None:
    world.zoho_emu.delete("Accounts", zoho_id(world))
    world.ais_emu.tables.update("F03012", {"AN8": int(CUSTOMER), "CO": "00000"}, {"ACL": 1})
    world.clock.advance(60)

    plan = world.engine().plan()
    report = world.engine().run()

    assert not [
        change for change in plan.changes if change.jde_key == CUSTOMER
    ]  # no write to a deleted record
    for counts in (plan.report.counts, report.counts):
        assert counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].deleted == 1
        assert counts[(Entity.CUSTOMER, Direction.JDE_TO_ZOHO)].updated == 0
