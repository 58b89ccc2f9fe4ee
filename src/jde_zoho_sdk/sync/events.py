"""The events a :class:`~jde_zoho_sdk.sync.SyncObserver` receives, in the order a run emits them.

``RunStarted`` -> (``PageRead`` -> ``BatchWritten`` -> ``CheckpointCommitted``, with ``RecordFailed`` and
``ConflictMerged`` along the way)* -> ``RunFinished``. ``BatchWritten`` comes after the remote system
accepted a write and *before* the state store records it; ``CheckpointCommitted`` after the store committed:
the window between them is where a crash makes the next run repeat (idempotently) what was written.

Example:
    >>> class Progress:
    ...     def on_event(self, event: SyncEvent) -> None:
    ...         if isinstance(event, BatchWritten):
    ...             print(f"{event.entity}: {event.written} written")
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from jde_zoho_sdk.sync.model import Direction, Entity

__all__ = [
    "BatchWritten",
    "CheckpointCommitted",
    "ConflictMerged",
    "PageRead",
    "RecordFailed",
    "RunFinished",
    "RunStarted",
    "SyncEvent",
]


@attrs.frozen(kw_only=True)
class RunStarted:
    """A run began.

    Attributes:
        run_id: The run's id (also on every audit event it writes).
        directions: The directions it will sync.
        dry_run: True when nothing will be written.
    """

    run_id: str
    directions: tuple[Direction, ...]
    dry_run: bool = False


@attrs.frozen(kw_only=True)
class PageRead:
    """A page of changes was read from a source system.

    Attributes:
        run_id: The run.
        direction: The direction the changes will flow.
        source: What was read (``"F0101"``, ``"Accounts"``, ``"queue"``...).
        records: How many records the page held.
    """

    run_id: str
    direction: Direction
    source: str
    records: int


@attrs.frozen(kw_only=True)
class BatchWritten:
    """A target system accepted a batch of writes (not yet recorded in the state store).

    Attributes:
        run_id: The run.
        entity: The kind of record.
        direction: Which way the batch went.
        written: Records written.
        failed: Records the target refused.
    """

    run_id: str
    entity: Entity
    direction: Direction
    written: int
    failed: int = 0


@attrs.frozen(kw_only=True)
class CheckpointCommitted:
    """The state store durably recorded a batch (links, audit, failures).

    Attributes:
        run_id: The run.
        entity: The kind of record.
        direction: Which way the batch went.
        records: Records the checkpoint covers.
    """

    run_id: str
    entity: Entity
    direction: Direction
    records: int


@attrs.frozen(kw_only=True)
class RecordFailed:
    """One record could not be synced; it was stored as a failure and the batch went on.

    Attributes:
        run_id: The run.
        entity: The kind of record.
        direction: The direction that failed.
        source_key: The record's key on the source side.
        stage: Where it failed (``"map"``, ``"write"``...).
        message: Why.
    """

    run_id: str
    entity: Entity
    direction: Direction
    source_key: str
    stage: str
    message: str


@attrs.frozen(kw_only=True)
class ConflictMerged:
    """A record changed on both sides was merged field by field.

    Attributes:
        run_id: The run.
        entity: The kind of record.
        jde_key: The JDE key.
        zoho_id: The Zoho id.
        winners: Each conflicting field and the side whose value won (``"jde"`` or ``"zoho"``).
    """

    run_id: str
    entity: Entity
    jde_key: str
    zoho_id: str
    winners: tuple[tuple[str, str], ...]


@attrs.frozen(kw_only=True)
class RunFinished:
    """A run ended (also after an error; ``error`` then says why).

    Attributes:
        run_id: The run.
        error: The error that stopped it, or ``""``.
    """

    run_id: str
    error: str = ""


SyncEvent: TypeAlias = (
    RunStarted | PageRead | BatchWritten | CheckpointCommitted | RecordFailed | ConflictMerged | RunFinished
)
"""Any engine event."""
