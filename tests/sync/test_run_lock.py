"""The run lock's heartbeat outlives a failed renewal, and a run that lost its lock stops writing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta

import pytest

from jde_zoho_sdk.sync._lock import RunLock
from jde_zoho_sdk.sync.engine import SyncAbortedError, SyncEngine, SyncLockedError
from jde_zoho_sdk.sync.events import CheckpointCommitted, SyncEvent
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore
from jde_zoho_sdk.testing import seed
from tests.sync.conftest import Systems


class FlakyStore:
    """A store whose lock renewals fail once with a disk error, then work (or report the lock lost)."""

    def __init__(self, store: SqliteStateStore, *, lose_after: int | None = None) -> None:
        self.store = store
        self.renewals = 0
        self.lose_after = lose_after
        self.enough = threading.Event()

    def acquire_lock(self, name: str, owner: str, *, lease: timedelta, now: datetime) -> bool:
        self.renewals += 1
        if self.renewals >= 4:
            self.enough.set()
        if self.renewals == 2:
            raise sqlite3.OperationalError("disk I/O error")
        if self.lose_after is not None and self.renewals > self.lose_after:
            return False
        return self.store.acquire_lock(name, owner, lease=lease, now=now)

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


def test_the_heartbeat_outlives_a_renewal_that_failed(systems: Systems) -> None:
    flaky = FlakyStore(systems.store)
    lock = RunLock(flaky, "run", "r1", lease=timedelta(seconds=0.03), clock=systems.clock)  # type: ignore[arg-type]
    with lock:
        assert flaky.enough.wait(5)  # renewals went on after the failed one
    assert not lock.lost.is_set()


def test_a_renewal_that_finds_the_lock_taken_marks_it_lost(systems: Systems) -> None:
    flaky = FlakyStore(systems.store, lose_after=2)
    lock = RunLock(flaky, "run", "r1", lease=timedelta(seconds=0.03), clock=systems.clock)  # type: ignore[arg-type]
    with lock:
        assert lock.lost.wait(5)


def test_a_run_whose_lock_was_lost_stops_after_the_batch_in_flight(systems: Systems) -> None:
    systems.load(seed.generate(customers=30, seed=3))
    engine: SyncEngine = systems.engine(batch_size=10)
    batches: list[int] = []

    class LoseTheLock:
        def on_event(self, event: SyncEvent) -> None:
            if isinstance(event, CheckpointCommitted):
                batches.append(event.records)
                lock = engine._lock
                assert lock is not None
                lock.lost.set()  # as the heartbeat does when another run took the lock

    engine.observers = (*engine.observers, LoseTheLock())
    with pytest.raises(SyncAbortedError) as stopped:
        engine.run()
    assert isinstance(stopped.value.__cause__, SyncLockedError)
    assert "lock was lost" in str(stopped.value)
    assert len(batches) == 1  # no batch after the one in flight
