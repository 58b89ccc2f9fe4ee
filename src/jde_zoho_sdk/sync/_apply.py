"""Carrying out what a batch decided: JDE writes, then Zoho writes, then links, audit and failures.

Both directions reduce a record to a :class:`Pair`: the merge result says what each side must hold and
which fields each must be written. JDE goes first (a create there gives the key Zoho must learn), Zoho
second (batched), and a new link is recorded only once *both* sides hold what was decided. A linked pair
left half done advances its link's snapshots only for the fields both sides now hold; the fields the
failed side was still to receive keep their old values, so the next run still sees that change, and the
idempotent writes (key-based upserts, creates idempotent on the external reference) make repeating it
harmless.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import cast

import attrs

from jde_zoho_sdk.errors import MappingError, SdkError, ValidationError
from jde_zoho_sdk.sync._context import Checkpoint, RunContext
from jde_zoho_sdk.sync._jde_gateway import JdeWrite
from jde_zoho_sdk.sync._writes import run_all
from jde_zoho_sdk.sync._zoho_gateway import WriteStoppedError, ZohoWrite
from jde_zoho_sdk.sync.events import BatchWritten
from jde_zoho_sdk.sync.merge import MergeResult
from jde_zoho_sdk.sync.model import AuditAction, Canonical, Direction, Entity, Link, PendingWrite
from jde_zoho_sdk.sync.protocols import MappingContext
from jde_zoho_sdk.zoho import UpsertResult

__all__ = ["Pair", "apply_pairs", "map_stage", "plan_pairs"]

_MATCHED = "found in both systems by JDE key, tax id or e-mail: linked, not duplicated"
_COUNTER = {AuditAction.CREATE: "created", AuditAction.UPDATE: "updated", AuditAction.LINK: "linked"}


@attrs.define(kw_only=True)
class Pair:
    """One record of a batch and what its two sides must become.

    Attributes:
        origin: The direction of the change that brought the record into the batch.
        source_key: The record's key on the origin side (for failures and replay).
        result: What each side must hold, and the fields to write to each.
        jde_key: The JDE key ("" while JDE must create the record).
        zoho_id: The Zoho id ("" while Zoho must create the record).
        link: The existing link, if any.
        jde_before: JDE's record before the batch (None when it does not exist yet).
        zoho_before: Zoho's record before the batch (None when it does not exist yet).
        matched: True when the two sides were found to be one record in this batch (not created).
        audit_id: The audit id stamped on the writes.
        jde_updated_at: When the JDE side last changed.
        zoho_modified_at: When the Zoho side last changed.
        held: Fields the merge would give JDE that this run may not write (a one-way run): they keep the
            link's old values in the Zoho snapshot, so Zoho's change is still seen by a run that writes JDE.
    """

    origin: Direction
    source_key: str
    result: MergeResult[Canonical]
    jde_key: str = ""
    zoho_id: str = ""
    link: Link | None = None
    jde_before: Canonical | None = None
    zoho_before: Canonical | None = None
    matched: bool = False
    audit_id: str = ""
    jde_updated_at: datetime | None = None
    zoho_modified_at: datetime | None = None
    held: frozenset[str] = frozenset()
    jde_ok: bool = attrs.field(init=False)
    zoho_ok: bool = attrs.field(init=False)
    link_audited: bool = attrs.field(init=False, default=False)
    jde_unknown: bool = attrs.field(init=False, default=False)
    zoho_unknown: bool = attrs.field(init=False, default=False)

    def __attrs_post_init__(self) -> None:
        # A side is "ok" once it holds what was decided: at once when it needs no write.
        self.jde_ok = bool(self.jde_key) and not self.result.to_jde
        self.zoho_ok = bool(self.zoho_id) and not self.result.to_zoho and not self.needs_key

    @property
    def needs_key(self) -> bool:
        """Whether Zoho must be told the JDE key (a pair new in this batch)."""
        return self.link is None

    def fail(self, checkpoint: Checkpoint, stage: str, error: BaseException) -> None:
        """Record this pair's failure against its origin."""
        target = self.zoho_id if self.origin is Direction.JDE_TO_ZOHO else self.jde_key
        payload = (self.result.jde if self.origin is Direction.JDE_TO_ZOHO else self.result.zoho).values()
        checkpoint.fail(
            self.source_key, stage, error, payload=payload, target_key=target, direction=self.origin
        )


def map_stage(error: MappingError) -> str:
    """The failure stage of a mapping error: ``"parent"`` for a contact's unlinked parent, else ``"map"``."""
    return "parent" if error.field == "parent_address_number" else "map"


def _audit_write(
    context: RunContext,
    checkpoint: Checkpoint,
    pair: Pair,
    direction: Direction,
    *,
    action: AuditAction,
    audit_id: str,
    message: str = "",
) -> None:
    """Audit one write with the audit id it stamped on the target; count it."""
    target = pair.result.jde if direction is Direction.ZOHO_TO_JDE else pair.result.zoho
    changed = pair.result.to_jde if direction is Direction.ZOHO_TO_JDE else pair.result.to_zoho
    fields = changed if action is AuditAction.UPDATE else frozenset(target.values())
    if action is AuditAction.LINK:
        pair.link_audited = True
        if pair.matched:
            context.tally.add(checkpoint.entity, pair.origin, linked=1)
        else:
            fields = frozenset()
    else:
        context.tally.add(checkpoint.entity, direction, **{_COUNTER[action]: 1})
    checkpoint.event(
        action,
        jde_key=pair.jde_key,
        zoho_id=pair.zoho_id,
        fields=fields,
        audit_id=audit_id,
        direction=direction,
        message=message,
    )


def _jde_phase(
    context: RunContext,
    checkpoint: Checkpoint,
    pairs: Sequence[Pair],
    mapping: MappingContext,
) -> SdkError | None:
    planned: list[tuple[Pair, JdeWrite]] = []
    for pair in pairs:
        if pair.jde_ok:
            continue
        if pair.jde_key and checkpoint.entity is Entity.CONTACT and _MOVED in pair.result.to_jde:
            pair.fail(checkpoint, "parent", _moved_contact())
            continue
        fields = pair.result.to_jde if pair.jde_key else None
        try:
            inputs = context.mapper.to_jde(
                pair.result.jde, fields=fields, context=attrs.evolve(mapping, audit_id=pair.audit_id)
            )
        except MappingError as error:
            pair.fail(checkpoint, map_stage(error), error)
            continue
        planned.append((pair, JdeWrite(pair.jde_key, inputs, pair.zoho_id, pair.audit_id)))
    if not planned:
        return None
    entity = checkpoint.entity
    attempts, stop = run_all(
        [partial(context.jde.write, entity, write) for _, write in planned],
        concurrency=context.config.jde_concurrency,
    )
    written = 0
    for (pair, _), attempt in zip(planned, attempts, strict=True):
        if attempt.value is None:
            if attempt.error is not None:
                pair.fail(checkpoint, "write", attempt.error)
            pair.jde_unknown = attempt.unknown
            continue
        written += 1
        created = not pair.jde_key
        pair.jde_key = attempt.value.key
        pair.jde_ok = True
        if created and attempt.value.existing:
            # The create orchestration found the record by its external reference: nothing was written.
            pair.matched = True
            continue
        action = AuditAction.CREATE if created else AuditAction.UPDATE
        _audit_write(context, checkpoint, pair, Direction.ZOHO_TO_JDE, action=action, audit_id=pair.audit_id)
    context.emit(
        BatchWritten(
            run_id=context.run_id,
            entity=entity,
            direction=Direction.ZOHO_TO_JDE,
            written=written,
            failed=len(planned) - written,
        )
    )
    return stop


_MOVED = "parent_address_number"


def _moved_contact() -> MappingError:
    # The contact orchestrations update a who's who line in place: AN8 is part of its key.
    return MappingError(
        "the contact was moved to another account or vendor in Zoho; a JDE who's who line cannot move to "
        "another address number",
        field=_MOVED,
        hint="move it back in Zoho, or create it anew under the other account (and delete this one)",
    )


def _zoho_writes(
    context: RunContext, checkpoint: Checkpoint, pairs: Sequence[Pair], mapping: MappingContext
) -> list[ZohoWrite]:
    """The Zoho write of each pair that needs one (a pair whose values cannot be mapped fails here)."""
    identity = context.mapper.zoho_identity(checkpoint.entity)
    writes: list[ZohoWrite] = []
    for pair in pairs:
        if pair.zoho_ok or not pair.jde_ok:
            continue
        fields = pair.result.to_zoho if pair.zoho_id else None
        values: dict[str, object] = {}
        if fields is None or fields:
            try:
                values = context.mapper.to_zoho(
                    pair.result.zoho, fields=fields, context=attrs.evolve(mapping, audit_id=pair.audit_id)
                )
            except MappingError as error:
                pair.fail(checkpoint, map_stage(error), error)
                continue
        values[identity.key_field] = pair.jde_key
        # The Zoho write has its own audit id (the JDE write of the pair has the pair's): the id stamped on
        # a record always names the event that describes that very write.
        audit_id = context.new_audit_id()
        if identity.audit_field:
            values[identity.audit_field] = audit_id
        writes.append(ZohoWrite(pair.zoho_id, values, (pair, audit_id)))
    return writes


def _zoho_phase(
    context: RunContext,
    checkpoint: Checkpoint,
    pairs: Sequence[Pair],
    mapping: MappingContext,
) -> SdkError | None:
    writes = _zoho_writes(context, checkpoint, pairs, mapping)
    if not writes:
        return None
    stop: SdkError | None = None
    unknown: frozenset[int] = frozenset()
    try:
        results: Sequence[UpsertResult | None] = context.zoho.write(checkpoint.entity, writes)
    except WriteStoppedError as stopped:
        # A system error after some calls landed: those are recorded with the batch before the run stops.
        results, unknown, stop = stopped.results, stopped.unknown, stopped.error
    written = 0
    for position, (write, result) in enumerate(zip(writes, results, strict=True)):
        pair, audit_id = cast("tuple[Pair, str]", write.tag)
        if result is None:
            pair.zoho_unknown = position in unknown
            continue
        if result.error is not None or result.id is None:
            refusal = result.error
            message = refusal.message if refusal else "Zoho's answer carried no record id"
            details = {"api_name": refusal.api_name, **refusal.details} if refusal else None
            code = refusal.code if refusal else None
            pair.fail(checkpoint, "write", ValidationError(message, code=code, details=details))
            continue
        written += 1
        created = not pair.zoho_id
        pair.zoho_id = result.id
        pair.zoho_ok = True
        pair.zoho_modified_at = result.modified_time or pair.zoho_modified_at
        # An upsert that updated: Zoho already had the record (same JDE key, tax id or e-mail).
        pair.matched = pair.matched or (created and result.action == "update")
        if created:
            action = AuditAction.LINK if pair.matched else AuditAction.CREATE
            message = (
                "found in Zoho by JDE key, tax id or e-mail: linked, not duplicated" if pair.matched else ""
            )
        elif pair.result.to_zoho:
            action, message = AuditAction.UPDATE, ""
        else:
            action, message = AuditAction.LINK, "JDE key written to the Zoho record"
        _audit_write(
            context,
            checkpoint,
            pair,
            Direction.JDE_TO_ZOHO,
            action=action,
            audit_id=audit_id,
            message=message,
        )
    context.emit(
        BatchWritten(
            run_id=context.run_id,
            entity=checkpoint.entity,
            direction=Direction.JDE_TO_ZOHO,
            written=written,
            failed=len(writes) - written,
        )
    )
    return stop


def _links(context: RunContext, checkpoint: Checkpoint, pairs: Sequence[Pair]) -> None:
    now = context.clock()
    for pair in pairs:
        if not (pair.jde_ok and pair.zoho_ok):
            if pair.link is not None:
                checkpoint.link(_partly_synced(pair, pair.link), keep_pending=True)
            continue
        if pair.link is None and pair.matched and not pair.link_audited:
            context.tally.add(checkpoint.entity, pair.origin, linked=1)
            checkpoint.event(
                AuditAction.LINK,
                jde_key=pair.jde_key,
                zoho_id=pair.zoho_id,
                message=_MATCHED,
                direction=pair.origin,
            )
        checkpoint.link(_synced_link(checkpoint.entity, pair, now))
        checkpoint.succeeded(pair.source_key)


def _synced_link(entity: Entity, pair: Pair, now: datetime) -> Link:
    """The link of a pair whose two sides both hold what the merge decided (but the fields it held back)."""
    jde_state = pair.result.jde
    jde, zoho = jde_state.values(), pair.result.zoho.values()
    if pair.held and pair.link is not None:
        # Held-back fields keep their base on the Zoho side only: JDE's snapshot takes what JDE holds, so
        # only Zoho's change is seen again (JDE's value lost the merge; seen as changed again, it would win
        # the next merge whenever JDE's record is dated later).
        _keep_base(pair.held, pair.link.zoho_snapshot, zoho)
    return Link(
        entity=entity,
        jde_key=pair.jde_key,
        zoho_id=pair.zoho_id,
        jde_snapshot=jde,
        zoho_snapshot=zoho,
        email=str(getattr(jde_state, "email", "")),
        tax_id=str(getattr(jde_state, "tax_id", "")),
        jde_updated_at=pair.jde_updated_at,
        zoho_modified_at=pair.zoho_modified_at,
        synced_at=now,
    )


def _partly_synced(pair: Pair, link: Link) -> Link:
    """The link of a pair left half done: what both sides hold now is synced, the rest keeps its base.

    A write that landed (JDE's, when Zoho then refused the record) must not pass, at the next run, for an
    edit made on that side: dated by the record's next change, it would win over a newer edit of the same
    field on the other side. Every field both sides now hold as the merge decided is therefore synced; the
    fields the failed side was still to receive keep the link's old values, so their change is still seen
    (and a JDE write whose outcome is unknown stays journaled: see :func:`_owed_journal`).
    """
    unsynced: set[str] = set()
    if not pair.jde_ok:
        unsynced.update(pair.result.to_jde)
    if not pair.zoho_ok:
        unsynced.update(pair.result.to_zoho)
    jde, zoho = pair.result.jde.values(), pair.result.zoho.values()
    _keep_base(unsynced, link.jde_snapshot, jde)
    _keep_base(unsynced | pair.held, link.zoho_snapshot, zoho)
    return attrs.evolve(link, jde_snapshot=jde, zoho_snapshot=zoho, pending=_owed_journal(pair))


def _keep_base(names: Collection[str], before: Mapping[str, object], snapshot: dict[str, object]) -> None:
    """Give ``names`` back their old values in a new snapshot (or drop them where it had none)."""
    for name in names:
        if name in before:
            snapshot[name] = before[name]
        else:
            snapshot.pop(name, None)


def _owed_journal(pair: Pair) -> PendingWrite | None:
    """The write journal a half-done pair's link keeps: the writes whose outcome is unknown.

    A call that raised the system error stopping the run (a timeout, a reset, a server error) may have
    landed all the same: journaled, it is taken as synced wherever its target turns out to hold it. A write
    refused or never sent is not journaled (a value the target holds by then is someone's edit).
    """
    result = pair.result
    to_jde = frozenset(result.to_jde) if not pair.jde_ok and pair.jde_unknown else frozenset()
    to_zoho = frozenset(result.to_zoho) if not pair.zoho_ok and pair.zoho_unknown else frozenset()
    if not to_jde and not to_zoho:
        return None
    return PendingWrite(
        jde_snapshot=result.jde.values(), zoho_snapshot=result.zoho.values(), to_jde=to_jde, to_zoho=to_zoho
    )


def apply_pairs(
    context: RunContext, checkpoint: Checkpoint, pairs: Sequence[Pair], mapping: MappingContext
) -> None:
    """Write each pair's two sides as decided, record links, and commit the batch.

    Raises:
        SdkError: A system-level error that stopped the JDE or the Zoho writes (after what landed was
            committed; a write whose outcome is unknown stays journaled on its link).
    """
    checkpoint.journal(
        [
            (pair.link, _pending(pair.result))
            for pair in pairs
            if pair.link is not None and not (pair.jde_ok and pair.zoho_ok)
        ]
    )
    stop = _jde_phase(context, checkpoint, pairs, mapping)
    zoho_stop = _zoho_phase(context, checkpoint, pairs, mapping)
    _links(context, checkpoint, pairs)
    checkpoint.commit()
    stopped_by = stop or zoho_stop
    if stopped_by is not None:
        raise stopped_by


def _pending(result: MergeResult[Canonical]) -> PendingWrite:
    return PendingWrite(
        jde_snapshot=result.jde.values(),
        zoho_snapshot=result.zoho.values(),
        to_jde=frozenset(result.to_jde),
        to_zoho=frozenset(result.to_zoho),
    )


def plan_pairs(context: RunContext, checkpoint: Checkpoint, pairs: Sequence[Pair]) -> None:
    """Record, without writing, what :func:`apply_pairs` would write (a dry run), as the run would audit it.

    Each side to be written is a create or an update; two records found to be one are also a link, counted
    under the direction that found them. A pair both of whose sides exist leaves the link the run would
    record in :attr:`RunContext.planned_links`, for the dry run's JDE -> Zoho phase to read.
    """
    entity = checkpoint.entity
    now = context.clock()
    module = context.mapper.zoho_identity(entity).module
    for pair in pairs:
        if pair.jde_key and pair.zoho_id:
            context.planned_links[(entity, pair.jde_key)] = _synced_link(entity, pair, now)
        elif entity is not Entity.CONTACT:
            # A parent the run would create first: its contacts can be planned too (its key is not known).
            if pair.zoho_id:
                context.pending_jde_parents[(module, pair.zoho_id)] = 0
            else:
                context.pending_parents[int(pair.jde_key)] = (module, "")
        sides = (
            (Direction.ZOHO_TO_JDE, pair.jde_key, pair.jde_before, pair.result.jde, pair.result.to_jde),
            (Direction.JDE_TO_ZOHO, pair.zoho_id, pair.zoho_before, pair.result.zoho, pair.result.to_zoho),
        )
        for direction, key, before, after, fields in sides:
            if key and not fields:
                continue
            action = AuditAction.UPDATE if key else AuditAction.CREATE
            context.plan(
                entity,
                direction,
                action,
                old=before.values() if before is not None else None,
                new=after.values(),
                fields=fields if key else None,
                jde_key=pair.jde_key,
                zoho_id=pair.zoho_id,
                conflicts=pair.result.conflicts,
            )
            context.tally.add(entity, direction, **{_COUNTER[action]: 1})
        if pair.link is None and (pair.matched or (pair.zoho_id and not pair.result.to_zoho)):
            # Found on both sides (counted as linked), or a Zoho record that only learns its JDE key.
            direction = pair.origin if pair.matched else Direction.JDE_TO_ZOHO
            context.plan(
                entity,
                direction,
                AuditAction.LINK,
                old=None,
                new={},
                fields=frozenset(),
                jde_key=pair.jde_key,
                zoho_id=pair.zoho_id,
            )
            if pair.matched:
                context.tally.add(entity, direction, linked=1)
