"""The serve scheduler: drains batch what arrives together, the channel is renewed when due, stops are clean."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from jde_zoho_sdk import Secret
from jde_zoho_sdk._cli.schedule import Schedule, parse_schedule
from jde_zoho_sdk._cli.service import RETRY_AFTER, SyncService
from jde_zoho_sdk.sync import ChannelKeeper, ChannelState, SyncEngine, SyncLockedError, SyncReport

OFF = parse_schedule("off")


def report() -> SyncReport:
    now = datetime.now(UTC)
    return SyncReport(run_id="r", started_at=now, finished_at=now, counts={})


class Store:
    def __init__(self, depth: int = 0) -> None:
        self.depth = depth

    def queue_depth(self) -> int:
        return self.depth


class Engine:
    def __init__(self, depth: int = 0) -> None:
        self.store = Store(depth)
        self.calls: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.fail_next: Exception | None = None
        self.stops = 0

    def _job(self, name: str) -> SyncReport:
        self.gate.wait()
        self.calls.append(name)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        return report()

    def drain(self) -> SyncReport:
        return self._job("drain")

    def run(self) -> SyncReport:
        return self._job("run")

    def reconcile(self) -> SyncReport:
        return self._job("reconcile")

    def stop(self) -> None:
        self.stops += 1


class Keeper:
    def __init__(self, renew_every: timedelta = timedelta(hours=1)) -> None:
        self.ensured = 0
        self.renew_every = renew_every
        self.due: datetime | None = None

    def ensure(self) -> ChannelState:
        self.ensured += 1
        self.due = datetime.now(UTC) + self.renew_every
        return ChannelState(
            channel_id="1", events=("Accounts.all",), notify_url="x", token=Secret("t"), expires_at=self.due
        )

    def next_renewal(self) -> datetime | None:
        return self.due


def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``predicate`` with short waits until it holds; fail at the deadline."""
    deadline = time.monotonic() + timeout
    waiter = threading.Event()
    while not predicate():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        waiter.wait(0.01)


@pytest.fixture
def running() -> Iterator[Callable[..., tuple[SyncService, Engine, Keeper]]]:
    services: list[SyncService] = []

    def start(
        *,
        engine: Engine | None = None,
        keeper: Keeper | None = None,
        delay: float = 0.2,
        jde: Schedule = OFF,
        reconcile: Schedule = OFF,
    ) -> tuple[SyncService, Engine, Keeper]:
        engine = engine or Engine()
        keeper = keeper or Keeper()
        service = SyncService(
            cast(SyncEngine, engine),
            cast(ChannelKeeper, keeper),
            jde_schedule=jde,
            reconcile_schedule=reconcile,
            queue_delay=timedelta(seconds=delay),
        )
        service.start()
        services.append(service)
        return service, engine, keeper

    yield start
    for service in services:
        assert service.stop(timeout=5)


def test_notifications_arriving_together_are_drained_once_after_the_delay(running) -> None:  # type: ignore[no-untyped-def]
    service, engine, keeper = running(delay=0.3)
    eventually(lambda: keeper.ensured == 1)
    arrived = time.monotonic()
    for _ in range(3):
        service.notification_arrived()
    eventually(lambda: engine.calls == ["drain"])
    assert time.monotonic() - arrived >= 0.3
    assert service.next_due["drain"] is None  # nothing else scheduled: the three were one batch
    service.notification_arrived(0)  # ids already queued: no new drain
    assert service.next_due["drain"] is None


def test_ids_left_queued_by_a_previous_start_are_drained(running) -> None:  # type: ignore[no-untyped-def]
    _, engine, _ = running(engine=Engine(depth=4), delay=0.05)
    eventually(lambda: engine.calls == ["drain"])


def test_the_channel_is_renewed_when_the_keeper_says_so(running) -> None:  # type: ignore[no-untyped-def]
    _, _, keeper = running(keeper=Keeper(renew_every=timedelta(milliseconds=100)))
    eventually(lambda: keeper.ensured >= 3)


def test_jde_polls_and_reconciles_follow_their_schedules(running) -> None:  # type: ignore[no-untyped-def]
    fast = Schedule(text="every 50 ms", every=timedelta(milliseconds=50))
    _, engine, _ = running(jde=fast, reconcile=Schedule(text="every 80 ms", every=timedelta(milliseconds=80)))
    eventually(lambda: engine.calls.count("run") >= 2 and engine.calls.count("reconcile") >= 2)


def test_a_locked_drain_is_tried_again_later(running) -> None:  # type: ignore[no-untyped-def]
    engine = Engine()
    engine.fail_next = SyncLockedError("another run holds the lock")
    service, _, _ = running(engine=engine, delay=0.0)
    service.notification_arrived()
    eventually(lambda: engine.calls == ["drain"])
    eventually(lambda: service.next_due["drain"] is not None)
    due = service.next_due["drain"]
    assert due is not None
    assert due > datetime.now(UTC) + RETRY_AFTER - timedelta(seconds=5)


def test_a_renewal_that_breaks_unexpectedly_does_not_stop_the_scheduler(running) -> None:  # type: ignore[no-untyped-def]
    class Broken(Keeper):
        def ensure(self) -> ChannelState:
            self.ensured += 1
            raise RuntimeError("unexpected")

    service, engine, keeper = running(keeper=Broken(), delay=0.0)
    eventually(lambda: keeper.ensured == 1)
    service.notification_arrived()
    eventually(lambda: engine.calls == ["drain"])


def test_stop_lets_the_job_in_progress_finish(running) -> None:  # type: ignore[no-untyped-def]
    engine = Engine()
    engine.gate.clear()  # the drain blocks until the test opens the gate
    service, _, _ = running(engine=engine, delay=0.0)
    service.notification_arrived()
    eventually(lambda: service.next_due["drain"] is None)  # taken by the scheduler thread
    stopper = threading.Thread(target=service.stop)
    stopper.start()
    stopper.join(0.2)
    assert stopper.is_alive()  # still waiting for the drain
    engine.gate.set()
    stopper.join(5)
    assert not stopper.is_alive()
    assert engine.calls == ["drain"]
    assert service.jobs_run["drain"] == 1
    assert engine.stops >= 1  # the run in progress was asked to end after its batch


def test_a_stop_during_the_channel_renewal_starts_no_drain(running) -> None:  # type: ignore[no-untyped-def]
    engine = Engine(depth=5)  # ids left queued: a drain is due at once, after the channel
    renewing, release = threading.Event(), threading.Event()

    class SlowKeeper(Keeper):
        def ensure(self) -> ChannelState:
            renewing.set()
            release.wait(5)  # a Zoho call with retries
            return super().ensure()

    service, _, _ = running(engine=engine, keeper=SlowKeeper(), delay=0.0)
    assert renewing.wait(5)
    stopper = threading.Thread(target=service.stop, kwargs={"timeout": 5})
    stopper.start()
    eventually(lambda: engine.stops > 0)  # the stop was asked while the renewal ran
    release.set()
    stopper.join(5)
    assert not stopper.is_alive()
    assert engine.calls == []


def test_a_run_that_starts_just_after_a_stop_is_asked_to_stop_again(running) -> None:  # type: ignore[no-untyped-def]
    engine = Engine()
    engine.gate.clear()  # the job blocks, as a run in progress does
    service, _, _ = running(engine=engine, delay=0.0)
    service.notification_arrived()
    eventually(lambda: service.next_due["drain"] is None)  # taken by the scheduler thread
    stopper = threading.Thread(target=service.stop, kwargs={"timeout": 5})
    stopper.start()
    # The engine clears a stop asked before its run began: the service asks again while the job runs.
    eventually(lambda: engine.stops >= 2)
    engine.gate.set()
    stopper.join(5)
    assert not stopper.is_alive()
