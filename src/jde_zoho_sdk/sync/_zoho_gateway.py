"""What the engine asks of Zoho, in its own terms (entities), over :class:`~jde_zoho_sdk.zoho.ZohoClient`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import islice, takewhile

import attrs

from jde_zoho_sdk.errors import SdkError
from jde_zoho_sdk.sync.model import Entity
from jde_zoho_sdk.sync.protocols import Mapper
from jde_zoho_sdk.zoho import DeletedRecord, PartialWriteError, UpsertResult, ZohoClient, ZohoRecord

__all__ = ["WriteStoppedError", "ZohoGateway", "ZohoWrite"]


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


class WriteStoppedError(SdkError):
    """A system error stopped a batch's Zoho writes after some of their calls had landed.

    Args:
        results: One entry per write, in input order: its result when its call landed, else None.
        unknown: Positions of the writes without a result that Zoho may have applied all the same (their
            call met a timeout, a server error or an unreadable answer); the others were refused whole or
            never sent.
        error: The system error, which stops the run.
    """

    def __init__(self, results: list[UpsertResult | None], unknown: frozenset[int], error: SdkError) -> None:
        super().__init__(str(error), hint=error.hint)
        self.results = results
        self.unknown = unknown
        self.error = error


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

        Raises:
            WriteStoppedError: A system error stopped the writes after some calls had landed (their
                results are kept, so the caller records them).
            SdkError: A system error before anything landed.
        """
        identity = self.mapper.zoho_identity(entity)
        updates = [(index, write) for index, write in enumerate(writes) if write.zoho_id]
        creates = [(index, write) for index, write in enumerate(writes) if not write.zoho_id]
        results: list[UpsertResult | None] = [None] * len(writes)
        try:
            if updates:
                answers = self.client.update(
                    identity.module, [{**write.values, "id": write.zoho_id} for _, write in updates]
                )
                _place(results, updates, answers)
            if creates:
                answers = self.client.upsert(
                    identity.module,
                    [write.values for _, write in creates],
                    duplicate_check_fields=identity.duplicate_check_fields,
                )
                _place(results, creates, answers)
        except PartialWriteError as partial:
            sent = updates if updates and partial.operation == "update" else creates
            _place(results, sent, partial.results)
            unknown = frozenset(sent[index][0] for index in partial.unknown)
            raise WriteStoppedError(results, unknown, partial.error) from partial.error
        except SdkError as error:
            if any(result is not None for result in results):  # the updates landed, the upsert did not
                # Creates carry no journal: whether they landed, the next run finds them by their JDE key.
                raise WriteStoppedError(results, frozenset(index for index, _ in creates), error) from error
            raise
        return [result for result in results if result is not None]


def _place(
    results: list[UpsertResult | None],
    sent: Sequence[tuple[int, ZohoWrite]],
    answers: Sequence[UpsertResult],
) -> None:
    """Put each answer at the position of its write (an answer's ``index`` is its place in ``sent``)."""
    for answer in answers:
        results[sent[answer.index][0]] = answer
