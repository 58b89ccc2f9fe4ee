"""``python -m bench._budget_child SIZE OUT``: one initial load and its bare replay, for py-spy to sample.

The process builds the world, runs the initial load over in-process emulators (as scenario 1 does) and
replays its exchange on a fresh twin (as scenario 3 does); :mod:`bench.scenarios.budget` runs it under py-spy
and keeps the samples taken inside ``SyncEngine.run``. The figures go to ``OUT`` as JSON.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from bench._measured import measured_run
from bench._replay import replay
from bench._world import World
from jde_zoho_sdk.sync.config import SyncConfig


def main(customers: int) -> dict[str, object]:
    """Run and replay the initial load; return its records and CPU times."""
    world = World.build(customers)
    with tempfile.TemporaryDirectory(prefix="jz-bench-") as folder:
        run = measured_run(world, Path(folder) / "state.db", SyncConfig(), zoho_concurrency=1)
    del world
    twin = World.build(customers)
    bare = replay(run.exchanges, {"jde": twin.ais.transport(), "zoho": twin.zoho.transport()}, twin.clock)
    return {
        "customers": customers,
        "records": run.records,
        "run_cpu_s": round(run.cpu, 3),
        "replay_cpu_s": round(bare.cpu, 3),
        "replay_mismatches": bare.mismatches,
    }


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(json.dumps(main(int(sys.argv[1]))))
