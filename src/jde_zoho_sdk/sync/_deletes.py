"""Deletes: a record gone from one side marks its link deleted, and may flag its twin on the other side.

Nothing is ever deleted across systems. With flagging configured, the twin is marked (a Zoho field set by
``SyncConfig.flag_zoho_on_jde_delete``, a JDE orchestration named by ``OrchestrationNames.flag_deleted``).
A flag the target refuses is a failure of stage ``flag`` (source key: the deleted record's key), which
:meth:`~jde_zoho_sdk.sync.SyncEngine.replay` sends again; a system error stops the run like any write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import attrs

from jde_zoho_sdk.errors import SdkError, ValidationError
from jde_zoho_sdk.sync._context import Checkpoint, RunContext
from jde_zoho_sdk.sync._writes import is_record_error
from jde_zoho_sdk.sync._zoho_gateway import ZohoWrite
from jde_zoho_sdk.sync.model import AuditAction, Direction, Entity, Failure, Link, Outcome

__all__ = ["FLAG_STAGE", "mark_jde_deleted", "mark_zoho_deleted", "replay_flags"]

FLAG_STAGE = "flag"


def mark_jde_deleted(
    context: RunContext,
    entity: Entity,
    gone: Sequence[Link],
    *,
    message: str = "gone from JDE (found by reconcile); nothing deleted in Zoho",
    counted: Direction = Direction.JDE_TO_ZOHO,
    outcome: Outcome = Outcome.OK,
) -> None:
    """Mark the links of JDE records found gone deleted; flag their Zoho twins if configured.

    Reconcile finds them; so does a pull whose Zoho record's JDE twin is gone (``message``, ``counted``
    and ``outcome`` say so in the audit and the report).
    """
    if not gone:
        return
    context.tally.add(entity, counted, deleted=len(gone))
    if context.dry_run:
        return
    checkpoint = Checkpoint(context, entity, Direction.JDE_TO_ZOHO, records=len(gone))
    flagged = _flag_zoho(context, checkpoint, gone)
    for link in gone:
        checkpoint.link(attrs.evolve(link, deleted_in="jde", deleted_at=context.clock()))
        text = message
        audit_id = flagged.get(link.jde_key)
        if audit_id:
            text += f"; flagged in Zoho ({context.mapper.zoho_identity(entity).deleted_flag_field})"
        checkpoint.event(
            AuditAction.DELETE,
            jde_key=link.jde_key,
            zoho_id=link.zoho_id,
            audit_id=audit_id,
            message=text,
            outcome=outcome,
        )
    checkpoint.commit()


def mark_zoho_deleted(context: RunContext, entity: Entity, zoho_ids: Sequence[str]) -> None:
    """Mark the links of records deleted in Zoho deleted; run the JDE flag orchestration if configured."""
    if not zoho_ids:
        return
    links = context.store.get_links_by_zoho(entity, zoho_ids)
    live = [link for link in links.values() if not link.deleted]
    if not live:
        return
    checkpoint = Checkpoint(context, entity, Direction.ZOHO_TO_JDE, records=len(live))
    for link in live:
        context.tally.add(entity, Direction.ZOHO_TO_JDE, deleted=1)
        deleted = attrs.evolve(link, deleted_in="zoho", deleted_at=context.clock())
        if context.dry_run:
            # The dry run's JDE -> Zoho phase must see the link deleted, as the run's would: a JDE edit of
            # the record is then not planned as a write to a record Zoho no longer has.
            context.planned_links[(entity, link.jde_key)] = deleted
            continue
        checkpoint.link(deleted)
        message = "deleted in Zoho; nothing deleted in JDE (financial master data)"
        audit_id = _flag_jde(context, checkpoint, link)
        if audit_id:
            message += f"; flagged by {context.config.orchestrations.flag_deleted}"
        checkpoint.event(
            AuditAction.DELETE, jde_key=link.jde_key, zoho_id=link.zoho_id, audit_id=audit_id, message=message
        )
    checkpoint.commit()


def replay_flags(
    context: RunContext, entity: Entity, direction: Direction, failures: Sequence[Failure]
) -> None:
    """Send the flags of failures of stage ``flag`` again; each is resolved once its target takes it.

    A flag no longer wanted (flagging turned off, or the link no longer deleted on that side) is resolved
    as not needed.
    """
    checkpoint = Checkpoint(context, entity, direction, records=len(failures))
    keys = [failure.source_key for failure in failures]
    wanted: list[Link] = []
    flagged: dict[str, str] = {}
    if direction is Direction.JDE_TO_ZOHO and context.config.flag_zoho_on_jde_delete:
        found = context.store.get_links_by_jde(entity, keys)
        wanted = [link for link in found.values() if link.deleted_in == "jde"]
        flagged = _flag_zoho(context, checkpoint, wanted)
    elif direction is Direction.ZOHO_TO_JDE and context.config.orchestrations.flag_deleted:
        found = context.store.get_links_by_zoho(entity, keys)
        wanted = [link for link in found.values() if link.deleted_in == "zoho"]
        flagged = {
            link.zoho_id: audit_id for link in wanted if (audit_id := _flag_jde(context, checkpoint, link))
        }
    for link in wanted:
        key = link.jde_key if direction is Direction.JDE_TO_ZOHO else link.zoho_id
        if key in flagged:
            where = "Zoho" if direction is Direction.JDE_TO_ZOHO else "JDE"
            checkpoint.event(
                AuditAction.DELETE,
                jde_key=link.jde_key,
                zoho_id=link.zoho_id,
                audit_id=flagged[key],
                message=f"the deleted record's twin flagged in {where} (replayed)",
            )
            checkpoint.succeeded(key)
    checkpoint.commit()
    wanted_keys = {link.jde_key if direction is Direction.JDE_TO_ZOHO else link.zoho_id for link in wanted}
    not_needed = set(keys) - wanted_keys
    if not_needed:
        context.store.resolve_failures(
            entity, direction, not_needed, resolved_at=context.clock(), resolution="not needed"
        )


def _flag_zoho(context: RunContext, checkpoint: Checkpoint, links: Sequence[Link]) -> dict[str, str]:
    """Set the "deleted in JDE" field on the Zoho twins; the audit id stamped, by JDE key, of each taken."""
    identity = context.mapper.zoho_identity(checkpoint.entity)
    field = identity.deleted_flag_field if context.config.flag_zoho_on_jde_delete else ""
    if not field or not links:
        return {}
    writes: list[ZohoWrite] = []
    for link in links:
        values: dict[str, object] = {field: True}
        if identity.audit_field:
            values[identity.audit_field] = context.new_audit_id()
        writes.append(ZohoWrite(link.zoho_id, values, link))
    flagged: dict[str, str] = {}
    for write, result in zip(writes, context.zoho.write(checkpoint.entity, writes), strict=True):
        link = cast("Link", write.tag)
        if result.error is None:
            flagged[link.jde_key] = str(write.values.get(identity.audit_field) or context.new_audit_id())
        else:
            refused = ValidationError(result.error.message, code=result.error.code)
            checkpoint.fail(link.jde_key, FLAG_STAGE, refused, target_key=link.zoho_id)
    return flagged


def _flag_jde(context: RunContext, checkpoint: Checkpoint, link: Link) -> str:
    """Run the JDE flag orchestration for one link; its audit id, or "" when not configured or refused.

    Raises:
        SdkError: A system error (the run stops; the delete is seen again by the next run).
    """
    name = context.config.orchestrations.flag_deleted
    if not name:
        return ""
    audit_id = context.new_audit_id()
    try:
        context.jde.flag_deleted(name, checkpoint.entity, link.jde_key, audit_id=audit_id)
    except SdkError as error:
        if not is_record_error(error):
            raise
        checkpoint.fail(link.zoho_id, FLAG_STAGE, error, target_key=link.jde_key)
        return ""
    return audit_id
