"""What a host implements to plug into the SyncEngine: the state store and observers (and mappers).

:class:`StateStore` is written out method by method: it is the contract a host's own store (PostgreSQL,
a key-value service...) must honour. ``jde_zoho_sdk.testing.store_contract`` is a pytest suite that checks
it; :class:`~jde_zoho_sdk.sync.SqliteStateStore` is the default implementation.

All datetimes crossing this protocol are timezone-aware and in UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs

from jde_zoho_sdk.sync.events import SyncEvent
from jde_zoho_sdk.sync.model import (
    AuditEvent,
    Canonical,
    ChannelState,
    Direction,
    Entity,
    Failure,
    JdeAggregate,
    Link,
    QueuedChange,
)

if TYPE_CHECKING:
    from jde_zoho_sdk.sync.merge import Side
    from jde_zoho_sdk.zoho import ZohoRecord

__all__ = ["Mapper", "MappingContext", "StateStore", "SyncObserver", "ZohoIdentity"]


@runtime_checkable
class StateStore(Protocol):
    """Durable state of the sync: cursors, links, the notification queue, audit, failures, channels, locks.

    Thread safety: every method may be called from several threads at once (the notification receiver
    enqueues while a run is going). :meth:`transaction` groups the writes made *by the calling thread* inside
    it into one atomic commit; calls from other threads are not part of it and must not wait for it longer
    than a short write lock.
    """

    # -- unit of work ------------------------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        """Group the calling thread's writes into one atomic commit.

        Everything written inside the block is committed together when it exits normally, and nothing is
        when it raises. Nested blocks commit only with the outer one; an inner block that raises (and is
        caught inside the outer one) undoes only its own writes, like a savepoint. Never call a remote
        system inside a transaction: other threads' writes wait for it.
        """
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...

    # -- cursors -----------------------------------------------------------------------------------------

    def get_cursor(self, stream: str) -> datetime | None:
        """Return the high-water mark of ``stream`` (``"jde:F0101"``, ``"zoho:Accounts"``), or None.

        Args:
            stream: The stream's name.
        """
        ...

    def set_cursor(self, stream: str, value: datetime) -> None:
        """Set the high-water mark of ``stream``.

        Args:
            stream: The stream's name.
            value: The new high-water mark (aware, UTC).
        """
        ...

    # -- links -------------------------------------------------------------------------------------------

    def get_links_by_jde(self, entity: Entity, jde_keys: Collection[str]) -> dict[str, Link]:
        """Return the links of ``entity`` whose JDE key is in ``jde_keys``, by JDE key (deleted ones too).

        Args:
            entity: The kind of record.
            jde_keys: The JDE keys to look up (a whole batch at once).
        """
        ...

    def get_links_by_zoho(self, entity: Entity, zoho_ids: Collection[str]) -> dict[str, Link]:
        """Return the links of ``entity`` whose Zoho id is in ``zoho_ids``, by Zoho id (deleted ones too).

        Args:
            entity: The kind of record.
            zoho_ids: The Zoho record ids to look up (a whole batch at once).
        """
        ...

    def find_links_by_email(self, entity: Entity, emails: Collection[str]) -> dict[str, list[Link]]:
        """Return the live links of ``entity`` whose e-mail is in ``emails``, keyed by lower-cased e-mail.

        Both sides are compared lower-cased; empty e-mails never match.

        Args:
            entity: The kind of record.
            emails: The e-mails to look up.
        """
        ...

    def find_links_by_tax_id(self, entity: Entity, tax_ids: Collection[str]) -> dict[str, list[Link]]:
        """Return the live links of ``entity`` whose tax id is in ``tax_ids``, by tax id.

        Args:
            entity: The kind of record.
            tax_ids: The tax ids to look up; empty ones never match.
        """
        ...

    def put_links(self, links: Sequence[Link]) -> None:
        """Insert or replace links.

        Snapshots hold JSON values and ``Decimal``; a store returns each ``Decimal`` with the same digits.

        A link is identified by (entity, JDE key); a Zoho id belongs to at most one link of an entity, so a
        link that takes a Zoho id from another replaces it.

        Args:
            links: The links to store.
        """
        ...

    def page_links(self, entity: Entity, *, after_jde_key: str = "", limit: int = 1000) -> list[Link]:
        """Return up to ``limit`` links of ``entity`` after ``after_jde_key``, in JDE key (text) order.

        Args:
            entity: The kind of record.
            after_jde_key: Start after this key (``""``: from the first).
            limit: The most links to return.
        """
        ...

    def count_links(self, entity: Entity) -> int:
        """Return how many links ``entity`` has (live and deleted).

        Args:
            entity: The kind of record.
        """
        ...

    # -- notification queue ------------------------------------------------------------------------------

    def enqueue(self, changes: Sequence[QueuedChange]) -> int:
        """Queue Zoho record ids; a record already queued collapses into one item.

        The collapsed item keeps its place in the queue, the latest ``server_time`` and the operation of the
        latest ``server_time`` (a late, older "update" does not hide a "delete"); its ``sequence`` grows
        (the store assigns it; sequences are never reused), so an :meth:`ack` of an earlier claim of it does
        not remove it.

        Args:
            changes: The record ids to queue, with their module, operation and Zoho's time.

        Returns:
            How many records were not queued before.
        """
        ...

    def claim(self, owner: str, *, limit: int, lease: timedelta, now: datetime) -> list[QueuedChange]:
        """Claim up to ``limit`` queued items for ``owner`` until ``now + lease`` (oldest first).

        Items claimed by another owner whose lease has expired (its end is at or before ``now``) may be
        claimed again: a worker that died never loses the items it held. An owner claiming again gets its
        own unexpired items back.

        Args:
            owner: Who claims (the run id).
            limit: The most items to claim.
            lease: How long the claim holds.
            now: The current time (aware, UTC).

        Returns:
            The claimed items, oldest first.
        """
        ...

    def ack(self, changes: Sequence[QueuedChange]) -> None:
        """Remove processed items, unless they were queued again since they were claimed.

        An item queued again stays, and its claim is released so it is processed once more.

        Args:
            changes: The items as :meth:`claim` returned them.
        """
        ...

    def queue_depth(self) -> int:
        """Return how many items are queued (claimed or not)."""
        ...

    # -- audit -------------------------------------------------------------------------------------------

    def append_audit(self, events: Sequence[AuditEvent]) -> None:
        """Append audit events; an event whose ``audit_id`` is already stored is ignored.

        Args:
            events: The events to append.
        """
        ...

    def query_audit(
        self,
        *,
        record_key: str | None = None,
        run_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> list[AuditEvent]:
        """Return audit events oldest first, filtered by record (a JDE key or a Zoho id), run and time.

        Args:
            record_key: Only events whose JDE key or Zoho id is this.
            run_id: Only events of this run.
            since: Only events at or after this time.
            until: Only events before this time.
            limit: The most events to return (the oldest ones).
        """
        ...

    # -- failures ----------------------------------------------------------------------------------------

    def add_failures(self, failures: Sequence[Failure]) -> None:
        """Record failures; an open failure of the same (entity, direction, source key) is updated instead.

        The update keeps ``failure_id`` and ``created_at``, takes the new run, stage, error, message, payload
        and ``last_attempt_at``, and adds one to ``attempts``.

        Args:
            failures: The failures to record.
        """
        ...

    def list_failures(
        self, *, ids: Collection[str] | None = None, include_resolved: bool = False, limit: int | None = None
    ) -> list[Failure]:
        """Return failures oldest first: the open ones (or all), optionally only those with the given ids.

        Args:
            ids: Only the failures with these ids (None: any).
            include_resolved: Include resolved failures.
            limit: The most failures to return (None: all).
        """
        ...

    def resolve_failures(
        self,
        entity: Entity,
        direction: Direction,
        source_keys: Collection[str],
        *,
        resolved_at: datetime,
        resolution: str,
    ) -> int:
        """Mark the open failures of these records resolved; returns how many were open.

        Args:
            entity: The kind of record.
            direction: The direction that failed.
            source_keys: The records' keys on the source side.
            resolved_at: When (aware, UTC).
            resolution: How (``"synced"``, ``"replayed"``, ``"source gone"``...).
        """
        ...

    # -- notification channels ---------------------------------------------------------------------------

    def put_channel(self, channel: ChannelState) -> None:
        """Insert or replace a channel (by channel id).

        Args:
            channel: The channel, with its token and the expiry Zoho answered.
        """
        ...

    def list_channels(self) -> list[ChannelState]:
        """Return every channel kept alive by the sync."""
        ...

    def delete_channel(self, channel_id: str) -> None:
        """Forget a channel.

        Args:
            channel_id: The channel's id.
        """
        ...

    # -- run lock ----------------------------------------------------------------------------------------

    def acquire_lock(self, name: str, owner: str, *, lease: timedelta, now: datetime) -> bool:
        """Take (or renew) the lock ``name`` for ``owner`` until ``now + lease``.

        Args:
            name: The lock's name.
            owner: Who takes it.
            lease: How long it holds without renewal.
            now: The current time (aware, UTC).

        Returns:
            True when ``owner`` holds the lock afterwards: it was free, expired, or already ``owner``'s.
        """
        ...

    def release_lock(self, name: str, owner: str) -> None:
        """Release the lock if ``owner`` holds it.

        Args:
            name: The lock's name.
            owner: Who releases it.
        """
        ...

    def lock_holder(self, name: str) -> tuple[str, datetime] | None:
        """Return who holds the lock ``name`` and until when (expired holders included), or None.

        Args:
            name: The lock's name.
        """
        ...


@runtime_checkable
class SyncObserver(Protocol):
    """Receives the engine's events (progress bars, logs, metrics, tests). The engine itself prints nothing.

    ``on_event`` runs on the engine's thread; keep it quick. An exception raised by an observer is logged
    and does not stop the run.
    """

    def on_event(self, event: SyncEvent) -> None:
        """Handle one event (see :mod:`jde_zoho_sdk.sync.events`).

        Args:
            event: What happened.
        """
        ...


def _no_parent_zoho(_address_number: int) -> tuple[str, str] | None:
    return None


def _no_parent_jde(_module: str, _zoho_id: str) -> int | None:
    return None


@attrs.frozen(kw_only=True)
class MappingContext:
    """What a mapper may ask the engine while mapping one record (links to other records).

    Attributes:
        parent_in_zoho: JDE address number of a customer or supplier -> (Zoho module, record id) of its
            linked Account or Vendor, or None when it is not linked (yet).
        parent_in_jde: (Zoho module, record id) of an Account or Vendor -> the linked JDE address number.
        audit_id: The audit id of the write being prepared (to stamp on the target record).
    """

    parent_in_zoho: Callable[[int], tuple[str, str] | None] = _no_parent_zoho
    parent_in_jde: Callable[[str, str], int | None] = _no_parent_jde
    audit_id: str = ""


@attrs.frozen(kw_only=True)
class ZohoIdentity:
    """How records of one entity are identified in Zoho.

    Attributes:
        module: The Zoho module (``"Accounts"``).
        key_field: The unique field holding the JDE key.
        audit_field: The field the sync stamps its audit id on ("" for none).
        duplicate_check_fields: The upsert's duplicate check, in order (JDE key, then tax id, then e-mail).
        unique: Canonical fields Zoho keeps unique (``"tax_id"``, ``"email"``): two JDE records sharing a
            value cannot both have a Zoho twin, so the second is failed instead of merged into the first's.
        deleted_flag_field: A boolean field ``reconcile`` may set on a record whose JDE twin is gone.
    """

    module: str
    key_field: str
    audit_field: str
    duplicate_check_fields: tuple[str, ...]
    unique: tuple[str, ...] = ()
    deleted_flag_field: str = ""


@runtime_checkable
class Mapper(Protocol):
    """Maps records between JDE, the canonical form and Zoho, in four directions per entity.

    :class:`~jde_zoho_sdk.sync.DefaultMapper` implements it and is meant to be subclassed. The per-record
    methods (``from_jde``, ``to_zoho``, ``from_zoho``, ``to_jde``, ``normalize``) may raise
    :class:`~jde_zoho_sdk.errors.MappingError` naming the field; the engine then records that one record as
    failed and goes on with the batch. Any other exception from them (a bug) is recorded the same way, as a
    ``MappingError`` naming the exception, except the SDK's own errors, which keep their meaning (a system
    error stops the run). The per-entity methods (``jde_columns``, ``zoho_fields``, ``zoho_identity``) are
    configuration: their errors stop the run.
    """

    def jde_columns(self, entity: Entity) -> Mapping[str, tuple[str, ...]]:
        """The columns to read per JDE table (aliases), keys included, for ``entity``.

        Args:
            entity: The kind of record.
        """
        ...

    def zoho_fields(self, entity: Entity) -> tuple[str, ...]:
        """The Zoho field API names to read for ``entity`` (at most 50).

        Args:
            entity: The kind of record.
        """
        ...

    def zoho_identity(self, entity: Entity) -> ZohoIdentity:
        """The module, key field, audit field and duplicate check of ``entity`` in Zoho.

        Args:
            entity: The kind of record.
        """
        ...

    def from_jde(self, aggregate: JdeAggregate) -> Canonical:
        """JDE rows -> canonical record.

        Args:
            aggregate: The record's rows, by table.
        """
        ...

    def to_zoho(
        self, record: Canonical, *, fields: Collection[str] | None, context: MappingContext
    ) -> dict[str, object]:
        """Canonical record -> Zoho field values (only those derived from ``fields``, or all when None).

        Args:
            record: The canonical record.
            fields: The canonical fields that changed (None: a whole record, as for a create).
            context: Links to other records, and the audit id of the write.
        """
        ...

    def from_zoho(self, entity: Entity, record: ZohoRecord, *, context: MappingContext) -> Canonical:
        """Zoho record -> canonical record.

        Args:
            entity: The kind of record.
            record: The Zoho record.
            context: Links to other records.
        """
        ...

    def to_jde(
        self, record: Canonical, *, fields: Collection[str] | None, context: MappingContext
    ) -> dict[str, object]:
        """Canonical record -> orchestration inputs (only those derived from ``fields``, or all when None).

        Args:
            record: The canonical record.
            fields: The canonical fields that changed (None: a whole record, as for a create).
            context: Links to other records, and the audit id of the write.
        """
        ...

    def normalize(self, record: Canonical, side: Side) -> Canonical:
        """The record as ``side`` would store it (lengths cut, amounts rounded, unstored fields blank).

        Args:
            record: The canonical record.
            side: ``"jde"`` or ``"zoho"``.
        """
        ...
