"""Turning measured runs into the plain data the tables and the JSON files are made of."""

from __future__ import annotations

import ctypes
import resource
import sys

from bench._measured import MeasuredRun
from bench._minimum import totals
from jde_zoho_sdk.sync.model import Direction

__all__ = ["calls_figures", "peak_rss_mib", "run_figures", "sqlite_peak_mib"]


def peak_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def sqlite_peak_mib() -> float | None:
    """The most memory SQLite itself has held in this process so far, in MiB (None: not readable here).

    Part of the resident set, counted apart because Python's allocation tracing cannot see it (its page
    cache and prepared statements). Read from the SQLite the ``sqlite3`` module uses: a symbol looked up
    through the extension module's handle resolves in that module's own dependencies; a Python with the
    module built in has SQLite in the executable itself.
    """
    import _sqlite3  # noqa: PLC0415 - the extension module itself, for its file

    where = getattr(_sqlite3, "__file__", None)
    try:
        highwater = ctypes.CDLL(where).sqlite3_memory_highwater
    except (OSError, AttributeError):
        return None
    highwater.restype = ctypes.c_int64
    highwater.argtypes = [ctypes.c_int]
    return float(highwater(0)) / (1024 * 1024)


def calls_figures(run: MeasuredRun) -> dict[str, object]:
    """Calls made and the minimum, per system, and every line where they differ."""
    return {
        "by_system": totals(run.lines),
        "lines": [
            {
                "system": line.system,
                "purpose": line.purpose,
                "target": line.target,
                "made": line.made,
                "minimum": line.minimum,
            }
            for line in run.lines
        ],
        "waste": [
            f"{line.system} {line.purpose} {line.target}: {line.made} made, {line.minimum} needed"
            for line in run.lines
            if line.waste
        ],
    }


def run_figures(run: MeasuredRun) -> dict[str, object]:
    """Time, throughput, records read and written per direction, and calls."""
    report = run.report
    directions = {}
    for direction in Direction:
        total = report.total(direction)
        directions[str(direction)] = {
            "read": total.read,
            "written": total.created + total.updated,
            "linked": total.linked,
            "unchanged": total.unchanged,
            "failed": total.failed,
        }
    return {
        "wall_s": round(run.wall, 3),
        "cpu_s": round(run.cpu, 3),
        "gc_s": round(run.gc, 3),
        "records": run.records,
        "records_per_s": round(run.records / run.wall, 1) if run.wall else None,
        "directions": directions,
        "zoho_credits": report.zoho_credits,
        "calls": calls_figures(run),
    }
