"""Scenarios 1-3 for one data set size, over in-process emulators.

1. Initial load: the first run (no cursors), calls against the minimum, time, records/s.
2. Incremental: a settling run (it reads back the first run's own writes: the overlap), then 1% of the
   linked records edited on each side, then the measured run: calls against the minimum, records
   re-processed, and writes (which must equal the edits).
3. Engine overhead: runs 1 and 3 replayed as bare HTTP (plain httpx) against fresh emulators with the same
   data; our CPU per record is (run CPU - replay CPU) / records, and the ratio is run wall / replay wall.

The Zoho client sends one call at a time here (concurrency 1), so the exchange replays in the same order
and the emulators hand out the same ids; concurrency has its own scenario.
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import attrs

from bench._changes import ChangeSet, change_both_sides
from bench._converged import unsynced
from bench._figures import peak_rss_mib, run_figures
from bench._measured import MeasuredRun, measured_run
from bench._replay import Replay, replay
from bench._wire import Exchange
from bench._world import World
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.model import Direction
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore

__all__ = ["run_sizes"]

BETWEEN_RUNS = timedelta(minutes=15)


def _overhead(run: MeasuredRun, bare: Replay) -> dict[str, object]:
    records = max(run.records, 1)
    return {
        "records": run.records,
        "run_wall_s": round(run.wall, 3),
        "run_cpu_s": round(run.cpu, 3),
        "replay_wall_s": round(bare.wall, 3),
        "replay_cpu_s": round(bare.cpu, 3),
        "run_gc_s": round(run.gc, 3),
        "replay_gc_s": round(bare.gc, 3),
        "replay_calls": bare.calls,
        "replay_mismatches": bare.mismatches,
        "our_cpu_us_per_record": round((run.cpu - bare.cpu) / records * 1e6, 1),
        "ratio_wall": round(run.wall / bare.wall, 2) if bare.wall else None,
    }


def _incremental(run: MeasuredRun, changes: ChangeSet) -> dict[str, object]:
    pulled, pushed = run.report.total(Direction.ZOHO_TO_JDE), run.report.total(Direction.JDE_TO_ZOHO)
    written = {
        "to_jde": pulled.created + pulled.updated,
        "to_zoho": pushed.created + pushed.updated,
    }
    return {
        "changed": {
            "jde": changes.jde,
            "zoho": changes.zoho,
            "detail": attrs.asdict(changes),
        },
        "re_processed": {"from_zoho": pulled.read, "from_jde": pushed.read},
        "overlap_re_reads": {
            "from_zoho": pulled.read - changes.zoho,
            "from_jde": pushed.read - changes.jde,
        },
        "written": written,
        "wasted_writes": written["to_jde"] + written["to_zoho"] - changes.jde - changes.zoho,
    }


def run_size(customers: int, *, replay_runs: bool = True) -> dict[str, object]:
    """Every figure of scenarios 1-3 for one size."""
    config = SyncConfig()
    began = time.perf_counter()
    world = World.build(customers)
    seeded = time.perf_counter() - began
    result: dict[str, object] = {"customers": customers, "seed_s": round(seeded, 2)}
    with tempfile.TemporaryDirectory(prefix="jz-bench-") as folder:
        store_path = Path(folder) / "state.db"
        first = measured_run(world, store_path, config, zoho_concurrency=1)
        result["initial"] = {**run_figures(first), "peak_rss_mib": round(peak_rss_mib(), 1)}
        with SqliteStateStore(store_path) as store:
            result["initial"]["unsynced_after"] = unsynced(world, store)  # type: ignore[index]
        world.clock.advance(BETWEEN_RUNS)
        settle = measured_run(world, store_path, config, zoho_concurrency=1)
        world.clock.advance(BETWEEN_RUNS)
        changed_at = world.clock.now
        with SqliteStateStore(store_path) as store:
            changes = change_both_sides(world, store)
        world.clock.advance(timedelta(minutes=1))
        third = measured_run(world, store_path, config, zoho_concurrency=1)
        result["settle"] = run_figures(settle)
        result["incremental"] = {**run_figures(third), **_incremental(third, changes)}
        if replay_runs:
            result["overhead"] = _replayed(customers, store_path, (first, settle, third), changed_at)
    return result


def _replayed(
    customers: int,
    store_path: Path,
    runs: tuple[MeasuredRun, MeasuredRun, MeasuredRun],
    changed_at: datetime,
) -> dict[str, object]:
    """Replay the three runs on a fresh copy of the world; the first and third are the baselines."""
    twin = World.build(customers)
    first, settle, third = runs

    def send(exchanges: tuple[Exchange, ...]) -> Replay:
        return replay(exchanges, {"jde": twin.ais.transport(), "zoho": twin.zoho.transport()}, twin.clock)

    initial = send(first.exchanges)
    send(settle.exchanges)
    twin.clock.now = changed_at
    with SqliteStateStore(store_path) as store:
        change_both_sides(twin, store)
    incremental = send(third.exchanges)
    return {"initial": _overhead(first, initial), "incremental": _overhead(third, incremental)}


def run_sizes(sizes: list[int]) -> list[dict[str, object]]:
    """Scenarios 1-3 for each size."""
    return [run_size(size) for size in sizes]
