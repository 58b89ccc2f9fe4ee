"""One measured engine run: wall and CPU time, the calls it made against the minimum, what it did."""

from __future__ import annotations

import time
from pathlib import Path

import attrs

from bench._calls import classify
from bench._facts import Facts, measure, window
from bench._heap import gc_time
from bench._minimum import Line, compare
from bench._wire import Exchange
from bench._world import World, open_run
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.model import Direction
from jde_zoho_sdk.sync.report import SyncReport
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore

__all__ = ["MeasuredRun", "measured_run"]


@attrs.frozen
class MeasuredRun:
    """What one run cost and did.

    Attributes:
        report: The engine's report.
        wall: Seconds of wall time of ``engine.run()``.
        cpu: Seconds of CPU time of the whole process (every thread) during the run.
        gc: Seconds of it spent in garbage collections.
        lines: Calls made against the minimum.
        facts: The formula's inputs.
        exchanges: What was sent and answered, for the bare replay.
    """

    report: SyncReport
    wall: float
    cpu: float
    gc: float
    lines: tuple[Line, ...]
    facts: Facts
    exchanges: tuple[Exchange, ...] = attrs.field(repr=False)

    @property
    def records(self) -> int:
        """Records read, both directions."""
        return self.report.total().read

    def read(self, direction: Direction) -> int:
        """Records read in one direction."""
        return self.report.total(direction).read


def measured_run(
    world: World, store_path: Path, config: SyncConfig, *, zoho_concurrency: int | None = None
) -> MeasuredRun:
    """Run the engine once with fresh clients over in-process emulators, and measure it.

    Args:
        world: The emulators.
        store_path: The state store (kept from run to run).
        config: The engine's configuration.
        zoho_concurrency: Zoho calls in flight at once (1 makes the exchange replayable in order).
    """
    with SqliteStateStore(store_path) as store:
        start = window(world, store, config)
    with (
        open_run(world, store_path, config=config, zoho_concurrency=zoho_concurrency) as run,
        gc_time() as collecting,
    ):
        began, cpu = time.perf_counter(), time.process_time()
        report = run.engine.run()
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    exchanges = tuple(run.exchanges())
    with SqliteStateStore(store_path) as store:
        facts = measure(world, store, config, start, report.run_id)
    lines = compare(classify(exchanges), facts, run.marker.labels, config)
    return MeasuredRun(report, wall, cpu, collecting.total, tuple(lines), facts, exchanges)
