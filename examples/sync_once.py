"""Run one sync cycle, both ways, and print what it did (or, with --dry-run, what it would do).

    python examples/sync_once.py                 # against the emulators: nothing to set up
    python examples/sync_once.py --dry-run       # field by field, writes nothing, moves no cursor
    python examples/sync_once.py --state sync.db # keep the state (required for your own systems)

With the variables of ``examples/connect.py`` set, it runs against your systems: start with ``--dry-run``.
Exit status: 0 done, 1 some records failed (stored for replay), 3 a system stopped answering or another
run holds the lock.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from connect import systems

from jde_zoho_sdk.sync import SqliteStateStore, SyncAbortedError, SyncEngine, SyncLockedError, SyncPlan


def print_plan(plan: SyncPlan) -> None:
    """Print each planned write with the fields it would change."""
    for change in plan.changes:
        keys = " / ".join(key for key in (change.jde_key, change.zoho_id) if key) or "(new)"
        print(f"{change.direction:<12} {change.entity:<9} {change.action:<7} {keys}")
        for field in change.changes:
            print(f"    {field.field}: {field.old!r} -> {field.new!r}")
    print(f"{len(plan.changes)} writes planned; nothing was written")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the example.

    Args:
        argv: Command line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description="Run one sync cycle, both ways.")
    parser.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    parser.add_argument("--state", type=Path, help="the SQLite state file (default: a temporary one)")
    args = parser.parse_args(argv)
    with systems() as connected, tempfile.TemporaryDirectory() as scratch:
        if args.state is None and not connected.emulated:
            parser.error("give --state FILE for your own systems: the state must outlive the run")
        with SqliteStateStore(args.state or Path(scratch) / "sync.db") as store:
            engine = SyncEngine(ais=connected.ais, zoho=connected.zoho, store=store)
            aborted = False
            try:
                if args.dry_run:
                    print_plan(engine.plan())
                    return 0
                report = engine.run()
            except SyncLockedError as error:
                print(f"not run: {error}", file=sys.stderr)
                return 3
            except SyncAbortedError as error:  # what it committed stays; the next run goes on from there
                print(f"stopped: {error}", file=sys.stderr)
                report, aborted = error.report, True
    for entity, direction, counts in report.rows():
        print(
            f"{direction:<12} {entity:<9} read {counts.read:>3}  created {counts.created:>3}  "
            f"updated {counts.updated:>3}  linked {counts.linked:>3}  failed {counts.failed:>3}"
        )
    print(
        f"run {report.run_id}: {report.written} written, {report.failed} failed, "
        f"{report.zoho_credits} Zoho credits"
    )
    if aborted:
        return 3
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
