"""Scenario 6 (on demand): where an initial load's CPU goes, step by step.

The initial load of scenario 1 runs in a process of its own (:mod:`bench._budget_child`) under py-spy, which
samples its call stacks; :mod:`bench._budget` sorts the samples taken inside ``SyncEngine.run`` into the
steps a record passes through, and each step's share of the samples is turned into CPU microseconds per
record. The steps the bare replay also pays (the emulators, httpx's request objects and sending) are
marked. The engine's own steps, added up, are compared with the same process's run CPU minus its replay
CPU: that checks the split between the engine and the rest, not how the engine's part is divided.

py-spy is a separate program (``pip install py-spy``, or the ``bench`` extra); without it, the scenario says
so and is skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import attrs

from bench._budget import costs, read_raw

__all__ = ["SAMPLING_HZ", "run_budget"]

SAMPLING_HZ = 250


def _one(py_spy: str, customers: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="jz-bench-") as folder:
        out, raw = Path(folder) / "figures.json", Path(folder) / "stacks.txt"
        command = [sys.executable, "-m", "bench._budget_child", str(customers), str(out)]
        sampling = ["record", "--rate", str(SAMPLING_HZ), "--format", "raw", "--output", str(raw)]
        done = subprocess.run(
            [py_spy, *sampling, "--", *command], capture_output=True, text=True, check=False
        )
        if done.returncode != 0 or not out.exists():
            # py-spy needs ptrace, which containers often refuse: say why rather than stop the whole bench
            said = (done.stderr or "").strip().splitlines() or ["no output"]
            return {"customers": customers, "error": f"py-spy or the run failed: {said[-1]}"}
        figures: dict[str, object] = json.loads(out.read_text())
        with raw.open() as lines:
            stacks = read_raw(lines)
    records, run_cpu = int(str(figures["records"])), float(str(figures["run_cpu_s"]))
    steps = costs(stacks, run_cpu, records)
    return {
        **figures,
        "samples": sum(stacks.values()),
        "our_cpu_us_per_record": round((run_cpu - float(str(figures["replay_cpu_s"]))) / records * 1e6, 1),
        "steps": [attrs.asdict(step) for step in steps],
    }


def run_budget(sizes: list[int]) -> dict[str, object]:
    """The budget of an initial load at each size (empty, with the reason, without py-spy)."""
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if py_spy is None:
        return {"skipped": "py-spy is not installed (pip install py-spy)", "runs": []}
    return {"sampling_hz": SAMPLING_HZ, "runs": [_one(py_spy, size) for size in sizes]}
