"""Scenario 4: memory flatness, and the initial load end to end over loopback sockets.

For each size, the emulators are seeded and served by one process (:mod:`bench._serve`) and the sync runs
in another (:mod:`bench._sync_child`), so the syncing process's peak resident set is the sync's own: it
must not grow with the data beyond what the state store keeps. The target: the peak at 100k customers
within 10% of the peak at 10k (plus the store's growth); each size is compared with the one before it.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["run_memory"]


def _one(customers: int) -> dict[str, object]:
    began = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "bench._serve", str(customers)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as server:  # closes its pipes on the way out
        try:
            assert server.stdout is not None
            where = server.stdout.readline()
            if not where:
                raise RuntimeError(f"the emulator process for {customers} customers exited early")
            seeded = time.perf_counter() - began
            with tempfile.TemporaryDirectory(prefix="jz-bench-") as folder:
                store = str(Path(folder) / "state.db")
                done = subprocess.run(
                    [sys.executable, "-m", "bench._sync_child", where.strip(), store],
                    capture_output=True,
                    text=True,
                    check=True,
                )
            figures: dict[str, object] = json.loads(done.stdout)
        finally:
            if server.stdin is not None:
                server.stdin.close()  # the emulators serve until their standard input closes
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()  # else leaving the block would wait for it without end
    return {"customers": customers, "seed_and_serve_s": round(seeded, 1), **figures}


def run_memory(sizes: list[int]) -> dict[str, object]:
    """Peak RSS of the syncing process per size, and how each size compares with the one before it."""
    runs = [_one(size) for size in sizes]
    for before, after in itertools.pairwise(runs):
        after["peak_growth_pct"] = round(_ratio(after, before, "peak_rss_mib") * 100, 1)
        after["store_growth_mib"] = round(_mib(after, "store_mib") - _mib(before, "store_mib"), 1)
    return {"runs": runs}


def _mib(run: dict[str, object], key: str) -> float:
    return float(str(run[key]))


def _ratio(after: dict[str, object], before: dict[str, object], key: str) -> float:
    return _mib(after, key) / _mib(before, key) - 1
