"""``python -m bench._sync_child WHERE STORE``: one sync over sockets, in a process of its own (JSON figures).

``WHERE`` is the JSON line :mod:`bench._serve` printed. The process imports what it needs, notes its resident
set, runs the engine once with fresh clients (as a scheduled ``jde-zoho sync`` would), and prints its peak
resident set size (and SQLite's part of it), times, calls and the state store's size. Nothing else runs in
it: its peak is the sync's.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from bench._figures import peak_rss_mib, sqlite_peak_mib
from bench._heap import gc_time
from bench._world import JDE_ZONE, retry_policy
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync.engine import SyncEngine
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth


def _current_rss_mib() -> float:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / (1024 * 1024)


def main(where: dict[str, str], store_path: Path) -> dict[str, object]:
    """Run one sync against the served emulators and measure this process."""
    before = _current_rss_mib()
    region = Region.custom(where["zoho"], where["zoho"])
    oauth = ZohoOAuth.from_refresh_token(
        where["client_id"], where["client_secret"], where["refresh_token"], region
    )
    retry = retry_policy()
    with (
        AisClient(where["ais"], AisCredentials("JDE", "JDE"), timezone=JDE_ZONE, retry=retry) as ais,
        ZohoClient(oauth, edition="enterprise", retry=retry) as zoho,
        SqliteStateStore(store_path) as store,
        gc_time() as collecting,  # no freezing here: this heap is the sync's alone, as in production
    ):
        began, cpu = time.perf_counter(), time.process_time()
        report = SyncEngine(ais=ais, zoho=zoho, store=store).run()
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    size = sum(path.stat().st_size for path in store_path.parent.glob(store_path.name + "*"))
    return {
        "pid": os.getpid(),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "gc_s": round(collecting.total, 2),
        "records": report.total().read,
        "records_per_s": round(report.total().read / wall, 1) if wall else None,
        "failed": report.failed,
        "jde_calls": report.jde_calls.calls,
        "zoho_calls": report.zoho_calls.calls,
        "rss_before_run_mib": round(before, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "sqlite_peak_mib": None if (sqlite := sqlite_peak_mib()) is None else round(sqlite, 1),
        "store_mib": round(size / (1024 * 1024), 1),
    }


if __name__ == "__main__":
    figures = main(json.loads(sys.argv[1]), Path(sys.argv[2]))
    sys.stdout.write(json.dumps(figures) + "\n")
