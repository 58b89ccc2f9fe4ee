"""The systems a benchmark runs against: seeded emulators, the two clients, a state store and the engine."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import httpx

from bench._clock import FakeClock
from bench._heap import FreezeBetweenBatches
from bench._wire import BatchMarker, Exchange, RecordingTransport, Ticker
from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.engine import SyncEngine
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth

__all__ = ["JDE_ZONE", "ROUND_TRIP", "Run", "World", "open_run", "retry_policy"]

JDE_ZONE = "America/Chicago"
SEED = 1
ROUND_TRIP = timedelta(milliseconds=100)
"""How far the fake clock moves per call: a realistic round trip to AIS or Zoho."""
_AIS_URL = "https://ais.emulator"


def retry_policy() -> RetryPolicy:
    """Retries as in production, but never sleeping: the emulators answer at once."""
    return RetryPolicy(max_tries=4, sleep=lambda _seconds: None)


@attrs.define
class World:
    """Both emulators filled with the seed data set of one size, on one fake clock.

    Attributes:
        customers: The data set's size (JDE customers).
        clock: The clock every part reads.
        ais: The AIS emulator.
        zoho: The Zoho emulator.
        data: What was loaded.
    """

    customers: int
    clock: FakeClock
    ais: AisEmulator
    zoho: ZohoEmulator
    data: seed.Dataset

    @classmethod
    def build(cls, customers: int, *, latency: float = 0.0) -> World:
        """Generate the data set, load both emulators, and move the clock an hour past the seeding."""
        # What earlier builds froze is never collected while frozen: the worlds and runs of smaller sizes,
        # dropped since, would stay in the heap (with cycles) and slow every later size. Thaw and collect.
        gc.unfreeze()
        gc.collect()
        clock = FakeClock()
        ais = AisEmulator(timezone=JDE_ZONE, clock=clock)
        zoho = ZohoEmulator(notify=False, clock=clock, latency=latency)
        data = seed.generate(customers=customers, seed=SEED)
        seed.load(data, ais=ais, zoho=zoho)
        clock.advance(timedelta(hours=1))
        # The emulators' seeded data (about 40 objects a JDE row) would live in other processes in
        # production. Left to the collector, every full collection the sync's allocations trigger walks it,
        # which charges the engine for the emulators' heap (0.45 s of an 11 s initial load at 10k, more at
        # 100k). Frozen objects are never collected or walked; the replay baseline is built the same way.
        gc.collect()
        gc.freeze()
        return cls(customers, clock, ais, zoho, data)


@attrs.define
class Run:
    """One engine with fresh clients (as a scheduled ``jde-zoho sync`` has), recording every exchange.

    Attributes:
        engine: The engine.
        jde: The AIS client's recorded exchanges.
        zoho: The Zoho client's recorded exchanges.
        marker: Numbers the engine's batches.
    """

    engine: SyncEngine
    jde: RecordingTransport
    zoho: RecordingTransport
    marker: BatchMarker

    def exchanges(self) -> list[Exchange]:
        """Both systems' exchanges, in the order sent."""
        return sorted([*self.jde.exchanges, *self.zoho.exchanges], key=lambda exchange: exchange.seq)


@contextlib.contextmanager
def open_run(
    world: World,
    store_path: Path,
    *,
    config: SyncConfig | None = None,
    zoho_concurrency: int | None = None,
    transports: Callable[[World], tuple[httpx.BaseTransport, httpx.BaseTransport]] | None = None,
) -> Iterator[Run]:
    """Open clients and a store for one run; closing them (AIS logout included) ends the block.

    Args:
        world: The emulators.
        store_path: The SQLite state store (kept between runs).
        config: The engine's configuration.
        zoho_concurrency: Zoho calls in flight at once (the edition's limit by default).
        transports: The (AIS, Zoho) transports; in-process by default.
    """
    marker = BatchMarker()
    inner = transports(world) if transports else (world.ais.transport(), world.zoho.transport())
    tick = Ticker(world.clock, ROUND_TRIP)
    jde = RecordingTransport(inner[0], "jde", lambda: marker.segment, tick)
    zoho = RecordingTransport(inner[1], "zoho", lambda: marker.segment, tick)
    region = Region.custom(world.zoho.url, world.zoho.url)
    oauth = ZohoOAuth.from_refresh_token(
        world.zoho.client_id, world.zoho.client_secret, world.zoho.refresh_token, region, clock=world.clock
    )
    credentials = AisCredentials("JDE", "JDE")
    retry = retry_policy()
    with (
        AisClient(
            world.ais.url or _AIS_URL,
            credentials,
            timezone=JDE_ZONE,
            retry=retry,
            clock=world.clock,
            transport=jde,
        ) as ais,
        ZohoClient(
            oauth, edition="enterprise", max_concurrency=zoho_concurrency, retry=retry, transport=zoho
        ) as zoho_client,
        SqliteStateStore(store_path) as store,
    ):
        engine = SyncEngine(
            ais=ais,
            zoho=zoho_client,
            store=store,
            config=config or SyncConfig(),
            observers=[marker, FreezeBetweenBatches()],
            clock=world.clock,
        )
        yield Run(engine, jde, zoho, marker)
