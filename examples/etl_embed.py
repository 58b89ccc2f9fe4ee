"""Embed the sync in an ETL job (cron, Airflow, a CI runner): logs, metrics, a budget, stop on SIGTERM,
replay of stored failures, the run's audit trail as CSV, and an exit status a scheduler understands.

    python examples/etl_embed.py --state sync.db --audit-csv audit.csv

Exit status (as ``jde-zoho sync``): 0 done, 1 records failed (stored for replay), 3 a system stopped
answering or another run holds the lock (run again later: nothing is lost or repeated).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from connect import systems

from jde_zoho_sdk.sync import (
    BatchWritten,
    LoggingObserver,
    RecordFailed,
    SqliteStateStore,
    SyncAbortedError,
    SyncConfig,
    SyncEngine,
    SyncEvent,
    SyncLockedError,
    SyncReport,
)

log = logging.getLogger("etl")


# --8<-- [start:metrics]
class Metrics:
    """A metrics hook: counts what the engine reports (send these to StatsD, Prometheus...)."""

    def __init__(self) -> None:
        self.counters: Counter[str] = Counter()

    def on_event(self, event: SyncEvent) -> None:
        """Count written and failed records per entity and direction (runs on the engine's thread).

        Args:
            event: One of the engine's events.
        """
        if isinstance(event, BatchWritten):
            self.counters[f"written.{event.entity}.{event.direction}"] += event.written
        elif isinstance(event, RecordFailed):
            self.counters[f"failed.{event.entity}.{event.direction}.{event.stage}"] += 1


# --8<-- [end:metrics]


def export_audit(store: SqliteStateStore, report: SyncReport, path: Path) -> int:
    """Write the run's audit events to a CSV file; returns how many."""
    events = store.query_audit(run_id=report.run_id, limit=100_000)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["at", "entity", "direction", "action", "outcome", "jde_key", "zoho_id", "audit_id"])
        for event in events:
            writer.writerow(
                [
                    event.at.isoformat(), event.entity, event.direction, event.action, event.outcome,
                    event.jde_key, event.zoho_id, event.audit_id,
                ]
            )  # fmt: skip
    return len(events)


def run(engine: SyncEngine, *, replay: bool) -> tuple[SyncReport, int]:
    """One cycle (and a replay of open failures); returns the report and the exit status."""
    try:
        report = engine.run()
        if replay and engine.store.list_failures(limit=1):
            replayed = engine.replay()
            log.info("replayed failures: %d synced, %d still failing", replayed.written, replayed.failed)
    except SyncLockedError as error:
        log.warning("another run holds the lock, nothing done: %s", error)
        raise SystemExit(3) from None
    except SyncAbortedError as error:
        log.error("stopped, what was committed stays: %s", error)  # noqa: TRY400 - no traceback wanted
        return error.report, 3
    return report, 1 if report.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the example.

    Args:
        argv: Command line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description="One sync cycle as an ETL step.")
    parser.add_argument("--state", type=Path, help="the SQLite state file (default: a temporary one)")
    parser.add_argument("--audit-csv", type=Path, help="write the run's audit trail here")
    parser.add_argument("--replay", action="store_true", help="also replay stored failures")
    parser.add_argument("--credit-budget", type=int, default=5_000, help="most Zoho API credits to spend")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per HTTP call is too much at INFO

    metrics = Metrics()
    config = SyncConfig(zoho_credit_budget=args.credit_budget, batch_size=200)
    with systems() as connected, tempfile.TemporaryDirectory() as scratch:
        if args.state is None and not connected.emulated:
            parser.error("give --state FILE for your own systems: the state must outlive the run")
        with SqliteStateStore(args.state or Path(scratch) / "sync.db") as store:
            engine = SyncEngine(
                ais=connected.ais,
                zoho=connected.zoho,
                store=store,
                config=config,
                observers=[LoggingObserver(), metrics],
            )

            def stop(signum: int, _frame: FrameType | None) -> None:
                log.warning("signal %d: stopping after the batch in flight", signum)
                engine.stop()

            signal.signal(signal.SIGTERM, stop)
            report, status = run(engine, replay=args.replay)
            if args.audit_csv is not None:
                log.info(
                    "%d audit events written to %s",
                    export_audit(store, report, args.audit_csv),
                    args.audit_csv,
                )
    summary = {
        "run_id": report.run_id,
        "written": report.written,
        "failed": report.failed,
        "stopped": report.stopped,
        "jde_calls": report.jde_calls.calls,
        "zoho_calls": report.zoho_calls.calls,
        "zoho_credits": report.zoho_credits,
        "seconds": round((report.finished_at - report.started_at).total_seconds(), 3),
        "metrics": dict(metrics.counters),
    }
    print(json.dumps(summary, sort_keys=True))
    return status


if __name__ == "__main__":
    sys.exit(main())
