"""What a lost checkpoint leaves behind, and how a merge takes it into account.

A run that crashes between its writes and its checkpoint, or a write whose answer is lost, leaves records
written but not recorded: a write journal on the link (:class:`~jde_zoho_sdk.sync.PendingWrite`), our audit
id on a Zoho record, a Zoho record created with no link. The merge's base comes from them (so our own write
never passes for an edit), and the writes found in place get their audit events.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

import attrs

from jde_zoho_sdk.jde.dates import jde_stamp_readings, to_jde_stamp
from jde_zoho_sdk.sync._context import Checkpoint, RunContext
from jde_zoho_sdk.sync.model import AuditAction, Canonical, Direction, JdeAggregate, Link, PendingWrite

if TYPE_CHECKING:
    from jde_zoho_sdk.zoho import ZohoRecord

__all__ = [
    "account_for_landed_jde_write",
    "account_for_stamp",
    "account_for_unrecorded_write",
    "audit_stamp",
    "last_synced",
    "unrecorded_create",
]


def last_synced(
    link: Link, jde_now: Canonical, zoho_now: Canonical
) -> tuple[Mapping[str, object], Mapping[str, object]]:
    """The base of the merge: the link's snapshots, and the fields of a journaled write that landed.

    A write whose checkpoint a crash lost is still on the link (:class:`PendingWrite`). Each field it
    wrote that the target holds is taken as synced with the values of that write; otherwise the write
    would pass for a change made on the target, dated by the record's last modification.
    """
    pending = link.pending
    if pending is None:
        return link.jde_snapshot, link.zoho_snapshot
    jde_base, zoho_base = dict(link.jde_snapshot), dict(link.zoho_snapshot)
    for field in _landed(pending.to_zoho, zoho_now, pending.zoho_snapshot) | _landed_in_jde(pending, jde_now):
        jde_base[field] = pending.jde_snapshot.get(field)
        zoho_base[field] = pending.zoho_snapshot.get(field)
    return jde_base, zoho_base


def _landed(fields: frozenset[str], now: Canonical, written: Mapping[str, object]) -> frozenset[str]:
    """The journaled fields the target holds as they were written."""
    values = now.values()
    return frozenset(field for field in fields if values.get(field) == written.get(field))


def _landed_in_jde(pending: PendingWrite, jde_now: Canonical) -> frozenset[str]:
    """The fields of a journaled JDE write that JDE holds as written."""
    return _landed(pending.to_jde, jde_now, pending.jde_snapshot)


def account_for_landed_jde_write(
    checkpoint: Checkpoint, link: Link, pending: PendingWrite, jde_now: Canonical
) -> None:
    """Record a journaled JDE write found in place: its answer, or its run's checkpoint, was lost.

    Unlike a Zoho record, a JDE record carries no audit id of ours to find it by (the orchestration is
    given one, but nothing reads it back). The journal is the write's only trace, and the merge settles it
    now: this event is the write's entry in the audit trail, with the fields JDE holds as written.
    """
    landed = _landed_in_jde(pending, jde_now)
    if landed:
        checkpoint.event(
            AuditAction.SKIP,
            jde_key=link.jde_key,
            zoho_id=link.zoho_id,
            fields=landed,
            message="a JDE write of ours found in place, whose answer or checkpoint was lost",
            direction=Direction.ZOHO_TO_JDE,
        )


def unrecorded_create(
    context: RunContext,
    checkpoint: Checkpoint,
    record: ZohoRecord,
    aggregate: JdeAggregate,
    jde_now: Canonical,
) -> tuple[Mapping[str, object], Mapping[str, object]] | None:
    """The base of a first link with a Zoho record a run of ours wrote and whose link a crash lost.

    A run that creates a record in Zoho (or gives it its JDE key) and crashes before its checkpoint leaves
    no link, and the next run finds the record by the JDE key it carries. With no base, every difference
    would be settled by policy, and a field JDE wins in a conflict would erase an edit made in Zoho since.
    When the record carries the audit id our writes stamp (a record of ours, not one given a JDE key by
    hand) and JDE's record last changed strictly before the Zoho record was created, our last write left
    Zoho holding JDE's record as it is now: that is the base the lost link would have had, so a difference
    is an edit made in Zoho since. Otherwise (no stamp, no creation time, a JDE change in the same second
    or later) there is no base: the pair is two records found to be one, and the policy decides.

    Only a record modified after the second it was created has an edit to keep. One that was not differs
    from JDE only by a JDE change the create missed (made after the crashed run read JDE, before it wrote
    Zoho), which that base would undo: the policy decides.

    Either way the pair stays a first link (audited and counted as linked; Zoho is given the JDE key).
    """
    if not audit_stamp(context, checkpoint, record):
        return None
    created = _zoho_time(record.values.get("Created_Time"))
    modified = record.modified_time
    changed = _latest_reading(aggregate.updated_at, context.jde.zone)
    if created is None or modified is None or changed is None or not changed < created < modified:
        return None
    return jde_now.values(), context.mapper.normalize(jde_now, "zoho").values()


def _zoho_time(value: object) -> datetime | None:
    """A Zoho datetime (``2026-03-02T09:00:00-06:00``), or None when absent or not one with an offset."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _latest_reading(updated_at: datetime | None, zone: tzinfo) -> datetime | None:
    """The latest instant JDE's UPMJ/UPMT stamp may name (in the repeated autumn hour, the later one).

    ``updated_at`` is the earliest reading (right for a cursor); to say JDE did not change after a moment,
    the stamp must be before it whichever instant it names.
    """
    if updated_at is None:
        return None
    day, hhmmss = to_jde_stamp(updated_at, zone)
    return jde_stamp_readings(day, hhmmss, zone)[-1]


def account_for_unrecorded_write(
    context: RunContext, checkpoint: Checkpoint, record: ZohoRecord, link: Link
) -> None:
    """Account for a write of ours, found unchanged, whose checkpoint a crash lost; remember its time."""
    account_for_stamp(checkpoint, record, link, audit_stamp(context, checkpoint, record), link.jde_key)
    known = link.zoho_modified_at
    if record.modified_time is not None and (known is None or record.modified_time > known):
        checkpoint.link(attrs.evolve(link, zoho_modified_at=record.modified_time))


def account_for_stamp(
    checkpoint: Checkpoint, record: ZohoRecord, link: Link | None, stamp: str, jde_key: str
) -> None:
    """Record the audit id a record carries when it may be one no event has.

    A record modified at or after our last recorded write to it (Zoho times are whole seconds, and a run
    may write a record twice in one second), or not linked yet, may carry the id of a write of ours whose
    checkpoint a crash lost. Usually the id is recorded already (the store ignores it again) or, on a
    record a user copied, another record's. Recording it keeps every write accounted for, even once a
    later write has overwritten the id on the record.
    """
    known = link.zoho_modified_at if link is not None else None
    if link is not None and (
        record.modified_time is None or (known is not None and record.modified_time < known)
    ):
        return
    if stamp and not checkpoint.uses(stamp):
        checkpoint.event(
            AuditAction.SKIP,
            jde_key=jde_key,
            zoho_id=record.id,
            audit_id=stamp,
            message="a write of ours found in place, whose audit record a crash lost",
        )


def audit_stamp(context: RunContext, checkpoint: Checkpoint, record: ZohoRecord) -> str:
    """The audit id our writes stamp on ``record`` ("" when it carries none, or not one of ours in shape)."""
    field = context.mapper.zoho_identity(checkpoint.entity).audit_field
    stamp = record.values.get(field) if field else None
    return stamp if isinstance(stamp, str) and len(stamp) == 32 and stamp.isalnum() else ""
