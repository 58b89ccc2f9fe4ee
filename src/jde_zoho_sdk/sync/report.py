"""What a run reports (:class:`SyncReport`) and what a dry run plans (:class:`SyncPlan`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import datetime

import attrs

from jde_zoho_sdk._http import CallCounts
from jde_zoho_sdk.sync.model import AuditAction, Direction, Entity

__all__ = ["EntityCounts", "FieldChange", "PlannedChange", "SyncPlan", "SyncReport"]


@attrs.frozen
class EntityCounts:
    """Counts for one entity and direction.

    ``read``, ``linked``, ``unchanged``, ``conflicts`` and ``failed`` count the records read from this
    direction's source; ``created`` and ``updated`` count writes to its target, whichever side the record
    was read from (a JDE key written back to a Zoho account read in Zoho -> JDE is an update in JDE -> Zoho).
    The outcomes of a row therefore need not add up to its ``read``.

    Attributes:
        read: Records read from the source (echoes of our own writes and overlap re-reads included).
        created: Records created in the target.
        updated: Records updated in the target.
        linked: Records found on the other side by key, tax id or e-mail and linked, not duplicated.
        unchanged: Records read that needed no write (echoes, overlap re-reads).
        conflicts: Records changed on both sides and merged by policy.
        failed: Records that failed (stored for replay).
        deleted: Deletes recorded (nothing is deleted in JDE).
    """

    read: int = 0
    created: int = 0
    updated: int = 0
    linked: int = 0
    unchanged: int = 0
    conflicts: int = 0
    failed: int = 0
    deleted: int = 0

    def __add__(self, other: EntityCounts) -> EntityCounts:
        return EntityCounts(*(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other), strict=True)))

    @property
    def written(self) -> int:
        """Records created or updated."""
        return self.created + self.updated


_COUNTERS = tuple(field.name for field in attrs.fields(EntityCounts))


class _Tally:
    """Thread-safe counters the engine fills while it runs (plain integers: it counts every record)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[Entity, Direction], dict[str, int]] = {}

    def add(self, entity: Entity, direction: Direction, **counts: int) -> None:
        with self._lock:
            totals = self._counts.get((entity, direction))
            if totals is None:
                totals = self._counts[(entity, direction)] = dict.fromkeys(_COUNTERS, 0)
            for name, value in counts.items():
                if name not in totals:
                    raise TypeError(f"EntityCounts has no counter {name!r}")
                totals[name] += value

    def snapshot(self) -> dict[tuple[Entity, Direction], EntityCounts]:
        with self._lock:
            return {key: EntityCounts(**totals) for key, totals in self._counts.items()}


@attrs.frozen(kw_only=True)
class SyncReport:
    """The outcome of :meth:`SyncEngine.run` (or ``drain``, ``replay``, ``reconcile``).

    Attributes:
        run_id: The run's id (on every audit event it wrote).
        started_at: When it started (UTC).
        finished_at: When it ended (UTC).
        counts: Counts per (entity, direction).
        jde_calls: HTTP calls made to AIS.
        zoho_calls: HTTP calls made to Zoho.
        zoho_credits: Zoho API credits spent.
        dry_run: True when nothing was written.
        stopped: True when :meth:`SyncEngine.stop` ended the run early (cursors of unfinished phases kept).
    """

    run_id: str
    started_at: datetime
    finished_at: datetime
    counts: Mapping[tuple[Entity, Direction], EntityCounts]
    jde_calls: CallCounts = attrs.field(factory=CallCounts)
    zoho_calls: CallCounts = attrs.field(factory=CallCounts)
    zoho_credits: int = 0
    dry_run: bool = False
    stopped: bool = False

    def total(self, direction: Direction | None = None) -> EntityCounts:
        """Counts summed over entities (and directions, unless one is given).

        Args:
            direction: Only this direction (None: both).
        """
        total = EntityCounts()
        for (_, way), counts in self.counts.items():
            if direction is None or way is direction:
                total += counts
        return total

    @property
    def failed(self) -> int:
        """Records that failed in this run."""
        return self.total().failed

    @property
    def written(self) -> int:
        """Records created or updated in either system."""
        return self.total().written

    def rows(self) -> Iterator[tuple[Entity, Direction, EntityCounts]]:
        """(entity, direction, counts) in a stable order, for tables."""
        for entity in Entity:
            for direction in Direction:
                counts = self.counts.get((entity, direction))
                if counts is not None:
                    yield entity, direction, counts


@attrs.frozen
class FieldChange:
    """One field a write would change.

    Attributes:
        field: The canonical field.
        old: The target's current value (None when the record does not exist there yet).
        new: The value it would get.
    """

    field: str
    old: object
    new: object


@attrs.frozen(kw_only=True)
class PlannedChange:
    """One write a run would make.

    Attributes:
        entity: The kind of record.
        direction: Which system would be written.
        action: create, update, link or merge.
        jde_key: The JDE key, when known.
        zoho_id: The Zoho id, when known.
        changes: The fields and their values.
        conflicts: Fields changed on both sides, with the side that would win.
    """

    entity: Entity
    direction: Direction
    action: AuditAction
    jde_key: str = ""
    zoho_id: str = ""
    changes: tuple[FieldChange, ...] = ()
    conflicts: tuple[tuple[str, str], ...] = ()


@attrs.frozen(kw_only=True)
class SyncPlan:
    """What :meth:`SyncEngine.plan` found: the writes the next run would make, field by field.

    Attributes:
        changes: The planned writes.
        report: The counts of the dry run (nothing written).
    """

    changes: tuple[PlannedChange, ...]
    report: SyncReport

    def by(self, entity: Entity, direction: Direction) -> list[PlannedChange]:
        """The planned writes of one entity in one direction.

        Args:
            entity: The kind of record.
            direction: Which system would be written.
        """
        return [
            change for change in self.changes if change.entity is entity and change.direction is direction
        ]
