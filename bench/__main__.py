"""``python -m bench`` (``nox -s bench``): run the benchmark scenarios, print their tables, write JSON.

Options:
    --sizes 1000,10000,100000   data set sizes (JDE customers) for scenarios 1-4
    --only sync,memory,concurrency,budget
                                which scenario groups to run (all but budget by default; budget needs py-spy)
    --no-replay                 skip the bare HTTP replay (scenario 3), which doubles the sync scenarios' time
    --results DIR               where the JSON goes (bench/results by default; git-ignored)

Figures are printed and written, never asserted. See bench/README.md for what each one means.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._summary import budget_tables, concurrency_tables, memory_table, sync_tables
from bench.scenarios.budget import run_budget
from bench.scenarios.concurrency import run_concurrency
from bench.scenarios.memory import run_memory

GROUPS = ("sync", "memory", "concurrency", "budget")
DEFAULT_GROUPS = GROUPS[:3]  # the budget samples with py-spy, a separate program: asked for by name


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated customer counts")
    parser.add_argument(
        "--only", default=",".join(DEFAULT_GROUPS), help="comma-separated: " + ", ".join(GROUPS)
    )
    parser.add_argument("--no-replay", action="store_true", help="skip the bare HTTP replay baseline")
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "results")
    return parser.parse_args(argv)


def _sync(sizes: list[int], *, replay: bool) -> list[dict[str, object]]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="jz-bench-") as folder:
        for size in sizes:
            out = Path(folder) / f"{size}.json"
            command = [sys.executable, "-m", "bench._worker", str(size), str(out)]
            subprocess.run([*command, *([] if replay else ["--no-replay"])], check=True)
            figures.append(json.loads(out.read_text()))
    return figures


def _write(results: Path, name: str, figures: object) -> None:
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{name}.json").write_text(json.dumps(figures, indent=1, default=str) + "\n")


def main(argv: list[str]) -> int:
    """Run the chosen scenarios; print and write their figures."""
    options = _arguments(argv)
    sizes = [int(size) for size in options.sizes.split(",") if size]
    groups = [group for group in options.only.split(",") if group]
    unknown = set(groups) - set(GROUPS)
    if unknown:
        sys.stderr.write(f"unknown scenario groups: {', '.join(sorted(unknown))}\n")
        return 2
    began = time.perf_counter()
    if "sync" in groups:
        figures = _sync(sizes, replay=not options.no_replay)
        _write(options.results, "sync", figures)
        sys.stdout.write(sync_tables(figures) + "\n")
    if "memory" in groups:
        memory = run_memory(sizes)
        _write(options.results, "memory", memory)
        sys.stdout.write(memory_table(memory) + "\n")
    if "concurrency" in groups:
        concurrency = run_concurrency()
        _write(options.results, "concurrency", concurrency)
        sys.stdout.write(concurrency_tables(concurrency) + "\n")
    if "budget" in groups:
        budget = run_budget(sizes)
        _write(options.results, "budget", budget)
        sys.stdout.write(budget_tables(budget) + "\n")
    elapsed = time.perf_counter() - began
    sys.stdout.write(f"Done in {elapsed / 60:.1f} min; JSON in {options.results}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
