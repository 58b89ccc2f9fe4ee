"""What the commands print: rich consoles and the tables shared by commands and the demo.

Nothing here prints a secret: the objects shown (reports, audit events, failures, channel states) carry
none, and channel tokens are :class:`~jde_zoho_sdk.Secret` values that render as stars.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jde_zoho_sdk._cli.config_checks import Problem
from jde_zoho_sdk.sync import AuditEvent, Direction, Failure, PlannedChange, SyncPlan, SyncReport

__all__ = [
    "DIRECTION_LABELS",
    "audit_table",
    "bold",
    "error_line",
    "failure_lines",
    "make_console",
    "plan_renderables",
    "problems_table",
    "report_table",
    "when",
]

DIRECTION_LABELS: Mapping[Direction, str] = {
    Direction.JDE_TO_ZOHO: "JDE → Zoho",
    Direction.ZOHO_TO_JDE: "Zoho → JDE",
}
_COUNT_COLUMNS = ("read", "created", "updated", "linked", "unchanged", "conflicts", "failed", "deleted")
_DEFAULT_WIDTH = 120
_MAX_FIELDS = 6


def make_console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    """A console on stdout (or stderr) that uses the terminal's width, or 120 columns when not a terminal.

    Args:
        file: The stream (the current ``sys.stdout``/``sys.stderr`` by default, so test runners that swap
            them are honoured).
        stderr: Write to stderr.

    Returns:
        The console.
    """
    stream = file or (sys.stderr if stderr else sys.stdout)
    terminal = hasattr(stream, "isatty") and stream.isatty()
    width = None if terminal or "COLUMNS" in os.environ else _DEFAULT_WIDTH
    # No markup: printed text holds config keys such as "[serve]" and error messages, never rich tags.
    # Soft wrap: a line of text is never cut into two (logs and grep see it whole); tables still fit.
    return Console(file=stream, width=width, highlight=False, soft_wrap=True, markup=False)


def error_line(message: str) -> Text:
    """``Error: <message>`` with the label in bold red and the message as plain text."""
    return Text.assemble(("Error: ", "bold red"), message)


def bold(text: str, rest: str = "") -> Text:
    """``text`` in bold, then ``rest`` plain."""
    return Text.assemble((text, "bold"), rest)


def when(moment: datetime | None, *, seconds: bool = True) -> str:
    """A UTC time as ``2026-03-02 15:04:05Z`` (``-`` for None)."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ" if seconds else "%Y-%m-%d %H:%MZ")


def report_table(report: SyncReport, title: str, *, timing: bool = True) -> Table:
    """Counts per entity and direction of one run, with the calls it made.

    Args:
        report: The run's report.
        title: The table's title.
        timing: Show how long it took (by the engine's clock; the demo's clock stands still in a run).

    Returns:
        The table.
    """
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column("Entity")
    table.add_column("Direction")
    for name in _COUNT_COLUMNS:
        table.add_column(name.capitalize(), justify="right")
    rows = list(report.rows())
    for entity, direction, counts in rows:
        values = [getattr(counts, name) for name in _COUNT_COLUMNS]
        cells = [
            Text(str(value), style="red" if name == "failed" and value else "")
            for name, value in zip(_COUNT_COLUMNS, values, strict=True)
        ]
        table.add_row(str(entity), DIRECTION_LABELS[direction], *cells)
    if not rows:
        table.add_row("(nothing to do)", "", *["" for _ in _COUNT_COLUMNS])
    seconds = (report.finished_at - report.started_at).total_seconds()
    table.caption = (
        f"{'Dry run: nothing written. ' if report.dry_run else ''}"
        f"Calls: {report.jde_calls.calls} AIS, {report.zoho_calls.calls} Zoho ({report.zoho_credits} credits)"
        + (f", {seconds:.1f} s." if timing else ".")
    )
    table.caption_justify = "left"
    return table


def _value(value: object) -> str:
    text = "∅" if value is None or value == "" else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _keys(change: PlannedChange) -> str:
    parts = [
        f"JDE {change.jde_key}" if change.jde_key else "",
        f"Zoho {change.zoho_id}" if change.zoho_id else "",
    ]
    return " / ".join(part for part in parts if part) or "new record"


def plan_renderables(plan: SyncPlan) -> Iterable[Text]:
    """The dry run's writes, one heading per record and one line per field.

    Args:
        plan: What :meth:`SyncEngine.plan` returned.

    Yields:
        Lines to print.
    """
    for change in plan.changes:
        target = "Zoho" if change.direction is Direction.JDE_TO_ZOHO else "JDE"
        yield Text.assemble(
            (f"{change.action} ", "bold"), f"{change.entity} in {target} ", (f"({_keys(change)})", "dim")
        )
        for planned in change.changes:
            yield Text(f"    {planned.field}: {_value(planned.old)} → {_value(planned.new)}")
        for name, side in change.conflicts:
            yield Text(f"    conflict on {name}: {side} wins", style="yellow")


def audit_table(
    events: Sequence[AuditEvent],
    *,
    title: str,
    run_labels: Mapping[str, str] | None = None,
    one_record: bool = False,
) -> Table:
    """Audit events, oldest first.

    Args:
        events: The events.
        title: The table's title.
        run_labels: Names for run ids (the demo names its runs); other runs show their id's first 8 digits.
        one_record: The events are of one record (the title names it): leave out the entity column.

    Returns:
        The table.
    """
    table = Table(title=title, title_justify="left", title_style="bold")
    names = ["Time (UTC)", "Run", *([] if one_record else ["Entity"]), "Direction", "Action", "Outcome"]
    for name in (*names, "JDE key", "Zoho id"):
        table.add_column(name, no_wrap=True)  # keys and times are copied from here: never cut them
    table.add_column("Fields / message", overflow="fold", ratio=1)
    labels = run_labels or {}
    for event in events:
        # A create names every field; the count says as much (--json lists them).
        fields = f"{len(event.fields)} fields" if len(event.fields) > _MAX_FIELDS else ", ".join(event.fields)
        outcome = Text(str(event.outcome), style="red" if event.outcome == "failed" else "")
        cells = [when(event.at), labels.get(event.run_id, event.run_id[:8])]
        cells += [] if one_record else [str(event.entity)]
        cells += [DIRECTION_LABELS[event.direction], str(event.action)]
        table.add_row(*cells, outcome, event.jde_key or "-", event.zoho_id or "-", event.message or fields)
    if not events:
        table.add_row("(no events)", *["" for _ in range(len(names) + 2)])
    return table


def failure_lines(failures: Sequence[Failure]) -> Iterable[Text]:
    """Stored failures, three lines each: which record, where it stands, and the error (with its fix).

    Args:
        failures: The failures.

    Yields:
        Lines to print.
    """
    for failure in failures:
        side = "JDE" if failure.direction is Direction.JDE_TO_ZOHO else "Zoho"
        yield Text.assemble(
            ("failure ", "bold"),
            (failure.failure_id, "bold"),
            f"  {failure.entity} {side} {failure.source_key} ({DIRECTION_LABELS[failure.direction]})",
        )
        attempts = f"{failure.attempts} attempt{'s' if failure.attempts != 1 else ''}"
        state = (
            f"resolved ({failure.resolution}) {when(failure.resolved_at)}" if failure.resolved_at else "open"
        )
        yield Text(f"  stage {failure.stage}, {failure.error_code}, {attempts}, {state}")
        yield Text(f"  {failure.message}", style="dim" if failure.resolved_at else "")


def problems_table(problems: Sequence[Problem]) -> Table:
    """The problems of a config file, one row per key."""
    table = Table(show_header=True, box=None, pad_edge=False)
    table.add_column("Key", style="bold")
    table.add_column("Problem", overflow="fold")
    for problem in problems:
        table.add_row(problem.path or "(file)", problem.message)
    return table
