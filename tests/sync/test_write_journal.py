"""The write journal: a write of ours (crashed, half done, or with its answer lost) never passes for an edit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from jde_zoho_sdk.errors import MappingError, RequestTimeoutError
from jde_zoho_sdk.sync import Canonical, DefaultMapper, MappingContext
from jde_zoho_sdk.sync.engine import SyncAbortedError
from jde_zoho_sdk.sync.events import BatchWritten, PageRead
from jde_zoho_sdk.sync.model import AuditAction, Direction, Entity, JdeAggregate
from jde_zoho_sdk.sync.protocols import SyncObserver
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.zoho import ZohoRecord
from tests.sync.conftest import CUSTOMER, Systems


class _Crash(BaseException):
    """Stops a run like a kill (no handler of the engine catches a BaseException)."""


def crash_after_a_write(
    systems: Systems,
    direction: Direction,
    entity: Entity | None = None,
    *,
    observers: Sequence[SyncObserver] = (),
) -> None:
    """Run until a batch (of ``entity``, if given) is written in ``direction``, then stop like a kill."""
    engine = systems.engine()

    class CrashAfterWrite:
        def on_event(self, event: object) -> None:
            if (
                isinstance(event, BatchWritten)
                and event.direction is direction
                and entity in (None, event.entity)
            ):
                raise _Crash

    engine.observers = (*engine.observers, *observers, CrashAfterWrite())
    with pytest.raises(_Crash):
        engine.run()


def run_with_a_lost_jde_answer(systems: Systems, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run until the first orchestration: it runs, but its answer is lost (a timeout stops the run)."""
    run_orchestration = systems.ais.run_orchestration

    def lost_answer(*args: object, **kwargs: object) -> object:
        run_orchestration(*args, **kwargs)  # type: ignore[arg-type]
        raise RequestTimeoutError("AIS did not answer in time")

    monkeypatch.setattr(systems.ais, "run_orchestration", lost_answer)
    with pytest.raises(SyncAbortedError):
        systems.engine().run()
    monkeypatch.undo()


def test_a_write_lost_in_a_crash_is_audited_even_when_the_record_was_edited_again(synced: Systems) -> None:
    synced.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(61_000)})
    crash_after_a_write(synced, Direction.JDE_TO_ZOHO)
    account = synced.account(CUSTOMER)
    lost = account["Sync_Audit_ID"]
    assert lost not in {event.audit_id for event in synced.store.query_audit(limit=10_000)}
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Billing_City": "Skokie"})

    report = synced.engine().run()

    # The city reaches JDE (Zoho is not written again, so the record keeps the crashed write's id) and the
    # audit trail accounts for that write under the id the record carries.
    assert report.failed == 0
    assert synced.account(CUSTOMER)["Sync_Audit_ID"] == lost
    found = synced.store.query_audit(run_id=report.run_id)
    assert lost in {event.audit_id for event in found}
    assert any(event.action is AuditAction.UPDATE and event.jde_key == str(CUSTOMER) for event in found)
    synced.clock.advance(60)
    assert synced.engine().run().written == 0


def test_a_second_write_in_the_same_second_lost_in_a_crash_is_audited(synced: Systems) -> None:
    # A new Zoho account: the pull creates it in JDE and writes the key back, then the push writes the JDE
    # record's values to it in the same run (Zoho times are whole seconds: the same Modified_Time).
    zoho_id = synced.zoho_emu.insert(
        "Accounts",
        {"Account_Name": "Same Second LLC", "Email": "ap@samesecond.example", "Billing_Country": "Canada"},
    )
    crash_after_a_write(synced, Direction.JDE_TO_ZOHO)
    account = synced.zoho_emu.get("Accounts", zoho_id)
    assert account is not None
    stamp = account["Sync_Audit_ID"]
    synced.clock.advance(60)

    synced.engine().run()

    assert stamp in {event.audit_id for event in synced.store.query_audit(limit=10_000)}


def _set_jde_city(systems: Systems, number: int, city: str) -> None:
    for row in systems.ais_emu.tables.rows("F0116", AN8=number):
        systems.ais_emu.tables.update("F0116", {"AN8": number, "EFTB": row["EFTB"]}, {"CTY1": city})


def test_a_write_lost_in_a_crash_does_not_pass_for_a_newer_edit_on_its_target(synced: Systems) -> None:
    # JDE's city goes to Zoho, and the run crashes before its checkpoint: the link still says "Chicago".
    _set_jde_city(synced, CUSTOMER, "Skokie")
    crash_after_a_write(synced, Direction.JDE_TO_ZOHO)
    account = synced.account(CUSTOMER)
    assert account["Billing_City"] == "Skokie"
    # Then JDE's city changes again, and later someone edits another field of the Zoho account: the
    # account's Modified_Time is now newer than JDE's edit.
    synced.clock.advance(60)
    _set_jde_city(synced, CUSTOMER, "Joliet")
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Phone": "312 555 0199"})

    report = synced.engine().run()

    # Zoho's "Skokie" was the crashed write, not an edit: JDE's later "Joliet" wins, the phone reaches JDE.
    assert report.failed == 0
    assert synced.account(CUSTOMER)["Billing_City"] == "Joliet"
    assert {row["CTY1"] for row in synced.ais_emu.tables.rows("F0116", AN8=CUSTOMER)} == {"Joliet"}
    [link] = synced.store.get_links_by_jde(Entity.CUSTOMER, [str(CUSTOMER)]).values()
    assert link.pending is None
    assert link.jde_snapshot["city"] == link.zoho_snapshot["city"] == "Joliet"


def _set_jde_email(systems: Systems, number: int, email: str) -> None:
    systems.ais_emu.tables.update("F01151", {"AN8": number, "IDLN": 0, "RCK7": 1}, {"EMAL": email})


def test_a_write_that_landed_on_one_side_does_not_pass_for_a_newer_edit_there(synced: Systems) -> None:
    # Zoho's credit limit goes to JDE, but JDE's new e-mail is refused by Zoho: the pair is half done.
    account = synced.account(CUSTOMER)
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Credit_Limit": Decimal(32_000)})
    _set_jde_email(synced, CUSTOMER, "not-an-e-mail")
    synced.clock.advance(60)
    first = synced.engine().run()
    assert first.failed >= 1
    assert synced.ais_emu.tables.get("F03012", {"AN8": CUSTOMER, "CO": "00000"})["ACL"] == 32_000  # type: ignore[index]
    # Then Zoho's credit limit changes again, and later JDE's e-mail is fixed: JDE's record is now newer.
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Credit_Limit": Decimal(28_250)})
    synced.clock.advance(60)
    _set_jde_email(synced, CUSTOMER, "fixed@chaos.example")
    synced.clock.advance(60)

    synced.engine().replay()
    synced.engine().run()

    # JDE's 32,000 was the sync's own write, not an edit: Zoho's later 28,250 wins; the e-mail reaches Zoho.
    assert synced.store.list_failures() == []
    assert synced.account(CUSTOMER)["Credit_Limit"] == Decimal(28_250)
    assert synced.account(CUSTOMER)["Email"] == "fixed@chaos.example"
    assert synced.ais_emu.tables.get("F03012", {"AN8": CUSTOMER, "CO": "00000"})["ACL"] == 28_250  # type: ignore[index]


def test_a_half_done_pair_keeps_an_earlier_crash_journal_for_the_fields_it_still_owes(
    synced: Systems,
) -> None:
    # JDE's city goes to Zoho and the run crashes before its checkpoint: the write is journaled on the link.
    _set_jde_city(synced, CUSTOMER, "Skokie")
    crash_after_a_write(synced, Direction.JDE_TO_ZOHO)
    account = synced.account(CUSTOMER)
    # JDE's city changes again, with an e-mail Zoho refuses: the next pair is half done, the city still owed.
    synced.clock.advance(60)
    _set_jde_city(synced, CUSTOMER, "Joliet")
    _set_jde_email(synced, CUSTOMER, "not-an-e-mail")
    synced.clock.advance(60)
    assert synced.engine().run().failed >= 1
    # The e-mail is fixed in JDE; later a Zoho user edits only the phone (Zoho's record is now the newest).
    synced.clock.advance(60)
    _set_jde_email(synced, CUSTOMER, "fixed@chaos.example")
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Phone": "312 555 0199"})
    synced.clock.advance(60)

    synced.engine().run()

    # Zoho's "Skokie" is still the sync's own crashed write, not an edit: JDE's later "Joliet" wins.
    assert {row["CTY1"] for row in synced.ais_emu.tables.rows("F0116", AN8=CUSTOMER)} == {"Joliet"}
    assert synced.account(CUSTOMER)["Billing_City"] == "Joliet"
    assert synced.account(CUSTOMER)["Email"] == "fixed@chaos.example"
    assert synced.store.list_failures() == []


def test_an_edit_back_to_the_last_synced_value_after_a_crashed_write_is_not_lost(synced: Systems) -> None:
    # Zoho's city goes to JDE, and the run crashes before its checkpoint: the link still says "Chicago".
    account = synced.account(CUSTOMER)
    before = account["Billing_City"]
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Billing_City": "Skokie"})
    synced.clock.advance(60)
    crash_after_a_write(synced, Direction.ZOHO_TO_JDE)
    assert {row["CTY1"] for row in synced.ais_emu.tables.rows("F0116", AN8=CUSTOMER)} == {"Skokie"}
    # Then the Zoho user puts the city back: Zoho now holds what the link last synced.
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Billing_City": before})
    synced.clock.advance(60)

    synced.engine().run()

    # That is an edit (the crashed write is journaled), not "nothing changed in Zoho": it reaches JDE.
    assert synced.account(CUSTOMER)["Billing_City"] == before
    assert {row["CTY1"] for row in synced.ais_emu.tables.rows("F0116", AN8=CUSTOMER)} == {before}


def test_a_jde_edit_back_to_the_last_synced_value_after_a_crashed_write_is_not_lost(synced: Systems) -> None:
    # JDE's city goes to Zoho, and the run crashes before its checkpoint: the link still says the old city.
    before = synced.account(CUSTOMER)["Billing_City"]
    _set_jde_city(synced, CUSTOMER, "Skokie")
    crash_after_a_write(synced, Direction.JDE_TO_ZOHO)
    assert synced.account(CUSTOMER)["Billing_City"] == "Skokie"
    # Then the JDE user puts the city back: JDE now holds what the link last synced.
    synced.clock.advance(60)
    _set_jde_city(synced, CUSTOMER, str(before))
    synced.clock.advance(60)

    synced.engine().run()

    assert synced.account(CUSTOMER)["Billing_City"] == before
    assert {row["CTY1"] for row in synced.ais_emu.tables.rows("F0116", AN8=CUSTOMER)} == {before}


def _zoho_city_then_a_newer_jde_edit_then_run(systems: Systems, zoho_id: str, city: str) -> None:
    """Zoho's city changes again, and later JDE's credit limit (JDE's record is the newer one); then a run."""
    systems.clock.advance(60)
    systems.zoho_emu.update("Accounts", zoho_id, {"Billing_City": city})
    systems.clock.advance(60)
    systems.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(64_000)})
    systems.clock.advance(60)
    systems.engine().run()


def test_a_second_crashed_write_does_not_drop_the_first_ones_journal(synced: Systems) -> None:
    account = synced.account(CUSTOMER)
    zoho_id = str(account["id"])
    # Two runs crash after their JDE write: Zoho's city, then (the city settled) Zoho's phone.
    synced.zoho_emu.update("Accounts", zoho_id, {"Billing_City": "Skokie"})
    synced.clock.advance(60)
    crash_after_a_write(synced, Direction.ZOHO_TO_JDE)
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", zoho_id, {"Phone": "312 555 0199"})
    synced.clock.advance(60)
    crash_after_a_write(synced, Direction.ZOHO_TO_JDE)
    _zoho_city_then_a_newer_jde_edit_then_run(synced, zoho_id, "Gary")

    # JDE's "Skokie" was the first crashed write, not an edit: Zoho's later "Gary" wins.
    assert {row["CTY1"] for row in synced.ais_emu.tables.rows("F0116", AN8=CUSTOMER)} == {"Gary"}
    assert synced.account(CUSTOMER)["Billing_City"] == "Gary"
    assert synced.account(CUSTOMER)["Credit_Limit"] == Decimal(64_000)


def test_a_jde_write_that_landed_though_its_answer_was_lost_does_not_pass_for_a_jde_edit(
    synced: Systems, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Zoho's city goes to JDE; the orchestration runs, but its answer is lost (a timeout): the run stops.
    account = synced.account(CUSTOMER)
    zoho_id = str(account["id"])
    synced.zoho_emu.update("Accounts", zoho_id, {"Billing_City": "Skokie"})
    synced.clock.advance(60)
    run_with_a_lost_jde_answer(synced, monkeypatch)
    assert {row["CTY1"] for row in synced.ais_emu.tables.rows("F0116", AN8=CUSTOMER)} == {"Skokie"}
    _zoho_city_then_a_newer_jde_edit_then_run(synced, zoho_id, "Gary")

    # JDE's "Skokie" was the sync's own write, not an edit: Zoho's later "Gary" wins.
    assert {row["CTY1"] for row in synced.ais_emu.tables.rows("F0116", AN8=CUSTOMER)} == {"Gary"}
    assert synced.account(CUSTOMER)["Billing_City"] == "Gary"


def _jde_cities(systems: Systems) -> set[object]:
    return {row["CTY1"] for row in systems.ais_emu.tables.rows("F0116", AN8=CUSTOMER)}


def test_a_write_zoho_refused_is_not_journaled_so_a_later_zoho_edit_of_that_value_wins(
    synced: Systems,
) -> None:
    account = synced.account(CUSTOMER)
    before = account["Billing_City"]
    # JDE's new city goes to Zoho with an e-mail Zoho refuses: the row is refused, nothing of it lands.
    _set_jde_city(synced, CUSTOMER, "Skokie")
    _set_jde_email(synced, CUSTOMER, "not-an-e-mail")
    synced.clock.advance(60)
    assert synced.engine().run().failed >= 1
    # JDE's user puts the city back and fixes the e-mail; later a Zoho user sets the city to Skokie.
    synced.clock.advance(60)
    _set_jde_city(synced, CUSTOMER, str(before))
    _set_jde_email(synced, CUSTOMER, "fixed@chaos.example")
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", str(account["id"]), {"Billing_City": "Skokie"})
    synced.clock.advance(60)

    synced.engine().run()

    # The refused write never landed: Zoho's Skokie is an edit, the newest one, and it wins.
    assert synced.account(CUSTOMER)["Billing_City"] == "Skokie"
    assert _jde_cities(synced) == {"Skokie"}


def _zoho_city_to_jde_unrecorded(systems: Systems, monkeypatch: pytest.MonkeyPatch, lost: str) -> str:
    """Zoho's city goes to JDE in a run that ends before its checkpoint ("crash" or "lost answer")."""
    zoho_id = str(systems.account(CUSTOMER)["id"])
    systems.zoho_emu.update("Accounts", zoho_id, {"Billing_City": "Skokie"})
    systems.clock.advance(60)
    if lost == "crash":
        crash_after_a_write(systems, Direction.ZOHO_TO_JDE)
    else:
        run_with_a_lost_jde_answer(systems, monkeypatch)
    return zoho_id


@pytest.mark.parametrize("lost", ["crash", "lost answer"])
def test_a_jde_write_found_in_place_after_its_answer_or_checkpoint_was_lost_is_audited(
    synced: Systems, monkeypatch: pytest.MonkeyPatch, lost: str
) -> None:
    zoho_id = _zoho_city_to_jde_unrecorded(synced, monkeypatch, lost)
    monkeypatch.undo()
    orchestrations = len(synced.ais_emu.orchestration_log)
    synced.clock.advance(60)

    report = synced.engine().run()

    found = [
        event
        for event in synced.store.query_audit(run_id=report.run_id)
        if event.jde_key == str(CUSTOMER) and "found in place" in event.message
    ]
    assert [(e.action, e.direction, e.zoho_id, e.fields) for e in found] == [
        (AuditAction.SKIP, Direction.ZOHO_TO_JDE, zoho_id, ("city",))
    ]
    assert _jde_cities(synced) == {"Skokie"}
    assert len(synced.ais_emu.orchestration_log) == orchestrations  # nothing written again
    assert synced.engine().run().written == 0
    assert len([e for e in synced.store.query_audit(limit=10_000) if "found in place" in e.message]) == 1


@pytest.mark.parametrize("lost", ["crash", "lost answer"])
def test_a_jde_to_zoho_run_merges_a_journaled_link_with_zoho_as_it_is(
    synced: Systems, monkeypatch: pytest.MonkeyPatch, lost: str
) -> None:
    # Zoho's city is written to JDE, and the run ends before its checkpoint (a kill, or a lost answer).
    zoho_id = _zoho_city_to_jde_unrecorded(synced, monkeypatch, lost)
    # A Zoho user changes the city again; then only the JDE -> Zoho direction runs.
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", zoho_id, {"Billing_City": "Gary"})
    synced.clock.advance(60)

    synced.engine().run("jde_to_zoho")
    synced.clock.advance(60)
    synced.engine().run()

    # JDE's Skokie is the sync's own write: it must not go back over Zoho's newer Gary.
    assert synced.account(CUSTOMER)["Billing_City"] == "Gary"
    assert _jde_cities(synced) == {"Gary"}


class _RefusingPhone(DefaultMapper):
    """A host mapper refusing Zoho records whose phone says so (a record failure in the pull)."""

    def from_zoho(self, entity: Entity, record: ZohoRecord, *, context: MappingContext) -> Canonical:
        if record.values.get("Phone") == "REFUSE":
            raise MappingError("refused by the host's mapper", field="phone")
        return super().from_zoho(entity, record, context=context)


def test_a_pull_failure_does_not_let_the_push_send_a_journaled_write_back(synced: Systems) -> None:
    zoho_id = str(synced.account(CUSTOMER)["id"])
    synced.zoho_emu.update("Accounts", zoho_id, {"Billing_City": "Skokie"})
    synced.clock.advance(60)
    crash_after_a_write(synced, Direction.ZOHO_TO_JDE)
    # The Zoho user changes the city again, with a phone the host's mapper refuses: the pull fails it.
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", zoho_id, {"Billing_City": "Gary", "Phone": "REFUSE"})
    synced.clock.advance(60)
    synced.engine(mapper=_RefusingPhone()).run()
    assert synced.account(CUSTOMER)["Billing_City"] == "Gary"  # the push did not send JDE's Skokie back
    # Once the phone is fixed, Zoho's city reaches JDE.
    synced.clock.advance(60)
    synced.zoho_emu.update("Accounts", zoho_id, {"Phone": "312 555 0100"})
    synced.clock.advance(60)
    synced.engine(mapper=_RefusingPhone()).run()
    assert synced.account(CUSTOMER)["Billing_City"] == "Gary"
    assert _jde_cities(synced) == {"Gary"}


@pytest.mark.parametrize("lost", ["crash", "lost answer"])
def test_a_journaled_link_whose_zoho_record_is_gone_is_skipped_then_its_delete_recorded(
    synced: Systems, monkeypatch: pytest.MonkeyPatch, lost: str
) -> None:
    zoho_id = _zoho_city_to_jde_unrecorded(synced, monkeypatch, lost)
    synced.clock.advance(60)
    synced.zoho_emu.delete("Accounts", zoho_id)
    synced.clock.advance(60)

    pushed = synced.engine().run("jde_to_zoho")
    synced.clock.advance(60)
    synced.engine().run()

    # Nothing recreated, the customer not failing (its contacts are: their account is gone, see the deletes
    # guide); the skip and the delete are in the audit trail.
    assert synced.zoho_emu.get("Accounts", zoho_id) is None
    assert not [
        a for a in synced.zoho_emu.records("Accounts") if a.get("JDE_Address_Number") == str(CUSTOMER)
    ]
    assert [f for f in synced.store.list_failures() if f.entity is Entity.CUSTOMER] == []
    [link] = synced.store.get_links_by_jde(Entity.CUSTOMER, [str(CUSTOMER)]).values()
    assert link.deleted_in == "zoho"
    skipped = [e for e in synced.store.query_audit(run_id=pushed.run_id) if e.action is AuditAction.SKIP]
    assert any("gone from Zoho" in e.message for e in skipped)


def test_an_open_failure_of_a_record_deleted_since_is_resolved_as_deleted(synced: Systems) -> None:
    zoho_id = str(synced.account(CUSTOMER)["id"])
    _set_jde_email(synced, CUSTOMER, "not-an-e-mail")
    synced.clock.advance(60)
    assert synced.engine().run().failed >= 1
    synced.zoho_emu.delete("Accounts", zoho_id)
    synced.clock.advance(60)
    synced.engine().run()  # records the delete
    synced.clock.advance(60)

    synced.engine().replay()

    assert [f for f in synced.store.list_failures() if f.entity is Entity.CUSTOMER] == []
    resolved = synced.store.list_failures(include_resolved=True)
    assert {failure.resolution for failure in resolved if failure.source_key == str(CUSTOMER)} == {"deleted"}


class _RefusingJdeCity(DefaultMapper):
    """A host mapper refusing JDE records whose city says so."""

    def from_jde(self, aggregate: JdeAggregate) -> Canonical:
        canonical = super().from_jde(aggregate)
        if getattr(canonical, "city", "") == "Nowhere":
            raise MappingError("refused by the host's mapper", field="city")
        return canonical


@pytest.mark.parametrize("journaled", [False, True])
def test_a_push_failure_names_the_zoho_record_as_its_target(synced: Systems, journaled: bool) -> None:
    zoho_id = str(synced.account(CUSTOMER)["id"])
    if journaled:
        synced.zoho_emu.update("Accounts", zoho_id, {"Phone": "312 555 0111"})
        synced.clock.advance(60)
        crash_after_a_write(synced, Direction.ZOHO_TO_JDE)
        synced.clock.advance(60)
    _set_jde_city(synced, CUSTOMER, "Nowhere")
    synced.clock.advance(60)

    report = synced.engine(mapper=_RefusingJdeCity()).run("jde_to_zoho")

    [failure] = [f for f in synced.store.list_failures() if f.source_key == str(CUSTOMER)]
    [event] = [e for e in synced.store.query_audit(run_id=report.run_id) if e.action is AuditAction.FAIL]
    assert failure.target_key == zoho_id
    assert (event.jde_key, event.zoho_id) == (str(CUSTOMER), zoho_id)


def _created_by_a_crashed_run(
    systems: Systems, entity: Entity = Entity.CUSTOMER, *, meanwhile: Callable[[], None] | None = None
) -> list[dict[str, object]]:
    """Seed JDE, then run until the first batch of ``entity`` is created in Zoho, and crash (a kill).

    The crashed run created records in Zoho (each carrying its JDE key and our audit id) and recorded no
    link for them: they are returned. JDE's records were seeded a minute before that run. ``meanwhile``
    is called once the run has read JDE's records, before it writes them.
    """
    seed.load(seed.generate(customers=10, seed=11), ais=systems.ais_emu)
    systems.clock.advance(60)

    class Meanwhile:
        def on_event(self, event: object) -> None:
            if meanwhile is not None and isinstance(event, PageRead) and event.source == "jde":
                meanwhile()

    crash_after_a_write(systems, Direction.JDE_TO_ZOHO, entity, observers=[Meanwhile()])
    module = {Entity.CUSTOMER: "Accounts", Entity.SUPPLIER: "Vendors", Entity.CONTACT: "Contacts"}[entity]
    key_field = "JDE_Contact_Key" if entity is Entity.CONTACT else "JDE_Address_Number"
    linked = {link.zoho_id for link in systems.store.page_links(entity, limit=10_000)}
    created = [r for r in systems.zoho_emu.records(module) if r.get(key_field) and str(r["id"]) not in linked]
    assert created
    assert all(record.get("Sync_Audit_ID") for record in created)
    return created


def _jde_credit_limits(systems: Systems, number: int) -> list[object]:
    return [row["ACL"] for row in systems.ais_emu.tables.rows("F03012", AN8=number)]


def _edit_zoho_phone_later(systems: Systems, zoho_id: str) -> None:
    """A minute later, a Zoho user edits the account's phone (so it is modified after its creation)."""
    systems.clock.advance(60)
    systems.zoho_emu.update("Accounts", zoho_id, {"Phone": "312 555 0199"})
    systems.clock.advance(60)


def test_a_zoho_edit_of_a_record_whose_creating_run_crashed_is_not_lost(systems: Systems) -> None:
    # The first run creates JDE's customers in Zoho and crashes before its checkpoint: no links recorded.
    account = next(a for a in _created_by_a_crashed_run(systems) if a.get("Credit_Limit"))
    number = int(str(account["JDE_Address_Number"]))
    # A Zoho user edits the new account's credit limit (a field the default policy gives JDE in a conflict).
    systems.clock.advance(60)
    systems.zoho_emu.update("Accounts", str(account["id"]), {"Credit_Limit": Decimal(250)})
    systems.clock.advance(60)

    report = systems.engine().run()

    # JDE has not changed since the account was created: the difference is Zoho's edit, and it reaches JDE.
    assert report.failed == 0
    assert systems.account(number)["Credit_Limit"] == Decimal(250)
    assert _jde_credit_limits(systems, number) == [Decimal(250)]
    systems.clock.advance(60)
    assert systems.engine().run().written == 0


def test_the_first_links_after_a_crashed_create_are_audited_and_counted_as_links(systems: Systems) -> None:
    created = _created_by_a_crashed_run(systems)
    edited = next(a for a in created if a.get("Credit_Limit"))
    systems.clock.advance(60)
    systems.zoho_emu.update("Accounts", str(edited["id"]), {"Credit_Limit": Decimal(250)})
    systems.clock.advance(60)

    report = systems.engine().run()

    # Each account the crash left unlinked is linked by this run, as a link (edited since or not), and the
    # edit is an update of JDE.
    events = systems.store.query_audit(run_id=report.run_id, limit=10_000)
    links = {(e.jde_key, e.zoho_id) for e in events if e.action is AuditAction.LINK}
    assert links >= {(str(a["JDE_Address_Number"]), str(a["id"])) for a in created}
    assert report.counts[(Entity.CUSTOMER, Direction.ZOHO_TO_JDE)].linked == len(created)
    updates = [e for e in events if e.action is AuditAction.UPDATE and e.zoho_id == edited["id"]]
    assert [(e.direction, e.fields) for e in updates] == [(Direction.ZOHO_TO_JDE, ("credit_limit",))]


def test_a_jde_key_typed_into_a_zoho_record_does_not_let_its_blanks_clear_jde(systems: Systems) -> None:
    # A Zoho user types a JDE customer's address number into an account our sync never wrote (no audit
    # id), made after JDE's record last changed and edited since: the sync links the two as records found
    # to be one.
    systems.load(seed.generate(customers=10, seed=11))
    name, tax_id = _jde_values(systems, "F0101", "ALPH", "TAX")
    city, street = _jde_values(systems, "F0116", "CTY1", "ADD1")
    limit, terms = _jde_values(systems, "F03012", "ACL", "TRAR")
    assert all((name, tax_id, city, street, limit, terms))
    systems.clock.advance(60)
    zoho_id = systems.zoho_emu.insert("Accounts", {"Account_Name": name})
    systems.clock.advance(60)
    systems.zoho_emu.update("Accounts", zoho_id, {"JDE_Address_Number": str(CUSTOMER)})
    systems.clock.advance(60)

    report = systems.engine().run()

    # Its blank fields are "not known in Zoho", not cleared there: JDE keeps its values and Zoho gets them.
    assert report.failed == 0
    assert _jde_values(systems, "F0101", "ALPH", "TAX") == [name, tax_id]
    assert _jde_values(systems, "F0116", "CTY1", "ADD1") == [city, street]
    assert _jde_values(systems, "F03012", "ACL", "TRAR") == [limit, terms]
    account = systems.zoho_emu.get("Accounts", zoho_id)
    assert account is not None
    assert [account["Tax_ID"], account["Billing_City"], account["Credit_Limit"]] == [tax_id, city, limit]


def _jde_values(systems: Systems, table: str, *columns: str) -> list[object]:
    [row] = systems.ais_emu.tables.rows(table, AN8=CUSTOMER)
    return [row[column] for column in columns]


@pytest.mark.parametrize("seconds", [0, 60], ids=["in the same second", "a minute later"])
def test_a_jde_edit_made_after_a_crashed_run_created_the_record_in_zoho_is_not_lost(
    systems: Systems, seconds: int
) -> None:
    account = next(a for a in _created_by_a_crashed_run(systems) if a.get("Credit_Limit"))
    number = int(str(account["JDE_Address_Number"]))
    # After the account was created in Zoho (or in the same second: both systems stamp whole seconds),
    # JDE's credit limit changes; then a Zoho user edits the account's phone.
    systems.clock.advance(seconds)
    systems.ais_emu.tables.update("F03012", {"AN8": number, "CO": "00000"}, {"ACL": Decimal(61_000)})
    _edit_zoho_phone_later(systems, str(account["id"]))

    report = systems.engine().run()

    # JDE may have changed since the create: JDE's record is no base (it would make the account's value
    # pass for a Zoho edit), and the first link settles the difference by policy.
    assert report.failed == 0
    assert _jde_credit_limits(systems, number) == [Decimal(61_000)]
    assert systems.account(number)["Credit_Limit"] == Decimal(61_000)


def test_a_jde_edit_in_the_repeated_autumn_hour_after_a_crashed_create_is_not_lost(
    systems: Systems,
) -> None:
    # JDE's server is in Chicago. The crashed run creates the accounts at 01:45 CDT; JDE's credit limit
    # changes half an hour later, at 01:15 CST, stamped 01:15: a local time that also names 01:15 CDT,
    # before the create. Then a Zoho user edits the account's phone.
    systems.clock.now = datetime(2026, 11, 1, 6, 44, tzinfo=UTC)
    account = next(a for a in _created_by_a_crashed_run(systems) if a.get("Credit_Limit"))
    number = int(str(account["JDE_Address_Number"]))
    systems.clock.now = datetime(2026, 11, 1, 7, 15, tzinfo=UTC)
    systems.ais_emu.tables.update("F03012", {"AN8": number, "CO": "00000"}, {"ACL": Decimal(61_000)})
    _edit_zoho_phone_later(systems, str(account["id"]))

    report = systems.engine().run()

    assert report.failed == 0
    assert _jde_credit_limits(systems, number) == [Decimal(61_000)]
    assert systems.account(number)["Credit_Limit"] == Decimal(61_000)


def _edit_jde_credit_limit_while_the_run_writes(systems: Systems) -> None:
    """Between the crashed run's read of JDE and its Zoho writes, a JDE user changes a credit limit."""
    systems.clock.advance(5)
    systems.ais_emu.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(61_000)})
    systems.clock.advance(5)


def test_a_jde_edit_made_while_a_crashed_run_wrote_the_record_to_zoho_is_not_lost(systems: Systems) -> None:
    # JDE's credit limit changed after the run read the customer, before it created the account (so
    # before the account's Created_Time): the account holds the value read, and nobody edits it since.
    _created_by_a_crashed_run(systems, meanwhile=lambda: _edit_jde_credit_limit_while_the_run_writes(systems))
    assert systems.account(CUSTOMER)["Credit_Limit"] != Decimal(61_000)
    systems.clock.advance(60)

    report = systems.engine().run()

    # The difference is JDE's change, not a Zoho edit: JDE's record is no base for it.
    assert report.failed == 0
    assert _jde_credit_limits(systems, CUSTOMER) == [Decimal(61_000)]
    assert systems.account(CUSTOMER)["Credit_Limit"] == Decimal(61_000)


@pytest.mark.xfail(
    strict=True,
    reason="known limit: a JDE change made while the crashed run wrote Zoho is taken as synced once the "
    "record is edited in Zoho (the create's read time is not known)",
)
def test_a_jde_edit_made_while_a_crashed_run_wrote_the_record_then_a_zoho_edit_is_not_lost(
    systems: Systems,
) -> None:
    _created_by_a_crashed_run(systems, meanwhile=lambda: _edit_jde_credit_limit_while_the_run_writes(systems))
    _edit_zoho_phone_later(systems, str(systems.account(CUSTOMER)["id"]))

    systems.engine().run()

    assert _jde_credit_limits(systems, CUSTOMER) == [Decimal(61_000)]


@pytest.mark.parametrize(
    ("entity", "module", "edit", "column"),
    [
        # A field JDE wins in a conflict, edited in Zoho.
        (Entity.SUPPLIER, "Vendors", {"Tax_ID": "36-4455667"}, ("F0101", "TAX")),
        # A field cleared in Zoho (a first link with no base fills a blank from the other side).
        (Entity.CONTACT, "Contacts", {"Title": None}, ("F0111", "ATTL")),
    ],
)
def test_a_zoho_edit_of_a_vendor_or_contact_whose_creating_run_crashed_is_not_lost(
    systems: Systems, entity: Entity, module: str, edit: dict[str, object], column: tuple[str, str]
) -> None:
    [(field, value)] = edit.items()
    record = next(r for r in _created_by_a_crashed_run(systems, entity) if r.get(field))
    systems.clock.advance(60)
    systems.zoho_emu.update(module, str(record["id"]), edit)
    systems.clock.advance(60)

    report = systems.engine().run()

    assert report.failed == 0
    after = systems.zoho_emu.get(module, str(record["id"]))
    assert after is not None
    assert after[field] == value
    [link] = systems.store.get_links_by_zoho(entity, [str(record["id"])]).values()
    table, name = column
    keys = dict(zip(("AN8", "IDLN"), map(int, link.jde_key.split("-")), strict=False))
    assert [row[name] for row in systems.ais_emu.tables.rows(table, **keys)] == [value or ""]
