"""The benchmarks run at all, and a small load makes exactly the calls the minimum formula allows.

Counts only: the benchmarks' times are printed by ``python -m bench``, never asserted here.
"""

from __future__ import annotations

from typing import Any

import pytest
from bench.scenarios.memory import run_memory
from bench.scenarios.sync_runs import run_size


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return run_size(60)


@pytest.mark.parametrize("run", ["initial", "settle", "incremental"])
def test_every_run_makes_the_minimum_calls(figures: dict[str, Any], run: str) -> None:
    calls = figures[run]["calls"]
    assert calls["waste"] == []
    for system in ("jde", "zoho"):
        assert calls["by_system"][system]["made"] == calls["by_system"][system]["minimum"]


def test_the_initial_load_leaves_nothing_unsynced(figures: dict[str, Any]) -> None:
    assert set(figures["initial"]["unsynced_after"].values()) == {0}


def test_the_incremental_run_writes_exactly_the_edits(figures: dict[str, Any]) -> None:
    incremental = figures["incremental"]
    assert incremental["changed"]["jde"] > 0
    assert incremental["changed"]["zoho"] > 0
    assert incremental["wasted_writes"] == 0


def test_the_bare_replay_is_faithful(figures: dict[str, Any]) -> None:
    assert {run["replay_mismatches"] for run in figures["overhead"].values()} == {0}


def test_the_memory_scenario_syncs_in_a_process_of_its_own_and_reads_sqlites_part() -> None:
    runs: list[dict[str, Any]] = run_memory([60])["runs"]  # type: ignore[assignment]
    [run] = runs
    assert run["failed"] == 0
    assert run["records"] > 0
    if run["sqlite_peak_mib"] is None:
        pytest.skip("this Python's SQLite does not export sqlite3_memory_highwater")
    assert 0 < run["sqlite_peak_mib"] < run["peak_rss_mib"]
    assert run["rss_before_run_mib"] < run["peak_rss_mib"]
