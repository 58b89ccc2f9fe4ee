"""Deletes on either side: links marked, nothing deleted across, twins flagged, refused flags replayed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs
import pytest

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync import (
    AuditAction,
    DefaultMapper,
    Direction,
    Entity,
    MappingConfig,
    OrchestrationNames,
    SqliteStateStore,
    SyncAbortedError,
    SyncConfig,
    SyncEngine,
    ZohoFieldNames,
)
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator, FormErrorSpec, OrchestrationCall, OrchestrationFailure
from jde_zoho_sdk.testing.faults import Fault
from jde_zoho_sdk.testing.zoho import ZohoEmulator, ZohoField
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth
from tests.sync.conftest import FakeClock

CUSTOMER = "100004"
FLAG = "JZ_FlagDeleted"


@attrs.define
class World:
    ais_emu: AisEmulator
    zoho_emu: ZohoEmulator
    ais: AisClient
    zoho: ZohoClient
    store: SqliteStateStore
    clock: FakeClock

    def engine(self, mapper: DefaultMapper | None = None, **config: object) -> SyncEngine:
        return SyncEngine(
            ais=self.ais,
            zoho=self.zoho,
            store=self.store,
            mapper=mapper,
            config=SyncConfig(**config),  # type: ignore[arg-type]
            clock=self.clock,
        )

    def category_30(self) -> object:
        """F0101.AC30 of the customer, which the built-in flag orchestration sets to DEL."""
        [row] = [row for row in self.ais_emu.tables.rows("F0101") if str(row["AN8"]) == CUSTOMER]
        return row["AC30"]

    def customer_failures(self) -> list[tuple[str, str, str, str]]:
        """Open failures of customers (a deleted account's contacts lose their parent: they fail too)."""
        return [
            (f.direction, f.stage, f.source_key, f.target_key)
            for f in self.store.list_failures()
            if f.entity is Entity.CUSTOMER
        ]


@pytest.fixture
def world(tmp_path: Path, clock: FakeClock) -> Iterator[World]:
    extra = {
        "Accounts": [ZohoField(api_name="JDE_Deleted", data_type="boolean", label="JDE deleted", custom=True)]
    }
    ais_emu = AisEmulator(clock=clock)
    zoho_emu = ZohoEmulator(notify=False, clock=clock, extra_fields=extra)
    seed.load(seed.generate(customers=8, seed=17), ais=ais_emu, zoho=zoho_emu)
    retry = RetryPolicy(sleep=lambda _s: None, max_tries=2)
    oauth = ZohoOAuth.from_refresh_token(
        zoho_emu.client_id,
        zoho_emu.client_secret,
        zoho_emu.refresh_token,
        Region.custom(zoho_emu.url, zoho_emu.url),
    )
    with (
        AisClient(
            "https://ais", AisCredentials("JDE", "JDE"), transport=ais_emu.transport(), retry=retry
        ) as ais,
        ZohoClient(oauth, transport=zoho_emu.transport(), retry=retry) as zoho,
        SqliteStateStore(tmp_path / "s.db") as store,
    ):
        found = World(ais_emu, zoho_emu, ais, zoho, store, clock)
        found.engine().run()
        clock.advance(60)
        yield found


def zoho_id(world: World) -> str:
    [link] = world.store.get_links_by_jde(Entity.CUSTOMER, [CUSTOMER]).values()
    return link.zoho_id


def test_a_refused_zoho_flag_is_a_failure_of_the_jde_record_and_replay_sends_it_again(world: World) -> None:
    account = zoho_id(world)
    world.ais_emu.tables.delete("F0101", {"AN8": int(CUSTOMER)})
    # The flag mapped to a picklist by mistake: Zoho refuses True there (a record error).
    wrong = DefaultMapper(MappingConfig(zoho_fields=ZohoFieldNames(jde_deleted="Payment_Terms")))

    report = world.engine(wrong, flag_zoho_on_jde_delete=True).reconcile()

    assert report.counts[(Entity.CUSTOMER, Direction.JDE_TO_ZOHO)].deleted == 1
    assert world.customer_failures() == [("jde_to_zoho", "flag", CUSTOMER, account)]
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


def test_a_flag_no_longer_configured_is_resolved_as_not_needed(world: World) -> None:
    world.ais_emu.tables.delete("F0101", {"AN8": int(CUSTOMER)})
    wrong = DefaultMapper(MappingConfig(zoho_fields=ZohoFieldNames(jde_deleted="Payment_Terms")))
    world.engine(wrong, flag_zoho_on_jde_delete=True).reconcile()
    assert len(world.customer_failures()) == 1

    world.engine().replay()  # flagging turned off

    [resolved] = world.store.list_failures(include_resolved=True)
    assert resolved.resolution == "not needed"


def test_a_jde_flag_refused_by_the_orchestration_is_replayed(world: World) -> None:
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
    assert world.customer_failures() == [("zoho_to_jde", "flag", account, CUSTOMER)]
    assert world.category_30() != "DEL"
    [link] = world.store.get_links_by_jde(Entity.CUSTOMER, [CUSTOMER]).values()
    assert link.deleted_in == "zoho"

    on_hold[0] = False
    world.clock.advance(60)
    world.engine(orchestrations=names).replay()

    assert world.customer_failures() == []
    assert world.category_30() == "DEL"


def test_a_jde_flag_that_meets_a_system_error_stops_the_run_and_the_next_run_flags(world: World) -> None:
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
    assert world.customer_failures() == []
    assert world.category_30() == "DEL"
