"""Scenario 4: memory flatness, and the initial load end to end over loopback sockets.

For each size, the emulators are seeded and served by one process (:mod:`bench._serve`) and the sync runs
in another (:mod:`bench._sync_child`), so the syncing process's peak resident set is the sync's own: it
must not grow with the data beyond what the state store keeps. The target: the peak at the largest size
within 10% of the peak at the smallest (plus the store's growth).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["run_memory"]


def _one(customers: int) -> dict[str, object]:
    began = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench._serve", str(customers)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        where = server.stdout.readline()
        if not where:
            raise RuntimeError(f"the emulator process for {customers} customers exited early")
        seeded = time.perf_counter() - began
        with tempfile.TemporaryDirectory(prefix="jz-bench-") as folder:
            done = subprocess.run(
                [sys.executable, "-m", "bench._sync_child", where.strip(), str(Path(folder) / "state.db")],
                capture_output=True,
                text=True,
                check=True,
            )
        figures: dict[str, object] = json.loads(done.stdout)
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=60)
    return {"customers": customers, "seed_and_serve_s": round(seeded, 1), **figures}


def run_memory(sizes: list[int]) -> dict[str, object]:
    """Peak RSS of the syncing process per size, and how the largest compares with the smallest."""
    runs = [_one(size) for size in sizes]
    result: dict[str, object] = {"runs": runs}
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        growth = float(str(large["peak_rss_mib"])) / float(str(small["peak_rss_mib"])) - 1
        store_growth = float(str(large["store_mib"])) - float(str(small["store_mib"]))
        result["peak_growth_pct"] = round(growth * 100, 1)
        result["store_growth_mib"] = round(store_growth, 1)
        result["rss_growth_mib"] = round(
            float(str(large["peak_rss_mib"])) - float(str(small["peak_rss_mib"])), 1
        )
    return result
