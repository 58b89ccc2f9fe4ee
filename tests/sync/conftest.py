"""Both emulators on real loopback sockets, the two clients, a SQLite store, and an engine factory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.engine import SyncEngine
from jde_zoho_sdk.sync.observers import RecordingObserver
from jde_zoho_sdk.sync.protocols import Mapper
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.zoho import ZohoEmulator, ZohoField
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth

JDE_ZONE = "America/Chicago"


def no_sleep(_seconds: float) -> None:
    """Retries in these tests never wait for real."""


class FakeClock:
    """One clock for both emulators, both clients and the engine; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 60) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@attrs.define
class Systems:
    """The two emulated systems, the clients that talk to them, and the state store."""

    ais_emu: AisEmulator
    zoho_emu: ZohoEmulator
    ais: AisClient
    zoho: ZohoClient
    store: SqliteStateStore
    clock: FakeClock
    observer: RecordingObserver = attrs.field(factory=RecordingObserver)

    def engine(self, mapper: Mapper | None = None, **config: object) -> SyncEngine:
        return SyncEngine(
            ais=self.ais,
            zoho=self.zoho,
            store=self.store,
            mapper=mapper,
            config=SyncConfig(**config),  # type: ignore[arg-type]
            observers=[self.observer],
            clock=self.clock,
        )

    def account(self, address_number: int | str) -> dict[str, object]:
        """The Zoho account linked to a JDE customer (by the JDE key Zoho holds)."""
        found = [
            a for a in self.zoho_emu.records("Accounts") if a.get("JDE_Address_Number") == str(address_number)
        ]
        assert len(found) == 1, f"{len(found)} accounts for JDE {address_number}"
        return found[0]

    def load(self, data: seed.Dataset) -> dict[str, list[str]]:
        return seed.load(data, ais=self.ais_emu, zoho=self.zoho_emu)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def zoho_extra_fields() -> dict[str, list[ZohoField]]:
    """Custom fields the Zoho emulator has beyond the built-in ones (override it in a test module)."""
    return {}


@pytest.fixture
def systems(
    tmp_path: Path, clock: FakeClock, zoho_extra_fields: dict[str, list[ZohoField]]
) -> Iterator[Systems]:
    retry = RetryPolicy(sleep=no_sleep, max_tries=4)
    with (
        AisEmulator(timezone=JDE_ZONE, clock=clock).serve() as ais_emu,
        ZohoEmulator(notify=False, clock=clock, extra_fields=zoho_extra_fields).serve() as zoho_emu,
    ):
        assert ais_emu.url is not None
        region = Region.custom(zoho_emu.url, zoho_emu.url)
        oauth = ZohoOAuth.from_refresh_token(
            zoho_emu.client_id, zoho_emu.client_secret, zoho_emu.refresh_token, region, clock=clock
        )
        credentials = AisCredentials("JDE", "JDE")
        with (
            AisClient(ais_emu.url, credentials, timezone=JDE_ZONE, retry=retry, clock=clock) as ais,
            ZohoClient(oauth, edition="enterprise", retry=retry) as zoho,
            SqliteStateStore(tmp_path / "sync.db") as store,
        ):
            yield Systems(ais_emu, zoho_emu, ais, zoho, store, clock)


CUSTOMER = 100_004  # seeded customers with index % 5 in (3, 4) are only in JDE


@pytest.fixture
def synced(systems: Systems) -> Systems:
    """A seeded distributor after its first full sync."""
    systems.load(seed.generate(customers=30, seed=11))
    report = systems.engine().run()
    assert report.failed == 0, systems.store.list_failures()
    systems.clock.advance(120)
    return systems
