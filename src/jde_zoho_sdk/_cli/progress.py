"""Progress of a run on a terminal, fed by the engine's events (never shown when stdout is not a TTY)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from jde_zoho_sdk._cli.output import DIRECTION_LABELS
from jde_zoho_sdk.sync import BatchWritten, Direction, PageRead, RecordFailed, SyncEvent

__all__ = ["ProgressObserver", "progress_for"]


class ProgressObserver:
    """Progress lines: pages and records read per source, records written and failed per entity.

    Sources are ``F0101``, ``Accounts``, ``queue``...; entities go one line per direction.

    Args:
        progress: The rich progress display (started by the caller).
    """

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._lock = threading.Lock()  # events may come from the engine's worker threads
        self._reads: dict[tuple[Direction, str], tuple[TaskID, int, int]] = {}
        self._writes: dict[tuple[str, Direction], tuple[TaskID, int, int]] = {}

    def on_event(self, event: SyncEvent) -> None:
        """Update the display."""
        with self._lock:
            if isinstance(event, PageRead):
                self._read(event)
            elif isinstance(event, BatchWritten):
                self._written(str(event.entity), event.direction, event.written, 0)
            elif isinstance(event, RecordFailed):  # every failure, refused writes and mapping errors alike
                self._written(str(event.entity), event.direction, 0, 1)

    def _read(self, event: PageRead) -> None:
        key = (event.direction, event.source)
        task, pages, records = self._reads.get(key) or (
            self._progress.add_task(f"read {event.source} ({DIRECTION_LABELS[event.direction]})", total=None),
            0,
            0,
        )
        pages, records = pages + 1, records + event.records
        self._reads[key] = (task, pages, records)
        self._progress.update(task, description=f"read {event.source}: {pages} pages, {records} records")

    def _written(self, entity: str, direction: Direction, written: int, failed: int) -> None:
        key = (entity, direction)
        task, total, failures = self._writes.get(key) or (
            self._progress.add_task(f"write {entity} ({DIRECTION_LABELS[direction]})", total=None),
            0,
            0,
        )
        total, failures = total + written, failures + failed
        self._writes[key] = (task, total, failures)
        self._progress.update(
            task,
            description=f"write {entity} ({DIRECTION_LABELS[direction]}): {total} written, {failures} failed",
        )


@contextlib.contextmanager
def progress_for(console: Console) -> Iterator[ProgressObserver | None]:
    """A progress observer shown on ``console`` while the block runs, or None when it is not a terminal.

    Args:
        console: Where to show it (stdout).

    Yields:
        The observer to give the engine, or None.
    """
    if not console.is_terminal:
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        yield ProgressObserver(progress)
