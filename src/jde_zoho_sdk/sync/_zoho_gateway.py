"""What the engine asks of Zoho, in its own terms (entities), over :class:`~jde_zoho_sdk.zoho.ZohoClient`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import islice, takewhile

import attrs

from jde_zoho_sdk.sync.model import Entity
from jde_zoho_sdk.sync.protocols import Mapper
from jde_zoho_sdk.zoho import DeletedRecord, UpsertResult, ZohoClient, ZohoRecord

__all__ = ["ZohoGateway", "ZohoWrite"]


@attrs.frozen
class ZohoWrite:
    """One record to write to Zoho: an update when ``zoho_id`` is set, else a create (an upsert).

    Attributes:
        zoho_id: The record id ("" to create).
        values: Field values by API name (the JDE key field always among them).
        tag: The caller's handle for the record (returned untouched).
    """

    zoho_id: str
    values: dict[str, object]
    tag: object = None


class ZohoGateway:
    """Reads changes from and writes records to Zoho for the engine.

    Args:
        client: The Zoho client.
        mapper: Gives each entity's module, fields to read and duplicate check.
    """

    def __init__(self, client: ZohoClient, mapper: Mapper) -> None:
        self.client = client
        self.mapper = mapper

    def module(self, entity: Entity) -> str:
        """The Zoho module of ``entity``."""
        return self.mapper.zoho_identity(entity).module

    def poll(
        self, entity: Entity, since: datetime | None, batch_size: int, *, until: datetime | None = None
    ) -> Iterator[list[ZohoRecord]]:
        """Records of ``entity`` modified at or after ``since`` (all when None), oldest first, in batches.

        The read stops at the first record modified after ``until`` (in a later second: Zoho stamps whole
        seconds): what the caller writes back while it reads comes after that point, and reading it again
        would only find its own echo. The next poll starts from a cursor that does not pass ``until``, so
        nothing modified after it is skipped.
        """
        records: Iterator[ZohoRecord] = self.client.iter_records(
            self.module(entity),
            self.mapper.zoho_fields(entity),
            modified_since=since,
            sort_by="Modified_Time",
        )
        if until is not None:
            records = takewhile(
                lambda record: record.modified_time is None or record.modified_time <= until, records
            )
        while batch := list(islice(records, batch_size)):
            yield batch

    def fetch(self, entity: Entity, ids: Sequence[str]) -> list[ZohoRecord]:
        """The current records with these ids (missing ones left out)."""
        return self.client.get_records(self.module(entity), ids, fields=self.mapper.zoho_fields(entity))

    def deleted(self, entity: Entity, since: datetime | None) -> Iterator[DeletedRecord]:
        """Records of ``entity`` deleted at or after ``since``."""
        return self.client.iter_deleted(self.module(entity), since)

    def write(self, entity: Entity, writes: Sequence[ZohoWrite]) -> list[UpsertResult]:
        """Update records by id and create the others by upsert, one result per write in input order.

        Creates are upserts on the entity's duplicate check (JDE key, then tax id, then e-mail), so a
        record that already exists in Zoho is updated and linked, never twinned, and a repeated batch is
        harmless.
        """
        identity = self.mapper.zoho_identity(entity)
        updates = [(index, write) for index, write in enumerate(writes) if write.zoho_id]
        creates = [(index, write) for index, write in enumerate(writes) if not write.zoho_id]
        results: list[UpsertResult | None] = [None] * len(writes)
        if updates:
            answers = self.client.update(
                identity.module, [{**write.values, "id": write.zoho_id} for _, write in updates]
            )
            for (index, _), answer in zip(updates, answers, strict=True):
                results[index] = answer
        if creates:
            answers = self.client.upsert(
                identity.module,
                [write.values for _, write in creates],
                duplicate_check_fields=identity.duplicate_check_fields,
            )
            for (index, _), answer in zip(creates, answers, strict=True):
                results[index] = answer
        return [result for result in results if result is not None]
