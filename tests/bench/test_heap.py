"""The bench keeps the emulators' heap out of the engine's collections, and times the collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from bench._clock import FakeClock
from bench._heap import FreezeBetweenBatches, gc_time
from bench._replay import replay
from bench._wire import Exchange

from jde_zoho_sdk.sync.events import CheckpointCommitted, PageRead, RunStarted
from jde_zoho_sdk.sync.model import Direction, Entity


@pytest.fixture(autouse=True)
def _thaw() -> Iterator[None]:
    yield
    gc.unfreeze()  # what a test froze is collectable again


def _walked(obj: object) -> bool:
    return any(item is obj for item in gc.get_objects())


@pytest.mark.parametrize(
    "event",
    [
        CheckpointCommitted(run_id="r", entity=Entity.CUSTOMER, direction=Direction.JDE_TO_ZOHO, records=1),
        PageRead(run_id="r", direction=Direction.ZOHO_TO_JDE, source="Accounts", records=1),
    ],
)
def test_a_batch_boundary_freezes_what_the_heap_holds(event: CheckpointCommitted | PageRead) -> None:
    kept = [[1], [2]]  # tracked by the collector
    assert _walked(kept)
    FreezeBetweenBatches().on_event(event)
    assert not _walked(kept)


def test_other_events_freeze_nothing() -> None:
    kept = [[1], [2]]
    FreezeBetweenBatches().on_event(RunStarted(run_id="r", directions=(Direction.JDE_TO_ZOHO,)))
    assert _walked(kept)


def test_every_collection_in_the_block_is_timed_by_generation() -> None:
    with gc_time() as spent:
        gc.collect(0)
        gc.collect(2)
    assert spent.collections[0] >= 1
    assert spent.collections[2] >= 1
    assert spent.total == sum(spent.seconds) > 0
    after = list(spent.collections)
    gc.collect()
    assert spent.collections == after  # the block's end removed the callback


def test_the_replay_freezes_where_the_run_did(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen_before: list[int] = []
    sent: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(int(request.url.path.strip("/")))
        return httpx.Response(200, content=b"{}")

    monkeypatch.setattr(gc, "freeze", lambda: frozen_before.append(len(sent)))
    at = datetime(2026, 3, 1, tzinfo=UTC)
    exchanges = [
        Exchange("jde", "GET", f"https://ais.test/{seq}", (), b"", 200, b"{}", segment, seq, at)
        for seq, segment in enumerate([0, 0, 1, 1, 3, 3, 3])
    ]
    replayed = replay(exchanges, {"jde": httpx.MockTransport(answer)}, FakeClock(at))
    assert replayed.mismatches == 0
    assert sent == list(range(7))
    assert frozen_before == [
        2,
        4,
    ]  # before the first call of segments 1 and 3, as the run froze after 0 and 1
