"""Scenario 5: writes sent concurrently, against emulators that take a realistic time per call.

Three views:

- The Zoho client alone: one ``upsert`` of many records (calls of 100) at each concurrency limit; the
  speed-up over one call at a time.
- The engine's Zoho writes: an initial load, where writes go out batch by batch; a batch's calls run
  concurrently, so the concurrency the engine can use is ``batch_size / 100`` calls per module: raising
  ``batch_size`` lets it use the edition's limit.
- The engine's JDE writes: an initial load against an AIS server that takes a time per call, at several
  ``jde_concurrency`` settings. Orchestrations (one record a call) are most of a first load's JDE calls;
  reads stay one at a time.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench._figures import calls_figures
from bench._measured import measured_run
from bench._world import World, retry_policy
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth

__all__ = ["AIS_LATENCY", "LATENCY", "run_concurrency"]

LATENCY = 0.2
"""Seconds each Zoho call takes in the emulator (Zoho answers a write of 100 records in a few hundred ms)."""

AIS_LATENCY = 0.1
"""Seconds each AIS call takes in the emulator (a fast server; orchestrations often take longer)."""


def _with_speed_ups(results: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each result's speed-up over the first one's wall time."""
    base = float(str(results[0]["wall_s"]))
    for result in results:
        result["speed_up"] = round(base / float(str(result["wall_s"])), 1)
    return results


def _client_upserts(records: int, limits: list[int]) -> list[dict[str, object]]:
    rows = [{"Account_Name": f"Account {n}", "JDE_Address_Number": str(500_000 + n)} for n in range(records)]
    results: list[dict[str, object]] = []
    for limit in limits:
        emulator = ZohoEmulator(notify=False, latency=LATENCY)
        region = Region.custom(emulator.url, emulator.url)
        oauth = ZohoOAuth.from_refresh_token(
            emulator.client_id, emulator.client_secret, emulator.refresh_token, region
        )
        with ZohoClient(
            oauth,
            edition="enterprise",
            max_concurrency=limit,
            retry=retry_policy(),
            transport=emulator.transport(),
        ) as zoho:
            zoho.fields("Accounts")  # the token first, so that only the writes are timed
            began = time.perf_counter()
            answers = zoho.upsert("Accounts", rows, duplicate_check_fields=["JDE_Address_Number"])
            wall = time.perf_counter() - began
        results.append(
            {
                "concurrency": limit,
                "calls": -(-records // 100),
                "wall_s": round(wall, 2),
                "peak_in_flight": emulator.peak_concurrency,
                "landed": sum(answer.ok for answer in answers),
            }
        )
    return _with_speed_ups(results)


def _engine_loads(customers: int, settings: list[tuple[int, int]]) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    for batch_size, limit in settings:
        world = World.build(customers, latency=LATENCY)
        with tempfile.TemporaryDirectory(prefix="jz-bench-") as folder:
            run = measured_run(
                world, Path(folder) / "state.db", SyncConfig(batch_size=batch_size), zoho_concurrency=limit
            )
        totals = calls_figures(run)["by_system"]
        results.append(
            {
                "batch_size": batch_size,
                "concurrency": limit,
                "wall_s": round(run.wall, 2),
                "zoho_calls": totals["zoho"]["made"],  # type: ignore[index]
                "peak_in_flight": world.zoho.peak_concurrency,
            }
        )
    return _with_speed_ups(results)


def _jde_loads(customers: int, limits: list[int]) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    for limit in limits:
        world = World.build(customers)
        world.ais.latency = AIS_LATENCY  # after seeding, which goes through the tables, not the API
        with tempfile.TemporaryDirectory(prefix="jz-bench-") as folder:
            run = measured_run(world, Path(folder) / "state.db", SyncConfig(jde_concurrency=limit))
        results.append(
            {
                "jde_concurrency": limit,
                "orchestrations": sum(line.made for line in run.lines if line.purpose == "orchestration"),
                "jde_calls": sum(line.made for line in run.lines if line.system == "jde"),
                "wall_s": round(run.wall, 2),
                "peak_in_flight": world.ais.peak_concurrency,
            }
        )
    return _with_speed_ups(results)


def run_concurrency(
    *, records: int = 4000, customers: int = 2000, jde_customers: int = 600
) -> dict[str, object]:
    """The three views: :data:`LATENCY` seconds per Zoho call, :data:`AIS_LATENCY` per AIS call."""
    return {
        "latency_s": LATENCY,
        "client": _client_upserts(records, [1, 2, 5, 10, 20]),
        "engine": _engine_loads(customers, [(200, 1), (200, 20), (2000, 20)]),
        "ais_latency_s": AIS_LATENCY,
        "jde": _jde_loads(jde_customers, [1, 4, 8]),
    }
