"""SyncEngine: keeps JD Edwards and Zoho CRM in agreement, both directions, crash-safe and audited.

A run pulls Zoho's changes first (queued notification ids plus a ``Modified_Time`` poll), merging each with
its JDE side read just before writing, then pushes JDE's changes (polled by UPMJ/UPMT from per-table
high-water marks minus an overlap window). Each batch is checkpointed (links, audit, failures) in one store
transaction after the remote writes; cursors move only when everything they cover is recorded.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, datetime
from typing import Literal

from jde_zoho_sdk._redact import get_logger, redact_text
from jde_zoho_sdk.errors import ConfigError, SdkError
from jde_zoho_sdk.jde import AisClient
from jde_zoho_sdk.sync._context import RunContext
from jde_zoho_sdk.sync._deletes import FLAG_STAGE, mark_jde_deleted, mark_zoho_deleted, replay_flags
from jde_zoho_sdk.sync._jde_gateway import JdeGateway
from jde_zoho_sdk.sync._lock import RunLock, SyncLockedError
from jde_zoho_sdk.sync._mapper_guard import GuardedMapper
from jde_zoho_sdk.sync._pull import pull_batch
from jde_zoho_sdk.sync._push import push_batch
from jde_zoho_sdk.sync._zoho_gateway import ZohoGateway
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.events import PageRead, RunFinished, RunStarted, SyncEvent
from jde_zoho_sdk.sync.mapping import DefaultMapper
from jde_zoho_sdk.sync.model import (
    Direction,
    Entity,
    Failure,
    QueuedChange,
    builtin_fields,
)
from jde_zoho_sdk.sync.protocols import Mapper, StateStore, SyncObserver
from jde_zoho_sdk.sync.report import SyncPlan, SyncReport, _Tally
from jde_zoho_sdk.zoho import Notification, ZohoClient

__all__ = ["LOCK_NAME", "SyncAbortedError", "SyncEngine", "SyncLockedError"]

_log = get_logger(__name__)

_ORDER = (Entity.CUSTOMER, Entity.SUPPLIER, Entity.CONTACT)
LOCK_NAME = "sync-run"
"""The name of the store lock that keeps runs of one state store one at a time."""
DirectionArg = Literal["both", "jde_to_zoho", "zoho_to_jde"] | Direction


class _StopRequestedError(Exception):
    """Raised between batches after :meth:`SyncEngine.stop` was called."""


class SyncAbortedError(SdkError):
    """A run stopped on a system-level error; what it committed stays.

    The cursor of each poll the run had finished moved (a Zoho module read to its end, say); the cursor of
    the poll it stopped in did not, so the next run reads that poll's records again and repeats nothing
    (every write is idempotent, unchanged records are recognised).

    Attributes:
        report: What the run did before it stopped.
    """

    def __init__(self, message: str, *, report: SyncReport, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.report = report


def _check_policies(config: SyncConfig, mapper: Mapper) -> None:
    """Refuse a policy naming no field (a typo would silently leave the field on the default policy).

    Only the fields a :class:`DefaultMapper` produces are known; a host's own mapper may add others.
    """
    if not isinstance(mapper, DefaultMapper):
        return
    known = {
        entity.value: builtin_fields(entity)
        | {field.name for field in mapper.config.custom_fields_of(entity)}
        for entity in Entity
    }
    every = frozenset().union(*known.values())
    for name in config.policies:
        entity, _, field = name.rpartition(".")
        if field not in (known[entity] if entity else every):
            raise ConfigError(
                f"no {entity or 'canonical'} field is named {field!r}",
                path=f"SyncConfig.policies[{name!r}]",
                hint="name a canonical field (credit_limit) or entity.field (supplier.payment_terms)",
            )


def _report(context: RunContext) -> SyncReport:
    assert context.report is not None  # set when the run's session ends
    return context.report


def _directions(direction: DirectionArg | None) -> tuple[Direction, ...]:
    if direction in (None, "both"):
        return (Direction.ZOHO_TO_JDE, Direction.JDE_TO_ZOHO)
    return (Direction(direction),)


class SyncEngine:
    """The two-way sync between a JDE AIS server and a Zoho CRM org.

    Args:
        ais: The AIS client (its ``timezone`` is the JDE database server's zone).
        zoho: The Zoho client.
        store: Durable state (cursors, links, queue, audit, failures, channels, lock).
        mapper: Field mapping; :class:`DefaultMapper` by default.
        config: What to sync and how.
        observers: Receive the engine's events (progress, logs, metrics).
        clock: Current time (aware, UTC); injectable for tests.

    Example:
        >>> engine = SyncEngine(ais=ais, zoho=zoho, store=SqliteStateStore("sync.db"))  # doctest: +SKIP
        >>> report = engine.run()  # doctest: +SKIP
        >>> report.failed  # doctest: +SKIP
        0
    """

    def __init__(
        self,
        *,
        ais: AisClient,
        zoho: ZohoClient,
        store: StateStore,
        mapper: Mapper | None = None,
        config: SyncConfig | None = None,
        observers: Sequence[SyncObserver] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.ais = ais
        self.zoho = zoho
        self.store = store
        self.mapper: Mapper = mapper or DefaultMapper()
        self.config = config or SyncConfig()
        _check_policies(self.config, self.mapper)
        self.observers = tuple(observers)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._stop = threading.Event()
        self._lock: RunLock | None = None  # the lock of the run in progress
        self._jde = JdeGateway(ais, self.mapper, self.config)
        self._zoho = ZohoGateway(zoho, self.mapper)

    # -- public API --------------------------------------------------------------------------------------

    def run(self, direction: DirectionArg | None = None, *, dry_run: bool = False) -> SyncReport:
        """Run one full cycle: Zoho -> JDE, then JDE -> Zoho (or one direction).

        Args:
            direction: ``"both"`` (default), ``"zoho_to_jde"`` or ``"jde_to_zoho"``. A ``"jde_to_zoho"``
                run reads the Zoho side of the linked records it writes and writes no JDE: what Zoho
                changed since is held back (a ``skip`` audit event) for the next run in both directions.
            dry_run: Read and diff but write nothing and move no cursor (see :meth:`plan`).

        Returns:
            Counts per entity and direction, calls made, credits spent.

        Raises:
            SyncLockedError: Another run is in progress.
            SyncAbortedError: A system stopped answering (after retries); the run kept what it committed.
        """
        return self._run(direction, dry_run=dry_run).report

    def plan(self, direction: DirectionArg | None = None) -> SyncPlan:
        """List what the next run would create, update, link or merge, field by field, without writing.

        Args:
            direction: ``"both"`` (default), ``"zoho_to_jde"`` or ``"jde_to_zoho"``.

        Returns:
            The planned writes and the dry run's counts.
        """
        return self._run(direction, dry_run=True)

    def handle_notification(self, notification: Notification) -> int:
        """Queue the ids of a verified Zoho notification durably and return at once.

        Safe to call from a web handler while a run is going (it never waits for the run lock).

        Args:
            notification: A notification parsed (and its token verified) by
                :func:`~jde_zoho_sdk.zoho.parse_notification`.

        Returns:
            How many records were not queued already.
        """
        changes = [
            QueuedChange(
                module=notification.module,
                zoho_id=record_id,
                operation=notification.operation,
                server_time=notification.server_time,
            )
            for record_id in notification.ids
        ]
        return self.store.enqueue(changes) if changes else 0

    def drain(self) -> SyncReport:
        """Process queued notification ids now (Zoho -> JDE only, no polls).

        Returns:
            The run's report.
        """
        with self._session((Direction.ZOHO_TO_JDE,), dry_run=False) as context:
            self._drain_queue(context, covered=None)
        return _report(context)

    def replay(self, failure_ids: Collection[str] | None = None) -> SyncReport:
        """Re-process stored failures (all open ones, or those given), and nothing else.

        Each record's *current* source is read again before writing, so a replay never overwrites a newer
        change with the values stored when it failed. A record that now syncs gets its failure resolved.

        Args:
            failure_ids: The failures to replay (one id, or several); None for every open one. Ids of no
                open failure are skipped.

        Returns:
            The replay's report.
        """
        if isinstance(failure_ids, str):  # one id, not its characters
            failure_ids = (failure_ids,)
        failures = self.store.list_failures(ids=failure_ids)
        with self._session((Direction.ZOHO_TO_JDE, Direction.JDE_TO_ZOHO), dry_run=False) as context:
            context.resolution = "replayed"
            by_group: dict[tuple[Entity, Direction], list[str]] = defaultdict(list)
            flags: dict[tuple[Entity, Direction], list[Failure]] = defaultdict(list)
            for failure in failures:
                if failure.stage == FLAG_STAGE:
                    flags[(failure.entity, failure.direction)].append(failure)
                else:
                    by_group[(failure.entity, failure.direction)].append(failure.source_key)
            for (entity, direction), flagged in flags.items():
                replay_flags(context, entity, direction, flagged)
            for entity in _ORDER:
                keys = by_group.get((entity, Direction.ZOHO_TO_JDE), [])
                for start in range(0, len(keys), self.config.batch_size):
                    chunk = keys[start : start + self.config.batch_size]
                    records = self._zoho.fetch(entity, chunk)
                    self._resolve_gone(
                        context, entity, Direction.ZOHO_TO_JDE, set(chunk) - {r.id for r in records}
                    )
                    if records:
                        pull_batch(context, entity, records)
            for entity in _ORDER:
                keys = by_group.get((entity, Direction.JDE_TO_ZOHO), [])
                for start in range(0, len(keys), self.config.batch_size):
                    chunk = keys[start : start + self.config.batch_size]
                    aggregates = self._jde.read(entity, chunk)
                    self._resolve_gone(context, entity, Direction.JDE_TO_ZOHO, set(chunk) - set(aggregates))
                    if aggregates:
                        push_batch(context, entity, list(aggregates.values()))
        return _report(context)

    def reconcile(self) -> SyncReport:
        """Find links whose JDE record is gone (deletes cannot be seen by polling) and mark them deleted.

        Nothing is deleted in Zoho; with ``SyncConfig.flag_zoho_on_jde_delete`` the Zoho twin gets its
        "deleted in JDE" field (``ZohoFieldNames.jde_deleted``) set, so users see it.

        Returns:
            The report (``deleted`` counts the links marked).

        Raises:
            SyncLockedError: Another run is in progress.
            SyncAbortedError: A system stopped answering (after retries).
        """
        with self._session((Direction.JDE_TO_ZOHO,), dry_run=False) as context:
            for entity in _ORDER:
                if entity not in self.config.entities:
                    continue
                after = ""
                while page := self.store.page_links(
                    entity, after_jde_key=after, limit=self.config.batch_size
                ):
                    self._check_stop()
                    after = page[-1].jde_key
                    live = [link for link in page if not link.deleted]
                    present = self._jde.exists(entity, [link.jde_key for link in live])
                    mark_jde_deleted(context, entity, [link for link in live if link.jde_key not in present])
        return _report(context)

    def stop(self) -> None:
        """Ask the run in progress to stop after the batch in flight (from another thread or a signal).

        What was written is checkpointed; cursors whose phase did not finish stay where they were, so the
        next run picks up exactly there. The stopped run returns its report with ``stopped=True``. A
        :meth:`plan` in progress stops too; the next run (not plan) starts afresh.
        """
        self._stop.set()

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _StopRequestedError
        lock = self._lock
        if lock is not None and lock.lost.is_set():
            # This run paused past its lease and another took the lock: two runs must not write at once.
            raise SyncLockedError(
                "the run lock was lost (this run paused longer than its lease and another run took it); "
                "stopped after the batch in flight",
                hint="raise SyncConfig.lock_lease if runs pause that long (a suspended VM, a slow disk)",
            )

    # -- run lifecycle -----------------------------------------------------------------------------------

    def _run(self, direction: DirectionArg | None, *, dry_run: bool) -> SyncPlan:
        directions = _directions(direction)
        with self._session(directions, dry_run=dry_run) as context:
            context.writes_jde = Direction.ZOHO_TO_JDE in directions
            if Direction.ZOHO_TO_JDE in directions:
                covered = self._poll_zoho(context)
                self._drain_queue(context, covered=covered)
                context.zoho_pulled = True
            if Direction.JDE_TO_ZOHO in directions:
                self._push_jde(context)
        return SyncPlan(changes=tuple(context.planned), report=_report(context))

    @contextlib.contextmanager
    def _session(self, directions: tuple[Direction, ...], *, dry_run: bool) -> Iterator[RunContext]:
        run_id = uuid.uuid4().hex
        started = self._clock()
        config = self.config
        lock = RunLock(self.store, LOCK_NAME, run_id, lease=config.lock_lease, clock=self._clock)
        with contextlib.ExitStack() as held:
            if not dry_run:
                held.enter_context(lock)
                self._lock = lock
                held.callback(setattr, self, "_lock", None)
            held.enter_context(self.zoho.credit_budget(config.zoho_credit_budget))
            yield from self._run_locked(run_id, started, directions, dry_run=dry_run)

    def _run_locked(
        self, run_id: str, started: datetime, directions: tuple[Direction, ...], *, dry_run: bool
    ) -> Iterator[RunContext]:
        config = self.config
        calls_before = (self.ais.stats.snapshot(), self.zoho.stats, self.zoho.credits)
        context = RunContext(
            run_id=run_id,
            store=self.store,
            mapper=GuardedMapper(self.mapper),
            config=config,
            clock=self._clock,
            emit=self._emit,
            tally=_Tally(),
            jde=self._jde,
            zoho=self._zoho,
            dry_run=dry_run,
        )
        if not dry_run:
            # Only one real run holds the lock: a stop() before it was for an earlier run. A plan made
            # meanwhile must not erase a stop() aimed at the run in progress.
            self._stop.clear()
        self._emit(RunStarted(run_id=run_id, directions=directions, dry_run=dry_run))
        error: SdkError | None = None
        unexpected = ""
        stopped = False
        try:
            yield context
        except SdkError as failure:
            error = failure
        except _StopRequestedError:
            stopped = True
        except BaseException as crash:
            # Not the SDK's own (a bug, an interrupt): raised as is, but observers must not see a clean run.
            unexpected = f"{type(crash).__name__}: {crash}"
            raise
        finally:
            if not dry_run:
                self._stop.clear()  # a stop() is for the run in progress, not the next one
            context.report = SyncReport(
                run_id=run_id,
                started_at=started,
                finished_at=self._clock(),
                counts=context.tally.snapshot(),
                jde_calls=self.ais.stats.snapshot() - calls_before[0],
                zoho_calls=self.zoho.stats - calls_before[1],
                zoho_credits=self.zoho.credits - calls_before[2],
                dry_run=dry_run,
                stopped=stopped,
            )
            self._emit(RunFinished(run_id=run_id, error=redact_text(str(error) if error else unexpected)))
        if error is not None:
            raise SyncAbortedError(
                f"run {run_id} stopped: {error}",
                report=context.report,
                hint="what was committed stays; run again when the system answers (nothing is repeated)",
            ) from error

    def _emit(self, event: SyncEvent) -> None:
        for observer in self.observers:
            try:
                observer.on_event(event)
            except Exception:  # an observer must never stop a run
                _log.exception("observer %r failed on %s", observer, type(event).__name__)

    # -- Zoho -> JDE -------------------------------------------------------------------------------------

    def _poll_zoho(self, context: RunContext) -> dict[str, datetime]:
        """Pull records modified since each module's cursor; returns when each poll started, by module."""
        covered: dict[str, datetime] = {}
        for entity in _ORDER:
            if entity not in self.config.entities:
                continue
            module = self._zoho.module(entity)
            stream = f"zoho:{module}"
            cursor = self.store.get_cursor(stream)
            since = cursor - self.config.overlap if cursor else None
            started = context.clock()
            newest = cursor
            for batch in self._zoho.poll(entity, since, self.config.batch_size, until=started):
                self._check_stop()
                self._emit(
                    PageRead(
                        run_id=context.run_id,
                        direction=Direction.ZOHO_TO_JDE,
                        source=module,
                        records=len(batch),
                    )
                )
                pull_batch(context, entity, batch)
                seen = [record.modified_time for record in batch if record.modified_time is not None]
                if seen:
                    newest = max([newest, *seen]) if newest else max(seen)
            deleted = [entry.id for entry in self._zoho.deleted(entity, since)]
            mark_zoho_deleted(context, entity, deleted)
            covered[module] = started
            if newest is not None and not context.dry_run:
                # A cursor never passes the start of the poll that set it (the signpost).
                self.store.set_cursor(stream, min(newest, started))
        return covered

    def _drain_queue(self, context: RunContext, *, covered: dict[str, datetime] | None) -> None:
        """Process queued notification ids, skipping those a poll of this run already covered."""
        if context.dry_run:
            return
        lease = self.config.lock_lease
        while claimed := self.store.claim(
            context.run_id, limit=self.config.queue_batch, lease=lease, now=context.clock()
        ):
            self._emit(
                PageRead(
                    run_id=context.run_id,
                    direction=Direction.ZOHO_TO_JDE,
                    source="queue",
                    records=len(claimed),
                )
            )
            for entity in _ORDER:
                module = self._zoho.module(entity)
                mine = [item for item in claimed if item.module == module]
                if not mine or entity not in self.config.entities:
                    continue
                polled = (covered or {}).get(module)
                deletes = [item.zoho_id for item in mine if item.operation == "delete"]
                fetch = [
                    item.zoho_id
                    for item in mine
                    if item.operation != "delete" and (polled is None or item.server_time >= polled)
                ]
                mark_zoho_deleted(context, entity, deletes)
                for start in range(0, len(fetch), self.config.batch_size):
                    records = self._zoho.fetch(entity, fetch[start : start + self.config.batch_size])
                    if records:
                        pull_batch(context, entity, records)
            self.store.ack(claimed)

    # -- JDE -> Zoho -------------------------------------------------------------------------------------

    def _push_jde(self, context: RunContext) -> None:
        streams = self._jde.tables()
        cursors = {table: self.store.get_cursor(f"jde:{table}") for table in streams}
        started = context.clock()
        reader = self._jde.changes(cursors, overlap=self.config.overlap, batch_size=self.config.batch_size)
        for chunk in reader:
            self._check_stop()
            records = sum(len(aggregates) for aggregates in chunk.values())
            self._emit(
                PageRead(
                    run_id=context.run_id, direction=Direction.JDE_TO_ZOHO, source="jde", records=records
                )
            )
            for entity in _ORDER:
                aggregates = chunk.get(entity, [])
                if aggregates and entity in self.config.entities:
                    push_batch(context, entity, aggregates)
        if context.dry_run:
            return
        for table, newest in reader.newest.items():
            self.store.set_cursor(f"jde:{table}", min(newest, started))

    def _resolve_gone(
        self, context: RunContext, entity: Entity, direction: Direction, keys: set[str]
    ) -> None:
        """Resolve the failures of records that no longer exist on their source side."""
        if keys and not context.dry_run:
            self.store.resolve_failures(
                entity, direction, keys, resolved_at=context.clock(), resolution="source gone"
            )
