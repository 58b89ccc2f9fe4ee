"""Keeping the emulators' heap out of the engine's garbage collections, and timing the collections.

In-process, the emulators and the bench's recording share the engine's heap. What they create during a run
(records written, request logs, recorded exchanges) would live in other processes in production, yet the
collections the engine's allocations trigger walk it: after a 100k initial load, 485,000 tracked objects
remained, nearly all of them the emulators' and the recording's (52,000 at 10k). Timed apart with a
``gc.callbacks`` timer, collections took 17.5 s of that load's 108.6 s of CPU (46 us a record; full
collections alone 15.5 s), against 0.49 s of 9.0 s at 10k (13 us a record).

So the bench freezes the heap (``gc.freeze``: frozen objects are never walked) between batches: in the run
at each checkpoint and each page read, in the replay at the same points (where the recorded batch number
changes).

This also spares what the engine holds at a boundary (the batch it just committed, the pages it is
reading): those objects skip the collections they would have met before being freed, and any caught in a
reference cycle stays until the next :meth:`bench._world.World.build` thaws the heap. On initial loads the
frozen in-process runs spend 4-5 us a record in collections; the socket scenario's sync process, which
holds the engine alone and freezes nothing, spends 11-14 us, flat from 1k to 100k (part of that is the
sockets' own objects). The in-process figures may therefore understate the engine's collections by up to
about 8 us a record.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

import attrs

from jde_zoho_sdk.sync.events import CheckpointCommitted, PageRead, SyncEvent

__all__ = ["FreezeBetweenBatches", "GcTime", "gc_time"]


class FreezeBetweenBatches:
    """An engine observer that freezes the heap after each checkpoint and each page of changes read."""

    def on_event(self, event: SyncEvent) -> None:
        """Freeze at the batch boundaries :class:`bench._wire.BatchMarker` numbers."""
        if isinstance(event, CheckpointCommitted | PageRead):
            gc.freeze()


@attrs.define
class GcTime:
    """Seconds spent in garbage collections, and how many there were, by generation (0, 1, 2)."""

    seconds: list[float] = attrs.field(factory=lambda: [0.0, 0.0, 0.0])
    collections: list[int] = attrs.field(factory=lambda: [0, 0, 0])

    @property
    def total(self) -> float:
        """Seconds in all generations."""
        return sum(self.seconds)


@contextmanager
def gc_time() -> Iterator[GcTime]:
    """Time every collection made inside the block (wall time, which is CPU time for a collection)."""
    spent = GcTime()
    began = 0.0

    def note(phase: str, info: dict[str, int]) -> None:
        nonlocal began
        if phase == "start":
            began = time.perf_counter()
        else:
            spent.seconds[info["generation"]] += time.perf_counter() - began
            spent.collections[info["generation"]] += 1

    gc.callbacks.append(note)
    try:
        yield spent
    finally:
        gc.callbacks.remove(note)
