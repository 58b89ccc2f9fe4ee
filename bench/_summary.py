"""The benchmark figures as terminal tables, one per scenario."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench._table import table

__all__ = ["budget_tables", "concurrency_tables", "memory_table", "sync_tables"]

Figures = Mapping[str, Any]


def _calls(run: Figures, system: str) -> str:
    made = run["calls"]["by_system"].get(system, {"made": 0, "minimum": 0})
    return f"{made['made']:,} / {made['minimum']:,}"


def _waste(sizes: Sequence[Figures], runs: Sequence[str]) -> str:
    lines = [
        f"  {size['customers']:>7,} {name}: {item}"
        for size in sizes
        for name in runs
        for item in size[name]["calls"]["waste"]
    ]
    return "Calls beyond the minimum:\n" + ("\n".join(lines) if lines else "  none") + "\n"


def sync_tables(sizes: Sequence[Figures]) -> str:
    """Scenarios 1-3: initial load, incremental run, engine overhead."""
    initial = table(
        "1. Initial load (in-process emulators; calls made / minimum)",
        ["customers", "JDE calls", "Zoho calls", "wall s", "records", "records/s", "RSS MiB*", "unsynced"],
        [
            [
                size["customers"],
                _calls(size["initial"], "jde"),
                _calls(size["initial"], "zoho"),
                size["initial"]["wall_s"],
                size["initial"]["records"],
                size["initial"]["records_per_s"],
                size["initial"]["peak_rss_mib"],
                sum(size["initial"]["unsynced_after"].values()),
            ]
            for size in sizes
        ],
    )
    rows = []
    for size in sizes:
        for name in ("settle", "incremental"):
            run = size[name]
            changed = run.get("changed", {"jde": 0, "zoho": 0})
            directions = run["directions"]
            written = directions["zoho_to_jde"]["written"] + directions["jde_to_zoho"]["written"]
            rows.append(
                [
                    size["customers"],
                    name,
                    _calls(run, "jde"),
                    _calls(run, "zoho"),
                    f"{changed['jde']} / {changed['zoho']}",
                    f"{directions['zoho_to_jde']['read']:,} / {directions['jde_to_zoho']['read']:,}",
                    written,
                    written - changed["jde"] - changed["zoho"],
                    run["wall_s"],
                ]
            )
    incremental = table(
        "2. Incremental (settle: reads back the first run's writes; then 1% edited on each side)",
        [
            "customers",
            "run",
            "JDE calls",
            "Zoho calls",
            "edited JDE/Zoho",
            "read Zoho/JDE",
            "written",
            "wasted writes",
            "wall s",
        ],
        rows,
    )
    overhead_rows = [
        [
            size["customers"],
            name,
            figures["records"],
            figures["run_cpu_s"],
            figures["replay_cpu_s"],
            figures.get("run_gc_s"),
            figures.get("replay_gc_s"),
            figures["our_cpu_us_per_record"],
            figures["run_wall_s"],
            figures["replay_wall_s"],
            figures["ratio_wall"],
            figures["replay_mismatches"],
        ]
        for size in sizes
        if "overhead" in size
        for name, figures in size["overhead"].items()
    ]
    overhead = table(
        "3. Engine overhead against the bare HTTP replay (targets: <= 100 us/record, <= 1.5x)",
        [
            "customers",
            "run",
            "records",
            "run CPU s",
            "replay CPU s",
            "run GC s**",
            "replay GC s**",
            "our us/record",
            "run wall s",
            "replay wall s",
            "ratio",
            "mismatches",
        ],
        overhead_rows,
    )
    note = "* peak RSS of the process holding both emulators; scenario 4 measures the sync alone.\n"
    gc_note = (
        "** seconds in garbage collections (the heap is frozen between batches: bench/_heap.py);\n"
        "   the replay's include its bookkeeping, which its CPU time leaves out\n"
    )
    return "\n".join(
        [initial, note, incremental, _waste(sizes, ("initial", "settle", "incremental")), overhead, gc_note]
    )


def memory_table(figures: Figures) -> str:
    """Scenario 4: the syncing process's peak RSS per size, emulators in another process."""
    note = (
        "* SQLite's own peak (its page cache and prepared statements), part of the peak RSS.\n"
        "** seconds in garbage collections (this process holds the sync alone: nothing is frozen)\n"
    )
    return "\n".join([_memory_rows(figures), note])


def _memory_rows(figures: Figures) -> str:
    return table(
        "4. Memory: the syncing process alone, over loopback sockets (initial load; target: +10% at most)",
        [
            "customers",
            "peak RSS MiB",
            "vs previous",
            "RSS before MiB",
            "SQLite MiB*",
            "store MiB",
            "wall s",
            "CPU s",
            "GC s**",
            "records/s",
            "JDE calls",
            "Zoho calls",
            "failed",
        ],
        [
            [
                run["customers"],
                run["peak_rss_mib"],
                f"{run['peak_growth_pct']:+}%" if "peak_growth_pct" in run else "",
                run["rss_before_run_mib"],
                run.get("sqlite_peak_mib"),
                run["store_mib"],
                run["wall_s"],
                run["cpu_s"],
                run.get("gc_s"),
                run["records_per_s"],
                run["jde_calls"],
                run["zoho_calls"],
                run["failed"],
            ]
            for run in figures["runs"]
        ],
    )


def _speed_ups(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Figures]) -> str:
    """A scenario 5 table: the setting's columns, then wall time, peak in flight and speed-up."""
    columns = [*columns, ("wall s", "wall_s"), ("peak in flight", "peak_in_flight"), ("speed-up", "speed_up")]
    return table(title, [header for header, _ in columns], [[row[key] for _, key in columns] for row in rows])


def concurrency_tables(figures: Figures) -> str:
    """Scenario 5: Zoho and JDE write concurrency against slow emulators."""
    latency = figures["latency_s"]
    client = _speed_ups(
        f"5a. Zoho client: one upsert in calls of 100, {latency} s per call",
        [("concurrency", "concurrency"), ("calls", "calls")],
        figures["client"],
    )
    engine = _speed_ups(
        f"5b. Engine initial load, {latency} s per Zoho call",
        [("batch_size", "batch_size"), ("concurrency", "concurrency"), ("Zoho calls", "zoho_calls")],
        figures["engine"],
    )
    jde = _speed_ups(
        f"5c. Engine initial load, {figures['ais_latency_s']} s per AIS call",
        [
            ("jde_concurrency", "jde_concurrency"),
            ("orchestrations", "orchestrations"),
            ("JDE calls", "jde_calls"),
        ],
        figures["jde"],
    )
    return "\n".join([client, engine, jde])


def budget_tables(figures: Figures) -> str:
    """Scenario 6: each step's part of an initial load's CPU, per size."""
    if figures.get("skipped"):
        return f"6. Budget: skipped ({figures['skipped']})\n"
    tables = []
    for run in figures["runs"]:
        if "error" in run:
            tables.append(f"6. Budget at {run['customers']:,} customers: {run['error']}\n")
            continue
        ours = [step for step in run["steps"] if step["ours"]]
        ours_us = sum(step["us_per_record"] for step in ours)
        rows = [
            [
                step["step"],
                "yes" if step["ours"] else "",
                step["samples"],
                step["share"] * 100,
                step["us_per_record"],
            ]
            for step in run["steps"]
        ]
        rows.append(
            ["engine's own steps, by the samples", "yes", sum(s["samples"] for s in ours), None, ours_us]
        )
        rows.append(
            [
                "engine's own, as this process's run CPU - replay CPU",
                "",
                None,
                None,
                run["our_cpu_us_per_record"],
            ]
        )
        title = (
            f"6. Budget of an initial load at {run['customers']:,} customers: {run['records']:,} records, "
            f"run CPU {run['run_cpu_s']} s, replay CPU {run['replay_cpu_s']} s, "
            f"{run['samples']:,} samples at {figures['sampling_hz']} Hz"
        )
        tables.append(table(title, ["step", "ours", "samples", "% of run", "CPU us/record"], rows))
    return "\n".join(tables)
