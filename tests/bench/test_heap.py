"""The bench keeps the emulators' heap out of the engine's collections, and times the collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from bench._heap import FreezeBetweenBatches, gc_time

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
