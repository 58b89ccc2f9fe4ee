"""JDE records are read whole, but only from the tables the record is built from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync._jde_gateway import JdeGateway
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.mapping import DefaultMapper
from jde_zoho_sdk.sync.model import Entity
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator
from tests.sync.conftest import JDE_ZONE, FakeClock

CUSTOMER = 100_004  # a seeded customer with contacts
STREAMS = 7  # one change stream per table the three entities draw on


class TablesRead(httpx.BaseTransport):
    """Passes requests on and notes the table of each browse."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.tables: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/dataservice"):
            self.tables.append(json.loads(request.content)["targetName"])
        return self.inner.handle_request(request)


@pytest.fixture
def emulator(clock: FakeClock) -> AisEmulator:
    emu = AisEmulator(timezone=JDE_ZONE, clock=clock)
    seed.load(seed.generate(customers=30, seed=11), ais=emu)
    clock.advance(3600)
    return emu


@pytest.fixture
def reads(emulator: AisEmulator, clock: FakeClock) -> Iterator[tuple[JdeGateway, TablesRead]]:
    transport = TablesRead(emulator.transport())
    credentials = AisCredentials("JDE", "JDE")
    with AisClient(
        "https://ais.test", credentials, timezone=JDE_ZONE, clock=clock, transport=transport
    ) as ais:
        yield JdeGateway(ais, DefaultMapper(), SyncConfig()), transport


def test_a_changed_customer_is_read_from_its_own_tables(
    emulator: AisEmulator, clock: FakeClock, reads: tuple[JdeGateway, TablesRead]
) -> None:
    gateway, transport = reads
    emulator.tables.update("F03012", {"AN8": CUSTOMER, "CO": "00000"}, {"ACL": Decimal(12_500)})
    since = clock.now - timedelta(minutes=1)
    changes = gateway.changes(dict.fromkeys(gateway.tables(), since), overlap=timedelta(0), batch_size=200)
    batches = list(changes)
    assert [aggregate.key for batch in batches for aggregate in batch[Entity.CUSTOMER]] == [str(CUSTOMER)]
    assert transport.tables[STREAMS:] == ["F0101", "F03012", "F0116", "F01151", "F0115"]


def test_a_changed_contact_line_is_read_from_the_master_and_the_contact_tables(
    emulator: AisEmulator, clock: FakeClock, reads: tuple[JdeGateway, TablesRead]
) -> None:
    gateway, transport = reads
    emulator.tables.update("F0111", {"AN8": CUSTOMER, "IDLN": 1}, {"ATTL": "Category Manager"})
    since = clock.now - timedelta(minutes=1)
    batches = list(
        gateway.changes(dict.fromkeys(gateway.tables(), since), overlap=timedelta(0), batch_size=9)
    )
    assert [a.key for batch in batches for a in batch.get(Entity.CONTACT, [])] == [f"{CUSTOMER}-1"]
    assert not any(batch.get(Entity.CUSTOMER) for batch in batches)
    assert transport.tables[STREAMS:] == ["F0101", "F0111", "F01151", "F0115"]


def test_reading_contacts_by_key_leaves_the_customer_tables_out(reads: tuple[JdeGateway, TablesRead]) -> None:
    gateway, transport = reads
    found = gateway.read(Entity.CONTACT, [f"{CUSTOMER}-1"])
    assert list(found) == [f"{CUSTOMER}-1"]
    assert transport.tables == ["F0101", "F0111", "F01151", "F0115"]
