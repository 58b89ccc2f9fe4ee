"""Zoho -> JDE: turn one batch of changed Zoho records into pairs to write.

A linked record's JDE side is read before anything is written to it (one chunked read per table for the
whole batch): JDE is not polled between runs, so this is how a JDE edit not yet seen gets merged instead of
overwritten. An unlinked record is looked up in JDE by tax id, then e-mail, before a create; a match is
linked (and merged field by field), never duplicated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

import attrs

from jde_zoho_sdk.errors import MappingError, SdkError
from jde_zoho_sdk.sync._apply import Pair, apply_pairs, map_stage, plan_pairs
from jde_zoho_sdk.sync._context import Checkpoint, RunContext
from jde_zoho_sdk.sync._deletes import mark_jde_deleted
from jde_zoho_sdk.sync._recovered import (
    account_for_landed_jde_write,
    account_for_stamp,
    account_for_unrecorded_write,
    audit_stamp,
    last_synced,
    unrecorded_create,
)
from jde_zoho_sdk.sync.events import ConflictMerged
from jde_zoho_sdk.sync.merge import MergeResult, merge
from jde_zoho_sdk.sync.model import (
    AuditAction,
    Canonical,
    Direction,
    Entity,
    JdeAggregate,
    Link,
    Outcome,
)
from jde_zoho_sdk.sync.protocols import MappingContext

if TYPE_CHECKING:
    from jde_zoho_sdk.zoho import ZohoRecord

__all__ = ["DuplicateLinkError", "merged_pair", "pull_batch", "zoho_parents"]

_DIRECTION = Direction.ZOHO_TO_JDE


class DuplicateLinkError(SdkError):
    """The JDE record a Zoho record matches is already linked to another Zoho record."""


@attrs.frozen
class _Mapped:
    record: ZohoRecord
    zoho: Canonical
    link: Link | None


def _lookup_ids(records: Sequence[ZohoRecord], field: str) -> set[str]:
    ids: set[str] = set()
    for record in records:
        ref = record.values.get(field)
        if isinstance(ref, Mapping) and ref.get("id"):
            ids.add(str(ref["id"]))
    return ids


def zoho_parents(context: RunContext, records: Sequence[ZohoRecord]) -> MappingContext:
    """Resolve contacts' Accounts and Vendors to the JDE address numbers they are linked to."""
    found: dict[tuple[str, str], int] = {}
    for entity, field in ((Entity.CUSTOMER, "Account_Name"), (Entity.SUPPLIER, "Vendor_Name")):
        module = context.mapper.zoho_identity(entity).module
        for zoho_id, link in context.store.get_links_by_zoho(entity, _lookup_ids(records, field)).items():
            if not link.deleted:
                found[(module, zoho_id)] = int(link.jde_key)

    pending = context.pending_jde_parents

    def parent_in_jde(module: str, zoho_id: str) -> int | None:
        number = found.get((module, zoho_id))
        return number if number is not None else pending.get((module, zoho_id))

    return MappingContext(parent_in_jde=parent_in_jde)


def pull_batch(context: RunContext, entity: Entity, records: Sequence[ZohoRecord]) -> None:
    """Diff, merge and write one batch of Zoho records of ``entity`` to JDE (and back), then checkpoint it."""
    checkpoint = Checkpoint(context, entity, _DIRECTION, records=len(records))
    context.tally.add(entity, _DIRECTION, read=len(records))
    links = context.store.get_links_by_zoho(entity, [record.id for record in records])
    mapping = zoho_parents(context, records) if entity is Entity.CONTACT else MappingContext()
    mapped = [
        item
        for record in records
        if (item := _map(context, checkpoint, record, links.get(record.id), mapping)) is not None
    ]
    linked = [item for item in mapped if item.link is not None]
    current = context.jde.read(entity, [item.link.jde_key for item in linked if item.link is not None])
    gone = [item.link for item in linked if item.link is not None and item.link.jde_key not in current]
    # Edited in Zoho but gone from JDE: marked (and flagged in Zoho, when configured) as reconcile would.
    mark_jde_deleted(
        context,
        entity,
        gone,
        message="edited in Zoho but gone from JDE: link marked deleted, nothing recreated",
        counted=_DIRECTION,
        outcome=Outcome.SKIPPED,
    )
    pairs = [
        pair
        for item in linked
        if item.link is not None
        and item.link.jde_key in current
        and (pair := _merged_pair(context, checkpoint, item, current[item.link.jde_key])) is not None
    ]
    pairs += _unlinked_pairs(context, checkpoint, [item for item in mapped if item.link is None])
    if context.dry_run:
        plan_pairs(context, checkpoint, pairs)
        return
    # A merge may owe Zoho a field too: the contact's Zoho write names its parent's Zoho record.
    if entity is Entity.CONTACT:
        owing = [pair.result.zoho for pair in pairs if pair.result.to_zoho]
        parents = [getattr(contact, "parent_address_number", 0) for contact in owing]
        if parents:
            mapping = attrs.evolve(mapping, parent_in_zoho=context.parents_in_zoho(parents))
    apply_pairs(context, checkpoint, pairs, mapping)


def _map(
    context: RunContext,
    checkpoint: Checkpoint,
    record: ZohoRecord,
    link: Link | None,
    mapping: MappingContext,
) -> _Mapped | None:
    entity = checkpoint.entity
    try:
        zoho_now = context.mapper.normalize(context.mapper.from_zoho(entity, record, context=mapping), "zoho")
    except MappingError as error:
        checkpoint.fail(record.id, map_stage(error), error, target_key=link.jde_key if link else "")
        return None
    if link is not None and link.deleted:
        if zoho_now.values() != link.zoho_snapshot:
            checkpoint.event(
                AuditAction.SKIP,
                jde_key=link.jde_key,
                zoho_id=link.zoho_id,
                outcome=Outcome.SKIPPED,
                message=f"edited in Zoho but deleted in {link.deleted_in}; not recreated",
            )
        context.tally.add(entity, _DIRECTION, unchanged=1)
        checkpoint.deleted(record.id)
        return None
    if link is not None and link.pending is None and zoho_now.values() == link.zoho_snapshot:
        # Our own write coming back, or a re-read: nothing changed on the Zoho side. (With a write journaled
        # on the link, the snapshot is not the whole base: a value equal to it may be an edit back to it,
        # made after a crashed write changed the other side. The merge decides, on the journaled base.)
        context.tally.add(entity, _DIRECTION, unchanged=1)
        account_for_unrecorded_write(context, checkpoint, record, link)
        checkpoint.succeeded(record.id)
        return None
    return _Mapped(record, zoho_now, link)


def _merged_pair(
    context: RunContext, checkpoint: Checkpoint, item: _Mapped, aggregate: JdeAggregate
) -> Pair | None:
    """Merge the Zoho record with its JDE side (three-way when linked, else a first link)."""
    return merged_pair(
        context,
        checkpoint,
        aggregate,
        record=item.record,
        zoho_now=item.zoho,
        link=item.link,
        origin=_DIRECTION,
        source_key=item.record.id,
    )


def merged_pair(
    context: RunContext,
    checkpoint: Checkpoint,
    aggregate: JdeAggregate,
    *,
    record: ZohoRecord,
    zoho_now: Canonical,
    link: Link | None,
    origin: Direction,
    source_key: str,
) -> Pair | None:
    """Merge a Zoho record with its JDE side, both read in this run (three-way when linked).

    A first link is three-way too when the Zoho record is one a crashed run of ours wrote and JDE has not
    changed since (see :func:`unrecorded_create`); it stays a first link all the same.

    Args:
        context: The run.
        checkpoint: The batch's checkpoint.
        aggregate: The JDE record.
        record: The Zoho record.
        zoho_now: The Zoho record, mapped and normalised.
        link: The pair's link (None: a first link).
        origin: The direction whose change brought the record into the batch.
        source_key: The record's key on the origin side.

    Returns:
        The pair to write, or None when both sides already hold the merged values (or mapping failed).
    """
    mapper = context.mapper
    try:
        jde_now = mapper.normalize(mapper.from_jde(aggregate), "jde")
        base: tuple[Mapping[str, object], Mapping[str, object]] | None
        if link is not None:
            base = last_synced(link, jde_now, zoho_now)
        else:
            base = unrecorded_create(context, checkpoint, record, aggregate, jde_now)
        jde_base, zoho_base = base or (None, None)
        result = merge(
            jde_now=jde_now,
            zoho_now=zoho_now,
            jde_base=jde_base,
            zoho_base=zoho_base,
            policy=context.policy(checkpoint.entity),
            normalize=mapper.normalize,
            jde_updated_at=aggregate.updated_at,
            zoho_modified_at=record.modified_time,
        )
    except MappingError as error:
        target = aggregate.key if origin is Direction.ZOHO_TO_JDE else record.id
        checkpoint.fail(source_key, map_stage(error), error, target_key=target, direction=origin)
        return None
    # The pair carries its link as this merge understood it: an earlier crash's write journal, whose landed
    # fields the base holds, is settled, so a new journal (or a half-done pair's link) never drops it.
    settled = link
    if link is not None and link.pending is not None and jde_base is not None and zoho_base is not None:
        settled = attrs.evolve(link, jde_snapshot=jde_base, zoho_snapshot=zoho_base, pending=None)
        account_for_landed_jde_write(checkpoint, link, link.pending, jde_now)
    pair = Pair(
        origin=origin,
        source_key=source_key,
        result=result,
        jde_key=aggregate.key,
        zoho_id=record.id,
        link=settled,
        jde_before=jde_now,
        zoho_before=zoho_now,
        matched=link is None,
        audit_id=context.new_audit_id(),
        jde_updated_at=aggregate.updated_at,
        zoho_modified_at=record.modified_time,
    )
    # The record may carry the audit id of a write of ours whose checkpoint a crash lost (edited again since
    # or not; for a first link, the write that gave it its JDE key), which a write below would overwrite.
    account_for_stamp(checkpoint, record, link, audit_stamp(context, checkpoint, record), aggregate.key)
    if link is not None and result.conflicts:
        _conflict(context, checkpoint, pair)
    if link is not None and pair.jde_ok and pair.zoho_ok:
        # Both sides already hold the merged values: the same edit on both sides, or that crashed write.
        context.tally.add(checkpoint.entity, origin, unchanged=1)
        checkpoint.link(
            attrs.evolve(
                link,
                jde_snapshot=result.jde.values(),
                zoho_snapshot=result.zoho.values(),
                jde_updated_at=aggregate.updated_at,
                zoho_modified_at=record.modified_time,
                pending=None,
            )
        )
        checkpoint.succeeded(source_key)
        return None
    return pair


def _conflict(context: RunContext, checkpoint: Checkpoint, pair: Pair) -> None:
    conflicts = pair.result.conflicts
    context.tally.add(checkpoint.entity, pair.origin, conflicts=1)
    context.emit(
        ConflictMerged(
            run_id=context.run_id,
            entity=checkpoint.entity,
            jde_key=pair.jde_key,
            zoho_id=pair.zoho_id,
            winners=conflicts,
        )
    )
    checkpoint.event(
        AuditAction.MERGE,
        jde_key=pair.jde_key,
        zoho_id=pair.zoho_id,
        fields=tuple(name for name, _ in conflicts),
        message="changed on both sides: " + ", ".join(f"{name} from {side}" for name, side in conflicts),
    )


_KEY_SHAPES: Final = {Entity.CONTACT: re.compile(r"\d{1,8}-\d{1,8}")}
_ENTITY_KEY: Final = re.compile(r"\d{1,8}")


def _held_keys(context: RunContext, entity: Entity, items: list[_Mapped]) -> dict[int, str]:
    """The JDE key each record carries in its key field, when it is shaped like one (by position)."""
    field = context.mapper.zoho_identity(entity).key_field
    shape = _KEY_SHAPES.get(entity, _ENTITY_KEY)
    held: dict[int, str] = {}
    for index, item in enumerate(items):
        value = str(item.record.values.get(field) or "").strip()
        if shape.fullmatch(value):
            held[index] = str(int(value)) if entity is not Entity.CONTACT else value
    return held


def _unlinked_pairs(context: RunContext, checkpoint: Checkpoint, items: list[_Mapped]) -> list[Pair]:
    """Link each record to its JDE twin or plan its creation in JDE.

    The twin is the JDE record whose key the Zoho record carries (written there by an earlier sync, so a
    lost state store is rebuilt without twins), else the one with the same tax id, else the same e-mail.
    """
    if not items:
        return []
    entity = checkpoint.entity
    held = _held_keys(context, entity, items)
    spelled = context.jde_mixed_case_emails if context.config.jde_emails_any_case else None
    by_values = context.jde.find_twins(entity, [item.zoho for item in items], spelled=spelled)
    candidates = set(held.values()) | set(by_values.values())
    taken = context.store.get_links_by_jde(entity, candidates)
    free = sorted({key for key in candidates if key not in taken or taken[key].deleted})
    aggregates = context.jde.read(entity, free)
    pairs: list[Pair] = []
    claimed: set[str] = set()
    for index, item in enumerate(items):
        key = held.get(index)
        if key is None or (key not in aggregates and key not in taken):
            key = by_values.get(index)  # the key it carries names no JDE record (any more)
        other = taken.get(key) if key is not None else None
        if key is not None and (key in claimed or (other is not None and not other.deleted)):
            owner = f"Zoho {other.zoho_id}" if other is not None else "another record of this batch"
            error = DuplicateLinkError(
                f"its JDE key, tax id or e-mail matches JDE {key}, which is already linked to {owner}",
                hint="merge the duplicates in Zoho (or correct the tax id / e-mail), then replay",
            )
            checkpoint.fail(item.record.id, "dedup", error, target_key=key)
            continue
        if key is not None and key in aggregates:
            claimed.add(key)
            pair = _merged_pair(context, checkpoint, item, aggregates[key])
            if pair is not None:
                pairs.append(pair)
            continue
        try:
            jde_target = context.mapper.normalize(item.zoho, "jde")
        except MappingError as error:
            checkpoint.fail(item.record.id, map_stage(error), error)
            continue
        result = MergeResult(
            jde=jde_target, zoho=item.zoho, to_jde=frozenset(jde_target.values()), to_zoho=frozenset()
        )
        pairs.append(
            Pair(
                origin=_DIRECTION,
                source_key=item.record.id,
                result=result,
                zoho_id=item.record.id,
                zoho_before=item.zoho,
                audit_id=context.new_audit_id(),
                zoho_modified_at=item.record.modified_time,
            )
        )
    return pairs
