"""Reading a whole module: ``page_token`` chains (``page`` numbers when no token comes), time windows beyond.

One ``page_token`` chain reaches 100,000 records (``PAGINATION_LIMIT_EXCEEDED`` after). A read sorted by
``Modified_Time`` ascending then starts a new chain with ``If-Modified-Since`` set to the last
``Modified_Time`` seen; records at that boundary second that were already yielded are skipped, so each
record comes once. The fetching is a function given by the client, which keeps this logic testable
without HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from jde_zoho_sdk._redact import get_logger
from jde_zoho_sdk.zoho.errors import PaginationLimitError, ZohoUnexpectedResponseError
from jde_zoho_sdk.zoho.models import ZohoRecord
from jde_zoho_sdk.zoho.records import DISCRETE_PAGE_LIMIT, Page

__all__ = ["FetchPage", "iter_windows"]

_log = get_logger(__name__)

FetchPage = Callable[[Mapping[str, str], datetime | None], Page | None]
"""Sends one list call (query parameters, ``If-Modified-Since``); None for 204/304 (nothing there)."""


def _chain(
    fetch: FetchPage, params: Mapping[str, str], per_page: int, since: datetime | None
) -> Iterator[ZohoRecord]:
    page = 1
    token: str | None = None
    while True:
        query = {**params, "page_token": token} if token is not None else {**params, "page": str(page)}
        result = fetch(query, since)
        if result is None:
            return
        yield from result.records
        if not result.info.more_records:
            return
        # Follow the token whenever Zoho gives one: a page number is an offset, and a record modified
        # during the read (by the caller's own writes, say) leaves the records after it one page short.
        token = result.info.next_page_token
        if token is None and (page + 1) * per_page <= DISCRETE_PAGE_LIMIT:
            page += 1
            continue
        if not token:
            raise ZohoUnexpectedResponseError(
                "Zoho says more records follow but gave no next_page_token to read past 2,000 records"
            )


def iter_windows(
    fetch: FetchPage,
    params: Mapping[str, str],
    *,
    per_page: int,
    since: datetime | None,
    windowed: bool,
) -> Iterator[ZohoRecord]:
    """Yield every record of a read, continuing in ``Modified_Time`` windows past a chain's reach.

    Args:
        fetch: Sends one list call.
        params: The query parameters common to every call (fields, sort, per_page).
        per_page: The page size in ``params``.
        since: Only records modified since then (``If-Modified-Since``), or None for all.
        windowed: Whether the read is sorted by ``Modified_Time`` ascending, which windows need.

    Yields:
        Each record once (for data that does not change during the read).

    Raises:
        PaginationLimitError: A chain's reach was passed and the read cannot continue in windows (not
            sorted by ``Modified_Time`` ascending, or more records share one second than a chain reaches).
    """
    seen_at_boundary: set[str] = set()
    while True:
        last_time: datetime | None = None
        ids_at_last: set[str] = set()
        try:
            for record in _chain(fetch, params, per_page, since):
                modified = record.modified_time
                if since is not None and modified == since and record.id in seen_at_boundary:
                    continue
                if modified != last_time:
                    last_time, ids_at_last = modified, set()
                ids_at_last.add(record.id)
                yield record
        except PaginationLimitError as error:
            if error.code != "PAGINATION_LIMIT_EXCEEDED" or not windowed:
                raise
            # A new window starts at the last second seen; when that is where this one started, the next
            # chain would return the same records again.
            if last_time is None or last_time == since:
                raise PaginationLimitError(
                    "more records share one Modified_Time than one page_token chain reaches; the read "
                    "cannot go on in time windows",
                    code=error.code,
                    status=error.status,
                    details=error.details,
                    hint="read this module with Bulk Read, or narrow the read with modified_since",
                ) from error
            seen_at_boundary = ids_at_last
            since = last_time
            _log.info("page_token reach passed; continuing with records modified since %s", since.isoformat())
        else:
            return
