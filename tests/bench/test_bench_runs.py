"""The benchmarks run at all, and a small load makes exactly the calls the minimum formula allows.

Counts only: the benchmarks' times are printed by ``python -m bench``, never asserted here.
"""

from __future__ import annotations

from typing import Any

import pytest
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
