"""How the sync's models map to SqliteStateStore's table rows, and back.

Each table has a column list (the order of a SELECT and of an INSERT's values) and a pair of functions:
``*_row`` turns a model into the parameters of an INSERT, ``*_from_row`` turns a fetched row into a model.
Enumerations are stored by value, datetimes and JSON as ``_sqlite_codec`` writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, cast

from jde_zoho_sdk._redact import Secret
from jde_zoho_sdk.sync._sqlite_codec import (
    StoredMapping,
    decode_mapping,
    decode_strings,
    decode_time,
    decode_time_or_none,
    encode_json,
    encode_strings,
    encode_time,
    encode_time_or_none,
)
from jde_zoho_sdk.sync.model import (
    AuditAction,
    AuditEvent,
    ChannelState,
    Direction,
    Entity,
    Failure,
    Link,
    Outcome,
    PendingWrite,
)

__all__ = [
    "AUDIT_COLUMNS",
    "CHANNEL_COLUMNS",
    "ENTITIES",
    "FAILURE_COLUMNS",
    "LINK_COLUMNS",
    "audit_from_row",
    "audit_row",
    "channel_from_row",
    "channel_row",
    "failure_from_row",
    "failure_row",
    "link_from_row",
    "link_row",
]

# Rows come from sqlite3 untyped (str for TEXT, int for INTEGER, None for NULL): the *_from_row functions
# take Sequence[Any] and rely on the schema's NOT NULL columns.
Row = Sequence[Any]

ENTITIES: Final = {entity.value: entity for entity in Entity}
"""Entity by stored value (a dict lookup is cheaper than the enum's constructor, per row)."""

LINK_COLUMNS: Final = (
    "entity, jde_key, zoho_id, jde_snapshot, zoho_snapshot, email, tax_id, "
    "jde_updated_at, zoho_modified_at, synced_at, deleted_in, deleted_at, pending"
)
"""The columns :func:`link_from_row` reads, in order (``email_match`` is written, never read)."""

AUDIT_COLUMNS: Final = (
    "audit_id, run_id, at, entity, direction, action, outcome, jde_key, zoho_id, fields, message"
)

FAILURE_COLUMNS: Final = (
    "failure_id, run_id, entity, direction, source_key, target_key, stage, error_code, message, payload, "
    "created_at, last_attempt_at, attempts, resolved_at, resolution"
)

CHANNEL_COLUMNS: Final = "channel_id, events, notify_url, token, expires_at"


def link_row(link: Link) -> tuple[str | None, ...]:
    """The parameters of an INSERT of ``link``: :data:`LINK_COLUMNS` with ``email_match`` after ``email``."""
    jde_snapshot = encode_json(link.jde_snapshot)
    # Both sides often hold the very same snapshot object: encode it once.
    same = link.zoho_snapshot is link.jde_snapshot
    return (
        Entity(link.entity).value,
        link.jde_key,
        link.zoho_id,
        jde_snapshot,
        jde_snapshot if same else encode_json(link.zoho_snapshot),
        link.email,
        link.email.lower(),
        link.tax_id,
        encode_time_or_none(link.jde_updated_at),
        encode_time_or_none(link.zoho_modified_at),
        encode_time(link.synced_at),
        link.deleted_in,
        encode_time_or_none(link.deleted_at),
        None if link.pending is None else _encode_pending(link.pending),
    )


def link_from_row(row: Row) -> Link:
    """The link of a row selected with :data:`LINK_COLUMNS` (further columns are ignored).

    Snapshots are decoded when first read (see :class:`StoredMapping`).
    """
    jde_snapshot = StoredMapping(row[3])
    return Link(
        entity=ENTITIES[row[0]],
        jde_key=row[1],
        zoho_id=row[2],
        jde_snapshot=jde_snapshot,
        # Both sides often hold the same text (link_row wrote one encoding twice): share one object.
        zoho_snapshot=jde_snapshot if row[4] == row[3] else StoredMapping(row[4]),
        email=row[5],
        tax_id=row[6],
        jde_updated_at=decode_time_or_none(row[7]),
        zoho_modified_at=decode_time_or_none(row[8]),
        synced_at=decode_time(row[9]),
        deleted_in=row[10],
        deleted_at=decode_time_or_none(row[11]),
        pending=None if row[12] is None else _decode_pending(row[12]),
    )


def _encode_pending(pending: PendingWrite) -> str:
    return encode_json(
        {
            "jde": pending.jde_snapshot,
            "zoho": pending.zoho_snapshot,
            "to_jde": sorted(pending.to_jde),
            "to_zoho": sorted(pending.to_zoho),
        }
    )


def _decode_pending(text: str) -> PendingWrite:
    found = decode_mapping(text)
    return PendingWrite(
        jde_snapshot=cast("dict[str, object]", found["jde"]),
        zoho_snapshot=cast("dict[str, object]", found["zoho"]),
        to_jde=frozenset(cast("list[str]", found["to_jde"])),
        to_zoho=frozenset(cast("list[str]", found["to_zoho"])),
    )


def audit_row(event: AuditEvent) -> tuple[str, ...]:
    """The parameters of an INSERT of ``event``, in :data:`AUDIT_COLUMNS` order."""
    return (
        event.audit_id,
        event.run_id,
        encode_time(event.at),
        Entity(event.entity).value,
        Direction(event.direction).value,
        AuditAction(event.action).value,
        Outcome(event.outcome).value,
        event.jde_key,
        event.zoho_id,
        encode_strings(event.fields),
        event.message,
    )


def audit_from_row(row: Row) -> AuditEvent:
    """The audit event of a row selected with :data:`AUDIT_COLUMNS`."""
    return AuditEvent(
        audit_id=row[0],
        run_id=row[1],
        at=decode_time(row[2]),
        entity=ENTITIES[row[3]],
        direction=Direction(row[4]),
        action=AuditAction(row[5]),
        outcome=Outcome(row[6]),
        jde_key=row[7],
        zoho_id=row[8],
        fields=decode_strings(row[9]),
        message=row[10],
    )


def failure_row(failure: Failure) -> tuple[str | int | None, ...]:
    """The parameters of an INSERT of ``failure``, in :data:`FAILURE_COLUMNS` order."""
    return (
        failure.failure_id,
        failure.run_id,
        Entity(failure.entity).value,
        Direction(failure.direction).value,
        failure.source_key,
        failure.target_key,
        failure.stage,
        failure.error_code,
        failure.message,
        encode_json(failure.payload),
        encode_time(failure.created_at),
        encode_time(failure.last_attempt_at),
        failure.attempts,
        encode_time_or_none(failure.resolved_at),
        failure.resolution,
    )


def failure_from_row(row: Row) -> Failure:
    """The failure of a row selected with :data:`FAILURE_COLUMNS` (further columns are ignored)."""
    return Failure(
        failure_id=row[0],
        run_id=row[1],
        entity=ENTITIES[row[2]],
        direction=Direction(row[3]),
        source_key=row[4],
        target_key=row[5],
        stage=row[6],
        error_code=row[7],
        message=row[8],
        payload=decode_mapping(row[9]),
        created_at=decode_time(row[10]),
        last_attempt_at=decode_time(row[11]),
        attempts=row[12],
        resolved_at=decode_time_or_none(row[13]),
        resolution=row[14],
    )


def channel_row(channel: ChannelState) -> tuple[str, ...]:
    """The parameters of an INSERT of ``channel``, in :data:`CHANNEL_COLUMNS` order.

    The token is stored revealed: the sync must compare it with what Zoho echoes, after a restart too. The
    database file is readable by its owner only.
    """
    return (
        channel.channel_id,
        encode_strings(channel.events),
        channel.notify_url,
        channel.token.reveal(),
        encode_time(channel.expires_at),
    )


def channel_from_row(row: Row) -> ChannelState:
    """The channel of a row selected with :data:`CHANNEL_COLUMNS`, its token wrapped in a Secret again."""
    return ChannelState(
        channel_id=row[0],
        events=decode_strings(row[1]),
        notify_url=row[2],
        token=Secret(row[3]),
        expires_at=decode_time(row[4]),
    )
