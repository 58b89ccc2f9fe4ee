"""The commands that run the engine once: ``sync``, ``replay`` and ``reconcile``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from jde_zoho_sdk._cli.context import AppContext, ExitCode, config_option, load, pass_app
from jde_zoho_sdk._cli.output import bold, error_line, failure_lines, plan_renderables, report_table
from jde_zoho_sdk._cli.progress import progress_for
from jde_zoho_sdk._cli.systems import Systems, open_systems
from jde_zoho_sdk.sync import LoggingObserver, SyncAbortedError, SyncObserver, SyncReport

__all__ = ["reconcile", "replay", "sync"]


@contextlib.contextmanager
def _systems(app: AppContext, config_path: Path) -> Iterator[Systems]:
    loaded = load(app, config_path)
    with progress_for(app.out) as progress:
        # Operator log lines only when asked for (-v): the summary table already says what failed.
        observers: list[SyncObserver] = [LoggingObserver()] if app.verbosity else []
        if progress is not None:
            observers.append(progress)
        with open_systems(loaded, observers=observers) as systems:
            yield systems


def _report(app: AppContext, title: str, run: Callable[[], SyncReport]) -> SyncReport:
    """Run, print the summary; on a system error print what was committed and exit with status 3."""
    try:
        report = run()
    except SyncAbortedError as aborted:
        app.out.print(report_table(aborted.report, f"{title} (stopped)"))
        app.err.print(error_line(f"{aborted}"))
        raise click.exceptions.Exit(ExitCode.SYSTEM) from None
    app.out.print(report_table(report, title))
    return report


def _exit_if_failed(app: AppContext, failed: int) -> None:
    """Point at the stored failures and exit with status 1 when records failed."""
    if failed:
        app.err.print(f"{failed} record(s) failed; see `jde-zoho audit` and `jde-zoho replay`.")
        raise click.exceptions.Exit(ExitCode.FAILED)


@click.command()
@config_option()
@click.option(
    "--direction",
    type=click.Choice(["both", "jde_to_zoho", "zoho_to_jde"]),
    default="both",
    show_default=True,
    help="Which way to sync: both (Zoho → JDE first, then JDE → Zoho), or one direction only.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read and compare, then print what the run would change, field by field; write nothing and move "
    "no cursor.",
)
@pass_app
def sync(app: AppContext, config_path: Path, direction: str, dry_run: bool) -> None:
    """Run one sync cycle against the systems of the config file.

    Shows progress per source and entity on a terminal, then a summary per entity and direction. Exits 1
    when records failed (they are stored; see `jde-zoho replay`).
    """
    with _systems(app, config_path) as systems:
        if dry_run:
            plan = systems.engine.plan(direction)  # type: ignore[arg-type]
            for line in plan_renderables(plan):
                app.out.print(line)
            app.out.print(report_table(plan.report, "Dry run: what the next sync would do"))
            failed = plan.report.failed
        else:
            failed = _report(app, "Sync", lambda: systems.engine.run(direction)).failed  # type: ignore[arg-type]
        _exit_if_failed(app, failed)


@click.command()
@config_option()
@click.option(
    "--id",
    "failure_ids",
    multiple=True,
    metavar="FAILURE_ID",
    help="Replay only this failure (repeat for more); every open failure when not given.",
)
@pass_app
def replay(app: AppContext, config_path: Path, failure_ids: tuple[str, ...]) -> None:
    """Re-process stored failures, reading each record's current source again.

    A failure whose record now syncs is resolved. Exits 1 when some still fail.
    """
    with _systems(app, config_path) as systems:
        wanted = systems.store.list_failures(ids=failure_ids or None)
        unknown = sorted(set(failure_ids) - {failure.failure_id for failure in wanted})
        if unknown:
            app.err.print(error_line(f"no open failure with id {', '.join(unknown)}"))
            raise click.exceptions.Exit(ExitCode.USAGE)
        if not wanted:
            app.out.print("No open failures to replay.")
            return
        app.out.print(bold(f"Replaying {len(wanted)} failure(s):"))
        for line in failure_lines(wanted):
            app.out.print(line)
        report = _report(app, "Replay", lambda: systems.engine.replay(failure_ids or None))
        still = systems.store.list_failures(ids=[failure.failure_id for failure in wanted])
        if still:
            app.out.print(bold(f"Still failing ({len(still)}):"))
            for line in failure_lines(still):
                app.out.print(line)
        if report.failed or still:
            raise click.exceptions.Exit(ExitCode.FAILED)


@click.command()
@config_option()
@pass_app
def reconcile(app: AppContext, config_path: Path) -> None:
    """Find linked records that are gone from JDE (deletes polling cannot see) and mark their links.

    Nothing is deleted in either system; each mark is audited. Exits 1 when records failed: with [sync]
    flag_zoho_on_jde_delete, a Zoho twin that could not be flagged (stored; see `jde-zoho replay`).
    """
    with _systems(app, config_path) as systems:
        _exit_if_failed(app, _report(app, "Reconcile", systems.engine.reconcile).failed)
