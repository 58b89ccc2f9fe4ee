"""The write methods of ZohoClient: upsert, insert and update in concurrent batches of 100."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from jde_zoho_sdk._redact import get_logger
from jde_zoho_sdk.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    SdkError,
    ValidationError,
)
from jde_zoho_sdk.zoho._core import NOT_SENT, ClientCore, check_module
from jde_zoho_sdk.zoho._limits import MAX_WRITE_BATCH, write_cost
from jde_zoho_sdk.zoho.errors import CreditBudgetExceededError, PartialWriteError
from jde_zoho_sdk.zoho.models import UpsertResult, WriteAction
from jde_zoho_sdk.zoho.records import parse_write_results, write_body

__all__ = ["RecordWrites"]

_log = get_logger("jde_zoho_sdk.zoho.client")


# Failures that say Zoho refused a call whole, before applying any of it (the budget is the client's own).
_REFUSED_WHOLE = (
    RateLimitedError,
    AuthenticationError,
    PermissionDeniedError,
    ValidationError,
    NotFoundError,
    CreditBudgetExceededError,
)


class RecordWrites(ClientCore):
    """Writing records (mixed into :class:`~jde_zoho_sdk.zoho.ZohoClient`)."""

    def upsert(
        self,
        module: str,
        records: Sequence[Mapping[str, object]],
        *,
        duplicate_check_fields: Sequence[str],
        trigger: Sequence[str] = (),
    ) -> list[UpsertResult]:
        """Insert or update records, matched on ``duplicate_check_fields`` in the order given.

        Sent in calls of 100 records, run concurrently up to the client's limit. Upserts are retried
        like reads: a repeated upsert finds the record the first one wrote, so a retry never makes a twin.

        Args:
            module: The module API name.
            records: Field values by API name (lookups as ``{"id": ...}``, money as ``Decimal``).
            duplicate_check_fields: Fields matched in order (system duplicate fields and user-defined
                unique fields, such as ``["JDE_Address_Number", "Tax_ID", "Email"]``).
            trigger: Automations to run; none by default.

        Returns:
            One result per record, in input order: the action and id, or the error with its field.

        Raises:
            MappingError: A value cannot be sent (raised before any call).
            PartialWriteError: A call failed after other calls had landed; ``results`` holds the outcomes
                of the records that came back, ``failed`` and ``unsent`` the input indexes of the others.
            ZohoError: The first call failed and nothing landed (credits, authentication, module...).

        Example:
            >>> results = zoho.upsert(  # doctest: +SKIP
            ...     "Accounts",
            ...     [{"Account_Name": "Zylker", "JDE_Address_Number": "42", "Credit_Limit": Decimal("50")}],
            ...     duplicate_check_fields=["JDE_Address_Number", "Tax_ID", "Email"],
            ... )
            >>> [(result.action, result.id) for result in results]  # doctest: +SKIP
            [('insert', '5725767000000524001')]
        """
        return self._write(
            "upsert", module, records, duplicate_check_fields=tuple(duplicate_check_fields), trigger=trigger
        )

    def insert(
        self, module: str, records: Sequence[Mapping[str, object]], *, trigger: Sequence[str] = ()
    ) -> list[UpsertResult]:
        """Insert records (100 per call, concurrently). Not retried once Zoho may have applied them.

        Prefer :meth:`upsert` for anything that may be sent twice. When a later call fails, the ids of the
        records already created come back in :class:`~jde_zoho_sdk.zoho.PartialWriteError` ``results``:
        send only the others again.

        Args:
            module: The module API name.
            records: Field values by API name.
            trigger: Automations to run; none by default.

        Returns:
            One result per record, in input order.

        Raises:
            MappingError: A value cannot be sent (raised before any call).
            PartialWriteError: A call failed after other calls had landed; ``results`` holds the outcomes
                of the records that came back, ``failed`` and ``unsent`` the input indexes of the others.
            ZohoError: The first call failed and nothing landed.
        """
        return self._write("insert", module, records, trigger=trigger)

    def update(
        self, module: str, records: Sequence[Mapping[str, object]], *, trigger: Sequence[str] = ()
    ) -> list[UpsertResult]:
        """Update records by their ``id`` value (100 per call, concurrently).

        Args:
            module: The module API name.
            records: Field values by API name, each with ``"id"``.
            trigger: Automations to run; none by default.

        Returns:
            One result per record, in input order.

        Raises:
            MappingError: A value cannot be sent (raised before any call).
            PartialWriteError: A call failed after other calls had landed; ``results`` holds the outcomes
                of the records that came back, ``failed`` and ``unsent`` the input indexes of the others.
            ZohoError: The first call failed and nothing landed.
        """
        return self._write("update", module, records, trigger=trigger)

    def _write(
        self,
        kind: Literal["upsert", "insert", "update"],
        module: str,
        records: Sequence[Mapping[str, object]],
        *,
        trigger: Sequence[str],
        duplicate_check_fields: tuple[str, ...] | None = None,
    ) -> list[UpsertResult]:
        check_module(module)
        method, path = {
            "upsert": ("POST", f"{module}/upsert"),
            "insert": ("POST", module),
            "update": ("PUT", module),
        }[kind]
        action: WriteAction | None = None if kind == "upsert" else kind
        starts = range(0, len(records), MAX_WRITE_BATCH)
        bodies = [
            (
                start,
                len(records[start : start + MAX_WRITE_BATCH]),
                write_body(
                    module,
                    records[start : start + MAX_WRITE_BATCH],
                    trigger=trigger,
                    duplicate_check_fields=duplicate_check_fields,
                ),
            )
            for start in starts
        ]

        def send(batch: tuple[int, int, bytes]) -> list[UpsertResult]:
            start, count, body = batch
            response = self._call(
                method, path, body=body, idempotent=kind != "insert", cost=write_cost(count), batch=True
            )
            return parse_write_results(
                self._body(response, f"{module} {kind} answer"), start=start, count=count, action=action
            )

        outcomes = self._settle_batches(send, bodies)
        results: list[UpsertResult] = []
        failed: list[int] = []
        unsent: list[int] = []
        unknown: list[int] = []
        errors: list[Exception] = []
        for (start, count, _), outcome in zip(bodies, outcomes, strict=True):
            if isinstance(outcome, list):
                results.extend(outcome)
            elif outcome is NOT_SENT:
                unsent.extend(range(start, start + count))
            else:
                failed.extend(range(start, start + count))
                errors.append(outcome)
                if not isinstance(outcome, _REFUSED_WHOLE):
                    unknown.extend(range(start, start + count))
        landed = sum(result.ok for result in results)
        _log.info(
            "%s %s: %d records in %d calls, %d landed, %d refused, %d in failed calls, %d not sent",
            kind,
            module,
            len(records),
            len(bodies),
            landed,
            len(results) - landed,
            len(failed),
            len(unsent),
        )
        if not errors:
            return results
        error = errors[0]
        if not results or not isinstance(error, SdkError):
            raise error  # nothing landed that the caller could lose
        raise PartialWriteError(
            operation=kind,
            module=module,
            results=results,
            failed=failed,
            unsent=unsent,
            error=error,
            unknown=unknown,
        ) from error
