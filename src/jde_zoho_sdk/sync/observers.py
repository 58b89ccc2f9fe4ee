"""Ready-made observers: operator logs and a recorder for tests and metrics."""

from __future__ import annotations

import threading

from jde_zoho_sdk._redact import get_logger
from jde_zoho_sdk.sync.events import (
    BatchWritten,
    CheckpointCommitted,
    ConflictMerged,
    PageRead,
    RecordFailed,
    RunFinished,
    RunStarted,
    SyncEvent,
)

__all__ = ["LoggingObserver", "RecordingObserver"]


class LoggingObserver:
    """Logs one line per batch, failure and run under ``jde_zoho_sdk.sync`` (never per unchanged record).

    Args:
        name: The logger name.
    """

    def __init__(self, name: str = "jde_zoho_sdk.sync") -> None:
        self._log = get_logger(name)

    def on_event(self, event: SyncEvent) -> None:
        """Log ``event`` at the level an operator wants it.

        Args:
            event: What happened.
        """
        match event:
            case RunStarted():
                directions = ", ".join(event.directions)
                self._log.info(
                    "run %s started (%s)%s", event.run_id, directions, " dry run" if event.dry_run else ""
                )
            case PageRead():
                self._log.debug("run %s read %d from %s", event.run_id, event.records, event.source)
            case BatchWritten():
                self._log.info(
                    "run %s %s %s: %d written, %d failed",
                    event.run_id,
                    event.entity,
                    event.direction,
                    event.written,
                    event.failed,
                )
            case CheckpointCommitted():
                self._log.debug(
                    "run %s checkpoint %s %s (%d)", event.run_id, event.entity, event.direction, event.records
                )
            case RecordFailed():
                self._log.warning(
                    "run %s %s %s %s failed at %s: %s",
                    event.run_id,
                    event.entity,
                    event.direction,
                    event.source_key,
                    event.stage,
                    event.message,
                )
            case ConflictMerged():
                winners = ", ".join(f"{field}={side}" for field, side in event.winners)
                self._log.info(
                    "run %s merged %s %s/%s: %s",
                    event.run_id,
                    event.entity,
                    event.jde_key,
                    event.zoho_id,
                    winners,
                )
            case RunFinished():
                if event.error:
                    self._log.error("run %s stopped: %s", event.run_id, event.error)
                else:
                    self._log.info("run %s finished", event.run_id)


class RecordingObserver:
    """Keeps every event in memory (tests, metrics exporters that batch)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[SyncEvent] = []

    def on_event(self, event: SyncEvent) -> None:
        """Record ``event``.

        Args:
            event: What happened.
        """
        with self._lock:
            self.events.append(event)

    def of_type(self, kind: type[SyncEvent]) -> list[SyncEvent]:
        """The recorded events of one type.

        Args:
            kind: The event class (``BatchWritten``...).
        """
        with self._lock:
            return [event for event in self.events if isinstance(event, kind)]
