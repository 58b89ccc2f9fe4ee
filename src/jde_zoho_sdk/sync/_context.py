"""The state of one run shared by its steps, and the per-batch checkpoint that makes a batch durable."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime

import attrs

from jde_zoho_sdk._redact import get_logger, redact_text
from jde_zoho_sdk.errors import ApiError, SdkError
from jde_zoho_sdk.sync._jde_gateway import JdeGateway
from jde_zoho_sdk.sync._zoho_gateway import ZohoGateway
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.events import CheckpointCommitted, RecordFailed, SyncEvent
from jde_zoho_sdk.sync.merge import FieldPolicy
from jde_zoho_sdk.sync.model import (
    AuditAction,
    AuditEvent,
    Canonical,
    Direction,
    Entity,
    Failure,
    Link,
    Outcome,
    PendingWrite,
)
from jde_zoho_sdk.sync.protocols import Mapper, StateStore
from jde_zoho_sdk.sync.report import FieldChange, PlannedChange, SyncReport, _Tally

_log = get_logger(__name__)
_ID_MASK = (1 << 128) - 1


def error_code(error: BaseException) -> str:
    """A short code for a failure: the remote code when there is one, else the error's class name."""
    if isinstance(error, ApiError) and error.code:
        return error.code
    return type(error).__name__


def to_json_values(record: Canonical) -> dict[str, object]:
    """A record's values as stored in snapshots and failure payloads (Decimal kept; the store encodes it)."""
    return record.values()


@attrs.define(kw_only=True)
class RunContext:
    """What every step of a run needs: ids, clock, store, mapper, config, gateways, events and counters."""

    run_id: str
    store: StateStore
    mapper: Mapper
    config: SyncConfig
    clock: Callable[[], datetime]
    emit: Callable[[SyncEvent], None]
    tally: _Tally
    jde: JdeGateway
    zoho: ZohoGateway
    dry_run: bool = False
    # Whether this run polled Zoho's changes before its JDE -> Zoho phase (a run in both directions does):
    # only then does a linked record's Zoho side hold its snapshot, unread. Replays and one-way runs read it.
    zoho_pulled: bool = False
    # Whether this run may write JDE: a run("jde_to_zoho") holds back what a merge would give JDE.
    writes_jde: bool = True
    planned: list[PlannedChange] = attrs.field(factory=list)
    # Customers and suppliers a dry run would create, in Zoho (by address number) and in JDE (by Zoho module
    # and id; 0 stands for the address number JDE would give): their contacts can be planned too.
    pending_parents: dict[int, tuple[str, str]] = attrs.field(factory=dict)
    pending_jde_parents: dict[tuple[str, str], int] = attrs.field(factory=dict)
    # The links a dry run would have recorded, by entity and JDE key. A run's JDE -> Zoho phase reads the
    # links its Zoho -> JDE phase committed; a dry run commits none, so it reads these instead (without
    # them, a record merged in the first phase was planned again, or planned as a create, in the second).
    planned_links: dict[tuple[Entity, str], Link] = attrs.field(factory=dict)
    report: SyncReport | None = None
    # How failures this run syncs are marked resolved ("synced" in a run, "replayed" in a replay).
    resolution: str = "synced"
    # Audit ids need uniqueness, not secrecy: a random 128-bit start drawn from the OS once per run, then
    # counted up (no system call per id; a run makes several per record). Consecutive ids also land side by
    # side in the store's unique index on audit_id, where a random id per event dirtied an index page per
    # insert (-25% of the audit's SQLite time). Two runs collide only if their starts fall within a run's
    # count of each other: about 2^-90 for a million events.
    _id_start: int = attrs.field(factory=lambda: int.from_bytes(os.urandom(16)), init=False, repr=False)
    _id_count: Iterator[int] = attrs.field(factory=itertools.count, init=False, repr=False)
    # A merge asks the policy of every field of every record read.
    _policies: dict[Entity, dict[str, FieldPolicy]] = attrs.field(factory=dict, init=False, repr=False)
    _mixed_case_emails: dict[str, list[int]] | None = attrs.field(default=None, init=False, repr=False)

    def new_audit_id(self) -> str:
        """A fresh audit id (32 hex digits)."""
        return f"{(self._id_start + next(self._id_count)) & _ID_MASK:032x}"

    def jde_mixed_case_emails(self) -> dict[str, list[int]]:
        """JDE's line-0 e-mails not in lower case, by lower-case spelling: read on first need, once a run.

        Records this run creates in JDE carry lower-case e-mails, which the lookup by e-mail finds.
        """
        if self._mixed_case_emails is None:
            self._mixed_case_emails = self.jde.mixed_case_emails()
        return self._mixed_case_emails

    def policy(self, entity: Entity) -> Callable[[str], FieldPolicy]:
        """The owner policy function of one entity (each field's policy looked up once per run)."""
        known = self._policies.setdefault(entity, {})

        def of(field: str) -> FieldPolicy:
            found = known.get(field)
            if found is None:
                found = known[field] = self.config.policy(entity, field)
            return found

        return of

    def links_by_jde(self, entity: Entity, keys: Collection[str]) -> dict[str, Link]:
        """The store's links of some JDE keys, with what this dry run would have recorded over them."""
        links = self.store.get_links_by_jde(entity, keys)
        if self.planned_links:
            links = dict(links)
            for key in keys:
                planned = self.planned_links.get((entity, key))
                if planned is not None:
                    links[key] = planned
        return links

    def parents_in_zoho(self, numbers: Iterable[int]) -> Callable[[int], tuple[str, str] | None]:
        """Contacts' parents (JDE address numbers) -> their Zoho twins, for ``MappingContext.parent_in_zoho``.

        Looked up once for the batch's numbers; a number linked as both (its search type changed) takes its
        customer link. A dry run also knows the parents it would create in Zoho (id not known yet: ``""``).
        """
        keys = {str(number) for number in numbers}
        found: dict[int, tuple[str, str]] = {}
        for entity in (Entity.SUPPLIER, Entity.CUSTOMER):
            module = self.mapper.zoho_identity(entity).module
            for key, link in self.links_by_jde(entity, keys).items() if keys else ():
                if not link.deleted:
                    found[int(key)] = (module, link.zoho_id)
        pending = self.pending_parents

        def parent_in_zoho(address_number: int) -> tuple[str, str] | None:
            return found.get(address_number) or pending.get(address_number)

        return parent_in_zoho

    def plan(
        self,
        entity: Entity,
        direction: Direction,
        action: AuditAction,
        *,
        old: Mapping[str, object] | None,
        new: Mapping[str, object],
        fields: frozenset[str] | None = None,
        jde_key: str = "",
        zoho_id: str = "",
        conflicts: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Record a write a dry run would make, field by field."""
        names = sorted(fields if fields is not None else new.keys())
        changes = tuple(
            FieldChange(name, None if old is None else old.get(name), new.get(name)) for name in names
        )
        self.planned.append(
            PlannedChange(
                entity=entity,
                direction=direction,
                action=action,
                jde_key=jde_key,
                zoho_id=zoho_id,
                changes=changes,
                conflicts=conflicts,
            )
        )


@attrs.define
class Checkpoint:
    """A batch's links, audit events, failures and resolutions, committed to the store in one transaction.

    Nothing a batch wrote to a remote system is recorded before :meth:`commit`: a crash before it makes the
    next run repeat the batch, which every write is safe for (Zoho updates and key-based upserts, JDE
    creates idempotent on the external reference).
    """

    context: RunContext
    entity: Entity
    direction: Direction
    links: dict[tuple[str, str], Link] = attrs.field(factory=dict)
    audit: list[AuditEvent] = attrs.field(factory=list)
    failures: list[Failure] = attrs.field(factory=list)
    resolved: set[str] = attrs.field(factory=set)
    moot: set[str] = attrs.field(factory=set)
    records: int = 0
    _audit_ids: set[str] = attrs.field(factory=set, init=False)
    _journaled: dict[tuple[str, str], Link] = attrs.field(factory=dict, init=False)
    _keep_pending: set[tuple[str, str]] = attrs.field(factory=set, init=False)

    def link(self, link: Link, *, keep_pending: bool = False) -> None:
        """Store (or replace) a link at commit.

        A write journaled for it is then done and its journal is cleared, unless ``keep_pending`` says the
        link carries, on purpose, a journal that still applies (a half-done pair's failed write, for the
        fields it still owes).
        """
        key = (link.entity, link.jde_key)
        self.links[key] = link
        if keep_pending:
            self._keep_pending.add(key)
        else:
            self._keep_pending.discard(key)

    def journal(self, writes: Sequence[tuple[Link, PendingWrite]]) -> None:
        """Record in the store, before they are sent, the writes about to be made to linked pairs.

        :meth:`commit` clears each, with the link the batch recorded for its pair; a pair that recorded
        none (its write failed) gets its link back as it was before.
        """
        if self.context.dry_run or not writes:
            return
        with self.context.store.transaction():
            self.context.store.put_links([attrs.evolve(link, pending=pending) for link, pending in writes])
        for link, _ in writes:
            self._journaled.setdefault((link.entity, link.jde_key), link)

    def uses(self, audit_id: str) -> bool:
        """Whether an event of this batch already has ``audit_id``."""
        return audit_id in self._audit_ids

    def event(
        self,
        action: AuditAction,
        *,
        jde_key: str = "",
        zoho_id: str = "",
        fields: frozenset[str] | tuple[str, ...] = (),
        message: str = "",
        outcome: Outcome = Outcome.OK,
        audit_id: str | None = None,
        entity: Entity | None = None,
        direction: Direction | None = None,
    ) -> AuditEvent:
        """Add an audit event for this batch and return it.

        Raises:
            ValueError: ``audit_id`` was already used in this batch (the store keeps the first event of an id
                and drops the others, so a reused id would silently lose an event).
        """
        audit_id = audit_id or self.context.new_audit_id()
        if audit_id in self._audit_ids:
            raise ValueError(f"audit id {audit_id} used twice in one batch")
        self._audit_ids.add(audit_id)
        event = AuditEvent(
            audit_id=audit_id,
            run_id=self.context.run_id,
            at=self.context.clock(),
            entity=entity or self.entity,
            direction=direction or self.direction,
            action=action,
            outcome=outcome,
            jde_key=jde_key,
            zoho_id=zoho_id,
            fields=tuple(sorted(fields)),
            message=message,
        )
        self.audit.append(event)
        return event

    def fail(
        self,
        source_key: str,
        stage: str,
        error: BaseException,
        *,
        payload: Mapping[str, object] | None = None,
        target_key: str = "",
        direction: Direction | None = None,
    ) -> None:
        """Record a failed record: a failure row (for replay), an audit event and an observer event."""
        direction = direction or self.direction
        message = redact_text(str(error))
        now = self.context.clock()
        self.failures.append(
            Failure(
                failure_id=uuid.uuid4().hex,
                run_id=self.context.run_id,
                entity=self.entity,
                direction=direction,
                source_key=source_key,
                target_key=target_key,
                stage=stage,
                error_code=error_code(error),
                message=message,
                payload=dict(payload or {}),
                created_at=now,
                last_attempt_at=now,
            )
        )
        jde_key, zoho_id = (
            (source_key, target_key) if direction is Direction.JDE_TO_ZOHO else (target_key, source_key)
        )
        self.event(
            AuditAction.FAIL,
            jde_key=jde_key,
            zoho_id=zoho_id,
            message=f"{stage}: {message}",
            outcome=Outcome.FAILED,
            direction=direction,
        )
        self.context.tally.add(self.entity, direction, failed=1)
        self.context.emit(
            RecordFailed(
                run_id=self.context.run_id,
                entity=self.entity,
                direction=direction,
                source_key=source_key,
                stage=stage,
                message=message,
            )
        )
        if not isinstance(error, SdkError):
            _log.error("unexpected error on %s %s", self.entity, source_key, exc_info=error)

    def succeeded(self, source_key: str) -> None:
        """Mark a record synced: its open failures get resolved at commit."""
        self.resolved.add(source_key)

    def deleted(self, source_key: str) -> None:
        """Mark a record whose link is deleted: its open failures are moot (resolved "deleted") at commit."""
        self.moot.add(source_key)

    def commit(self) -> None:
        """Write everything the batch produced in one transaction, then emit ``CheckpointCommitted``."""
        context = self.context
        if context.dry_run:
            return
        links = [
            link if link.pending is None or key in self._keep_pending else attrs.evolve(link, pending=None)
            for key, link in self.links.items()
        ]
        links += [link for key, link in self._journaled.items() if key not in self.links]
        with context.store.transaction():
            if links:
                context.store.put_links(links)
            if self.audit:
                context.store.append_audit(self.audit)
            if self.failures:
                context.store.add_failures(self.failures)
            failed = {failure.source_key for failure in self.failures}
            resolved = self.resolved - failed
            for keys, resolution in ((resolved, context.resolution), (self.moot - failed, "deleted")):
                if keys:
                    context.store.resolve_failures(
                        self.entity, self.direction, keys, resolved_at=context.clock(), resolution=resolution
                    )
        context.emit(
            CheckpointCommitted(
                run_id=context.run_id,
                entity=self.entity,
                direction=self.direction,
                records=self.records,
            )
        )
