"""JDE -> Zoho: turn one batch of changed JDE records into pairs to write.

In a run in both directions, Zoho's changes were pulled earlier (Zoho -> JDE goes first), so a linked
record's Zoho side is its snapshot: the merge needs no Zoho read, and a record changed on both sides was
merged then. Otherwise the Zoho side is read and the pair merged as a pull does: for a link carrying a
write journal (a crashed run's write, or one whose answer was lost: its snapshot cannot say whether that
write landed), and for every link in a replay or a ``run("jde_to_zoho")``, which pull nothing first. A
one-way run writes no JDE: what the merge would give JDE is held back, its fields keeping their old base in
the Zoho snapshot, so a run in both directions still sees Zoho's change. A record whose Zoho side cannot
be mapped is merged against its snapshot, as a run in both directions does once its pull failed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from jde_zoho_sdk.errors import MappingError, SdkError
from jde_zoho_sdk.sync._apply import Pair, apply_pairs, map_stage, plan_pairs
from jde_zoho_sdk.sync._context import Checkpoint, RunContext
from jde_zoho_sdk.sync._pull import merged_pair, zoho_parents
from jde_zoho_sdk.sync.merge import MergeResult, changed_fields, merge
from jde_zoho_sdk.sync.model import (
    AuditAction,
    Canonical,
    ContactPerson,
    Direction,
    Entity,
    JdeAggregate,
    Link,
    Outcome,
    canonical_from_values,
)
from jde_zoho_sdk.sync.protocols import MappingContext
from jde_zoho_sdk.zoho import ZohoRecord

__all__ = ["push_batch"]

_DIRECTION = Direction.JDE_TO_ZOHO


def _parent_context(context: RunContext, aggregates: Sequence[JdeAggregate]) -> MappingContext:
    """Resolve contacts' parents to their Zoho twins."""
    numbers = {aggregate.address_number for aggregate in aggregates}
    return MappingContext(parent_in_zoho=context.parents_in_zoho(numbers))


def push_batch(context: RunContext, entity: Entity, aggregates: Sequence[JdeAggregate]) -> None:
    """Diff, merge and write one batch of JDE records of ``entity`` to Zoho, then checkpoint it."""
    checkpoint = Checkpoint(context, entity, _DIRECTION, records=len(aggregates))
    context.tally.add(entity, _DIRECTION, read=len(aggregates))
    if context.planned_links:
        # A dry run's Zoho -> JDE phase planned these pairs whole; the run would have written them (JDE
        # first) and found them unchanged here.
        planned = context.planned_links
        kept = [aggregate for aggregate in aggregates if (entity, aggregate.key) not in planned]
        context.tally.add(entity, _DIRECTION, unchanged=len(aggregates) - len(kept))
        aggregates = kept
    links = context.store.get_links_by_jde(entity, [aggregate.key for aggregate in aggregates])
    read = _zoho_sides(context, entity, links.values())
    pairs = [
        pair
        for aggregate in aggregates
        if (pair := _pair(context, checkpoint, aggregate, links.get(aggregate.key), read)) is not None
    ]
    pairs = _without_unique_clashes(context, checkpoint, pairs)
    if context.dry_run:
        plan_pairs(context, checkpoint, pairs)
        return
    mapping = _parent_context(context, aggregates) if entity is Entity.CONTACT else MappingContext()
    apply_pairs(context, checkpoint, pairs, mapping)


def _without_unique_clashes(context: RunContext, checkpoint: Checkpoint, pairs: list[Pair]) -> list[Pair]:
    """Fail new records whose tax id or e-mail (unique in Zoho) already belongs to another JDE record.

    Zoho's upsert would match the other record's twin and merge the two JDE records into one account, and
    the two would then take the account from each other run after run. A human must decide.
    """
    unique = context.mapper.zoho_identity(checkpoint.entity).unique
    new = [pair for pair in pairs if not pair.zoho_id]
    if not unique or not new:
        return pairs
    store, entity = context.store, checkpoint.entity
    lookups = {"tax_id": store.find_links_by_tax_id, "email": store.find_links_by_email}
    taken: dict[tuple[str, str], str] = {}
    for field in unique:
        values = {_unique_value(pair, field) for pair in new} - {""}
        if field in lookups and values:
            for value, links in lookups[field](entity, values).items():
                for link in links:
                    taken[(field, value.lower())] = link.jde_key
    kept: list[Pair] = []
    for pair in pairs:
        clash = None if pair.zoho_id else _claim(taken, pair, unique)
        if clash is None:
            kept.append(pair)
            continue
        field, value, owner = clash
        error = DuplicateKeyError(
            f"its {field.replace('_', ' ')} {value!r} is also JDE {owner}'s, and Zoho keeps it unique",
            hint="correct the duplicate in JDE (or merge the two records), then replay",
        )
        checkpoint.fail(pair.source_key, "dedup", error)
    return kept


def _unique_value(pair: Pair, field: str) -> str:
    return str(getattr(pair.result.jde, field, "") or "")


def _claim(
    taken: dict[tuple[str, str], str], pair: Pair, unique: tuple[str, ...]
) -> tuple[str, str, str] | None:
    """Claim the pair's unique values; return the first (field, value, owner) another record holds."""
    for field in unique:
        value = _unique_value(pair, field)
        owner = taken.get((field, value.lower())) if value else None
        if owner is not None and owner != pair.jde_key:
            return field, value, owner
    for field in unique:
        value = _unique_value(pair, field)
        if value:
            taken[(field, value.lower())] = pair.jde_key
    return None


class DuplicateKeyError(SdkError):
    """Two JDE records share a value Zoho keeps unique (a tax id, an e-mail)."""


def _reads_zoho(context: RunContext, link: Link) -> bool:
    """Whether a live link's Zoho side must be read, not taken to be its snapshot (see the module doc)."""
    return not link.deleted and (link.pending is not None or not context.zoho_pulled)


def _zoho_sides(
    context: RunContext, entity: Entity, links: Iterable[Link]
) -> dict[str, tuple[ZohoRecord, Canonical] | MappingError]:
    """The Zoho side, read now, of the links whose snapshot may not be what Zoho holds (by Zoho id).

    A journaled write (a crashed run's, or one whose answer was lost) may or may not have landed on Zoho,
    which the snapshot cannot tell; a run that pulled nothing first cannot know of Zoho's edits. Those pairs
    are merged against Zoho as it is, like a pull does.
    """
    ids = [link.zoho_id for link in links if _reads_zoho(context, link)]
    if not ids:
        return {}
    records = context.zoho.fetch(entity, ids)
    mapping = zoho_parents(context, records) if entity is Entity.CONTACT else MappingContext()
    mapper = context.mapper
    found: dict[str, tuple[ZohoRecord, Canonical] | MappingError] = {}
    for record in records:
        try:
            canonical = mapper.from_zoho(entity, record, context=mapping)
            found[record.id] = (record, mapper.normalize(canonical, "zoho"))
        except MappingError as error:
            found[record.id] = error
    return found


def _pair(
    context: RunContext,
    checkpoint: Checkpoint,
    aggregate: JdeAggregate,
    link: Link | None,
    read: Mapping[str, tuple[ZohoRecord, Canonical] | MappingError],
) -> Pair | None:
    try:
        if link is not None and _reads_zoho(context, link):
            return _read_pair(context, checkpoint, aggregate, link, read.get(link.zoho_id))
        return _mapped_pair(context, checkpoint, aggregate, link)
    except MappingError as error:
        checkpoint.fail(aggregate.key, map_stage(error), error, target_key=link.zoho_id if link else "")
        return None


def _read_pair(
    context: RunContext,
    checkpoint: Checkpoint,
    aggregate: JdeAggregate,
    link: Link,
    zoho: tuple[ZohoRecord, Canonical] | MappingError | None,
) -> Pair | None:
    """Merge a JDE change with its Zoho side read in this run (a journaled link, or a run that pulled none).

    A one-way run holds back what the merge gives JDE (see the module docstring), with a ``skip`` event.
    """
    if isinstance(zoho, MappingError):
        if link.pending is not None:
            raise zoho  # a journal cannot be settled without Zoho's side
        # Zoho's side cannot be read as a record (a value with no mapping, a contact under an unlinked
        # account): a run in both directions fails it in its pull and pushes against the snapshot; so does
        # this one, rather than holding JDE's change back until someone mends the Zoho record.
        return _mapped_pair(context, checkpoint, aggregate, link)
    if zoho is None:
        # Gone from Zoho: the run's read of Zoho's deleted records marks the link (and flags JDE, when
        # configured); a deleted record is not recreated, so the JDE change has nowhere to go.
        checkpoint.event(
            AuditAction.SKIP,
            jde_key=link.jde_key,
            zoho_id=link.zoho_id,
            outcome=Outcome.SKIPPED,
            message="edited in JDE but gone from Zoho; not recreated (the delete is recorded when listed)",
        )
        context.tally.add(checkpoint.entity, _DIRECTION, unchanged=1)
        return None
    record, zoho_now = zoho
    pair = merged_pair(
        context,
        checkpoint,
        aggregate,
        record=record,
        zoho_now=zoho_now,
        link=link,
        origin=_DIRECTION,
        source_key=aggregate.key,
    )
    if pair is None or context.writes_jde or not pair.result.to_jde:
        return pair
    held = frozenset(pair.result.to_jde)
    checkpoint.event(
        AuditAction.SKIP,
        jde_key=pair.jde_key,
        zoho_id=pair.zoho_id,
        fields=held,
        outcome=Outcome.SKIPPED,
        message="changed in Zoho since the last sync: left for a run that syncs Zoho -> JDE",
    )
    jde_before = pair.jde_before if pair.jde_before is not None else pair.result.jde
    result = attrs.evolve(pair.result, jde=jde_before, to_jde=frozenset())
    return attrs.evolve(pair, result=result, held=held)


def _mapped_pair(
    context: RunContext, checkpoint: Checkpoint, aggregate: JdeAggregate, link: Link | None
) -> Pair | None:
    """The pair of a JDE record (None: nothing to write). Mapping raises before the batch is touched."""
    entity = checkpoint.entity
    mapper = context.mapper
    jde_now = mapper.normalize(mapper.from_jde(aggregate), "jde")
    common = {
        "origin": _DIRECTION,
        "source_key": aggregate.key,
        "jde_key": aggregate.key,
        "jde_before": jde_now,
        "audit_id": context.new_audit_id(),
        "jde_updated_at": aggregate.updated_at,
    }
    if link is None:
        if (
            isinstance(jde_now, ContactPerson)
            and not jde_now.email
            and not context.config.create_contacts_without_email
        ):
            context.tally.add(entity, _DIRECTION, unchanged=1)
            return None
        zoho_target = mapper.normalize(jde_now, "zoho")
        created = MergeResult(
            jde=jde_now, zoho=zoho_target, to_jde=frozenset(), to_zoho=frozenset(zoho_target.values())
        )
        return Pair(result=created, **common)  # type: ignore[arg-type]
    if link.deleted:
        if changed_fields(jde_now.values(), link.jde_snapshot):
            checkpoint.event(
                AuditAction.SKIP,
                jde_key=link.jde_key,
                zoho_id=link.zoho_id,
                outcome=Outcome.SKIPPED,
                message=f"edited in JDE but deleted in {link.deleted_in}; not recreated",
            )
        context.tally.add(entity, _DIRECTION, unchanged=1)
        checkpoint.deleted(aggregate.key)
        return None
    zoho_now = canonical_from_values(entity, link.zoho_snapshot)
    result = merge(
        jde_now=jde_now,
        zoho_now=zoho_now,
        jde_base=link.jde_snapshot,
        zoho_base=link.zoho_snapshot,
        policy=context.policy(entity),
        normalize=mapper.normalize,
        jde_updated_at=aggregate.updated_at,
        zoho_modified_at=link.zoho_modified_at,
    )
    if not result.to_zoho and not result.to_jde:
        context.tally.add(entity, _DIRECTION, unchanged=1)
        if result.jde.values() != link.jde_snapshot:
            # A change Zoho does not store: remember it so it is not diffed again; nothing to write.
            checkpoint.link(
                attrs.evolve(link, jde_snapshot=result.jde.values(), jde_updated_at=aggregate.updated_at)
            )
        checkpoint.succeeded(aggregate.key)
        return None
    return Pair(
        result=result,
        zoho_id=link.zoho_id,
        link=link,
        zoho_before=zoho_now,
        zoho_modified_at=link.zoho_modified_at,
        **common,  # type: ignore[arg-type]
    )
