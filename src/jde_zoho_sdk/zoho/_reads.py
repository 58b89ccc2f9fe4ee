"""The read methods of ZohoClient: iterate, fetch by id, search, deleted records, field metadata."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Final, Literal

from jde_zoho_sdk.zoho._convert import format_datetime
from jde_zoho_sdk.zoho._core import ClientCore, check_module
from jde_zoho_sdk.zoho._paging import iter_windows
from jde_zoho_sdk.zoho.models import DeletedRecord, FieldMeta, ZohoRecord
from jde_zoho_sdk.zoho.records import (
    MAX_FIELDS,
    MAX_PER_PAGE,
    Page,
    SortBy,
    SortOrder,
    parse_deleted,
    parse_fields,
    parse_page,
)

__all__ = ["RecordReads"]

_IDS_PER_CALL: Final = 100
_SEARCH_LIMIT: Final = 2000


class RecordReads(ClientCore):
    """Reading records (mixed into :class:`~jde_zoho_sdk.zoho.ZohoClient`)."""

    def iter_records(
        self,
        module: str,
        fields: Sequence[str],
        *,
        modified_since: datetime | None = None,
        sort_by: SortBy = "Modified_Time",
        sort_order: SortOrder = "asc",
        per_page: int = MAX_PER_PAGE,
    ) -> Iterator[ZohoRecord]:
        """Stream the records of a module, page by page, however many there are.

        Pages follow ``next_page_token`` (``page`` numbers, up to 2,000 records, only when Zoho gives no
        token), so records modified during the read do not shift the pages after them; past a token chain's
        100,000 records a read sorted by ``Modified_Time`` ascending (the default) goes on with a new chain
        from the last ``Modified_Time`` seen, so a full read of any size completes, each record once.

        Args:
            module: The module API name (``"Accounts"``).
            fields: Field API names to read (at most 50; ``id`` and ``Modified_Time`` always come).
            modified_since: Only records modified at or after this time (``If-Modified-Since``).
            sort_by: ``"Modified_Time"``, ``"Created_Time"`` or ``"id"``.
            sort_order: ``"asc"`` or ``"desc"``.
            per_page: Records per call (at most 200).

        Returns:
            An iterator of records; calls are made as it is consumed.

        Raises:
            ValueError: Bad module name, no fields or more than 50, or a bad page size.
            PaginationLimitError: Past 100,000 records when not sorted by ``Modified_Time`` ascending.
            ZohoError: Zoho refused a call (typed by its code).

        Example:
            >>> since = datetime(2024, 1, 1, tzinfo=UTC)  # doctest: +SKIP
            >>> fields = ["Account_Name", "JDE_Address_Number"]  # doctest: +SKIP
            >>> changed = list(zoho.iter_records("Accounts", fields, modified_since=since))  # doctest: +SKIP
        """
        check_module(module)
        wanted = list(dict.fromkeys([*fields, "Modified_Time"]))
        if not fields or len(wanted) > MAX_FIELDS:
            raise ValueError(f"ask for 1 to {MAX_FIELDS - 1} fields besides Modified_Time, got {len(fields)}")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be 1 to {MAX_PER_PAGE}, got {per_page}")
        params = {
            "fields": ",".join(wanted),
            "sort_by": sort_by,
            "sort_order": sort_order,
            "per_page": str(per_page),
        }

        def fetch(query: Mapping[str, str], since: datetime | None) -> Page | None:
            headers = {"If-Modified-Since": format_datetime(since)} if since is not None else None
            response = self._call("GET", module, params=query, headers=headers)
            if response.status_code in (204, 304):
                return None
            return parse_page(module, self._body(response, f"{module} list answer"))

        windowed = sort_by == "Modified_Time" and sort_order == "asc"
        return iter_windows(fetch, params, per_page=per_page, since=modified_since, windowed=windowed)

    def get_records(self, module: str, ids: Sequence[str], fields: Sequence[str]) -> list[ZohoRecord]:
        """Fetch records by id, 100 ids per call (calls run concurrently).

        Args:
            module: The module API name.
            ids: The record ids (duplicates are fetched once).
            fields: Field API names to read (1 to 49; ``Modified_Time`` is always added, and Zoho takes 50).
                Zoho's v8 specification requires them for every record list, by ids too; :meth:`get_record`
                reads one record whole.

        Returns:
            The records found, in the order of ``ids``; ids that do not exist (any more) are left out.

        Raises:
            ValueError: ``fields`` is empty or too long.
            ZohoError: Zoho refused a call.
        """
        check_module(module)
        wanted = list(dict.fromkeys([*fields, "Modified_Time"]))
        if not fields or len(wanted) > MAX_FIELDS:
            # Zoho requires them, at most 50 with Modified_Time; get_record reads every field of one record.
            raise ValueError(f"ask for 1 to {MAX_FIELDS - 1} fields besides Modified_Time, got {len(fields)}")
        unique = list(dict.fromkeys(str(record_id) for record_id in ids))
        chunks = [unique[start : start + _IDS_PER_CALL] for start in range(0, len(unique), _IDS_PER_CALL)]

        def fetch(chunk: list[str]) -> list[ZohoRecord]:
            params = {"ids": ",".join(chunk), "fields": ",".join(wanted)}
            response = self._call("GET", module, params=params)
            if response.status_code in (204, 304):
                return []
            return parse_page(module, self._body(response, f"{module} answer")).records

        found = {record.id: record for page in self._run_batches(fetch, chunks) for record in page}
        return [found[record_id] for record_id in unique if record_id in found]

    def get_record(self, module: str, record_id: str) -> ZohoRecord | None:
        """Fetch one record with all its fields (subforms included).

        Args:
            module: The module API name.
            record_id: The record id.

        Returns:
            The record, or None when there is none with that id.

        Raises:
            ZohoError: Zoho refused the call.
        """
        check_module(module)
        response = self._call("GET", f"{module}/{record_id}")
        if response.status_code in (204, 304):
            return None
        records = parse_page(module, self._body(response, f"{module} record")).records
        return records[0] if records else None

    def search(
        self,
        module: str,
        *,
        email: str | None = None,
        criteria: str | None = None,
        word: str | None = None,
    ) -> list[ZohoRecord]:
        """Search a module by e-mail, criteria or word (Zoho returns at most 2,000 matches).

        Zoho's search index lags behind writes by a little; for "does it exist yet" after a write, read by
        id or use an upsert's duplicate check instead.

        Args:
            module: The module API name.
            email: Match e-mail fields.
            criteria: Criteria such as ``((Tax_ID:equals:X)or(Email:equals:y))`` (see
                :func:`~jde_zoho_sdk.zoho.criterion`).
            word: Match any text field.

        Returns:
            The matching records.

        Raises:
            ValueError: Not exactly one of ``email``, ``criteria`` and ``word``.
            ZohoError: Zoho refused a call.
        """
        check_module(module)
        given = {"email": email, "criteria": criteria, "word": word}
        chosen = {key: value for key, value in given.items() if value is not None}
        if len(chosen) != 1:
            raise ValueError("give exactly one of email, criteria and word")
        results: list[ZohoRecord] = []
        page = 1
        while True:
            params = {**chosen, "page": str(page), "per_page": str(MAX_PER_PAGE)}
            response = self._call("GET", f"{module}/search", params=params)
            if response.status_code in (204, 304):
                return results
            found = parse_page(module, self._body(response, f"{module} search answer"))
            results.extend(found.records)
            if not found.info.more_records or page * MAX_PER_PAGE >= _SEARCH_LIMIT:
                return results
            page += 1

    def iter_deleted(
        self, module: str, since: datetime | None, *, kind: Literal["all", "recycle", "permanent"] = "all"
    ) -> Iterator[DeletedRecord]:
        """Stream the records deleted from a module (recycle bin and permanently deleted).

        Args:
            module: The module API name.
            since: Only deletions at or after this time (``If-Modified-Since``), or None for all.
            kind: ``"all"``, ``"recycle"`` or ``"permanent"``.

        Returns:
            An iterator of deleted-record entries.

        Raises:
            ZohoError: Zoho refused a call.
        """
        check_module(module)
        headers = {"If-Modified-Since": format_datetime(since)} if since is not None else None

        def pages() -> Iterator[DeletedRecord]:
            page = 1
            while True:
                params = {"type": kind, "page": str(page), "per_page": str(MAX_PER_PAGE)}
                response = self._call("GET", f"{module}/deleted", params=params, headers=headers)
                if response.status_code in (204, 304):
                    return
                entries, more = parse_deleted(module, self._body(response, f"deleted {module} answer"))
                yield from entries
                if not more:
                    return
                page += 1

        return pages()

    def fields(self, module: str) -> list[FieldMeta]:
        """The field metadata of a module (API names, types, lengths, uniqueness, picklist values).

        Args:
            module: The module API name.

        Returns:
            One entry per field.

        Raises:
            ZohoError: Zoho refused the call.
        """
        check_module(module)
        response = self._call("GET", "settings/fields", params={"module": module})
        return parse_fields(module, self._body(response, f"{module} fields answer"))
