"""Keeping the emulators' heap out of the engine's garbage collections, and timing the collections.

In-process, the emulators and the bench's recording share the engine's heap. What they create during a run
(records written, request logs, recorded exchanges: 485,000 tracked objects at the end of a 100k initial
load) would live in other processes in production, yet every full collection the engine's
allocations trigger walks all of it: 15.5 s of a 108 s initial load at 100k, against 0.3 s of 9 s at 10k.
So the bench freezes the heap (``gc.freeze``: frozen objects are never walked or collected) between
batches: in the run at each checkpoint and each page read, in the replay at the same points (where the
recorded batch number changes).

This undercounts the engine's own collections a little: at a boundary the engine still holds the batch it
just committed and the pages it is reading (Pairs, links, audit events, rows), which are frozen too and so
skip the collections they would meet before being freed. The socket scenario's sync process, which holds
the engine alone and freezes nothing, spends 11-14 us a record in collections, flat from 1k to 100k; the
frozen in-process runs spend 4-5 us a record (part of the difference is the sockets' own objects, which
in-process transports do not make). Without freezing, the in-process figure was 13 us a record at 10k and
46 us at 100k.
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
