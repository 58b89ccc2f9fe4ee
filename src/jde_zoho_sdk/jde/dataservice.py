"""BROWSE requests over ``POST /jderest/v2/dataservice`` and the page chains that stream their rows.

A browse asks for GRID_DATA with ``enableNextPageProcessing`` and follows ``links[rel=next]`` while
``moreRecords`` holds, one page in memory at a time. Rows are requested in key order (the table's primary
key, or the caller's order with the key appended), which makes a page chain restartable: when the open
result set expires (HTTP 500 ``JAS_MSG347``), its session is refused (the next link embeds the old
token) or the answer to a next-page request is lost after it was sent (a read timeout, a 502 or 504: the
link is a server-side cursor, so sending it again could skip a page), the query runs again from the last
key value yielded and the rows of that key value already yielded are skipped, so no row is repeated or
lost. When the order is not the key order, the query runs again from the start and every key already
yielded is skipped. A table whose key is unknown is read as AIS returns it, with nothing skipped; its page
chain is restarted only while no row has been yielded, and otherwise the failure is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import attrs
import httpx

from jde_zoho_sdk._http import NOT_APPLIED_STATUSES, NOT_SENT_ERRORS, Requester
from jde_zoho_sdk._redact import get_logger
from jde_zoho_sdk.errors import SdkError, TransportError
from jde_zoho_sdk.jde.auth import (
    JSON_HEADERS,
    SESSION_EXTENSION,
    AisAuth,
    PinnedAuth,
    Session,
    SessionManager,
    dumps,
)
from jde_zoho_sdk.jde.dates import DateFormat
from jde_zoho_sdk.jde.errors import (
    AisConfigError,
    AisUnexpectedResponseError,
    error_from_response,
    is_invalid_session,
    is_result_set_expired,
)
from jde_zoho_sdk.jde.query import Condition, Operator, Query, control_id, split_lists
from jde_zoho_sdk.jde.rows import Page, Row, parse_page

__all__ = ["Browse", "OrderBy", "browse_rows", "make_context"]

_log = get_logger(__name__)

NO_MAX: Final = "No Max"
MAX_FRUITLESS_RESTARTS: Final = 3
"""Restarts in a row that yield no new row before the browse gives up and raises."""


@attrs.frozen
class OrderBy:
    """One ``aggregation.orderBy`` item.

    Attributes:
        column: The column alias or qualified name.
        descending: Descending instead of ascending.
    """

    column: str
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> OrderBy:
        """``"AN8"`` ascending, ``"-AN8"`` descending (as the simple GET's ``$sort``)."""
        text = text.strip()
        if text.startswith("-"):
            return cls(text[1:].strip(), descending=True)
        return cls(text.lstrip("+").strip())

    @property
    def direction(self) -> str:
        """``"ASC"`` or ``"DESC"``."""
        return "DESC" if self.descending else "ASC"

    @property
    def alias(self) -> str:
        """The bare alias (``"AN8"``)."""
        return self.column.rpartition(".")[2]


def _alias(column: str) -> str:
    return column.strip().rpartition(".")[2]


@attrs.frozen(kw_only=True)
class Browse:
    """One BROWSE of a table: what to read and how (pure data; :meth:`to_wire` builds the request body).

    Attributes:
        table: The table (``"F0101"``).
        columns: Columns to return (aliases or qualified); empty for every column.
        where: The condition, if any.
        page_size: Rows per page; None for ``"No Max"``.
        order_by: The order.
    """

    table: str
    columns: tuple[str, ...] = ()
    where: Query | None = None
    page_size: int | None = 500
    order_by: tuple[OrderBy, ...] = ()

    def to_wire(self, date_format: DateFormat) -> dict[str, object]:
        """The data service request body (without credentials: the token travels in headers)."""
        body: dict[str, object] = {
            "targetName": self.table,
            "targetType": "table",
            "dataServiceType": "BROWSE",
            "outputType": "GRID_DATA",
            "findOnEntry": "TRUE",
            "maxPageSize": NO_MAX if self.page_size is None else str(self.page_size),
            "enableNextPageProcessing": True,
        }
        if self.columns:
            body["returnControlIDs"] = "|".join(control_id(column, self.table) for column in self.columns)
        if self.where is not None and self.where.items:
            body["query"] = self.where.to_wire(self.table, date_format)
        if self.order_by:
            body["aggregation"] = {
                "orderBy": [
                    {"column": control_id(order.column, self.table), "direction": order.direction}
                    for order in self.order_by
                ]
            }
        return body


class _RestartError(Exception):
    """The page chain broke in a way a new query can repair."""

    def __init__(self, error: SdkError) -> None:
        super().__init__(str(error))
        self.error = error


class _Context:
    """What a browse needs from its client."""

    def __init__(self, requester: Requester, manager: SessionManager, base_url: str) -> None:
        self.requester = requester
        self.manager = manager
        self.base = base_url
        self.auth = AisAuth(manager)


def _same_origin(href: str, base: str) -> str:
    # AIS writes next links with the host name and path it knows itself by; behind a proxy, load balancer
    # or API gateway that address may not be reachable from here, so the link is sent to the configured
    # base, keeping the base's path prefix (a gateway at https://gw/ais routes only what starts with /ais).
    # The part from /jderest/ on is AIS's own; what comes before it is the internal prefix, if any.
    link, ours = urlsplit(href), urlsplit(base)
    prefix = ours.path.rstrip("/")
    cut = link.path.rfind("/jderest/")
    if cut >= 0:
        path = prefix + link.path[cut:]
    elif prefix and link.path != prefix and not link.path.startswith(prefix + "/"):
        path = prefix + link.path
    else:
        path = link.path
    return urlunsplit((ours.scheme, ours.netloc, path, link.query, ""))


def _next_page_failed(requester: Requester, response: httpx.Response) -> bool:
    """Whether a next-page answer says the request may have moved the cursor without its page coming back."""
    status = response.status_code
    return status in requester.retry.retry_statuses and status not in NOT_APPLIED_STATUSES


def _pages(context: _Context, browse: Browse, date_columns: frozenset[str]) -> Iterator[Page]:
    manager, requester = context.manager, context.requester
    what = f"browse {browse.table}"
    session = manager.acquire()
    try:
        request = requester.http.build_request(
            "POST",
            f"{context.base}/jderest/v2/dataservice",
            content=dumps(browse.to_wire(session.info.date_format)),
            headers=JSON_HEADERS,
        )
        request.extensions[SESSION_EXTENSION] = session
        response = requester.send(request, idempotent=True, auth=context.auth)
        used = response.request.extensions.get(SESSION_EXTENSION)
        if isinstance(used, Session) and used is not session:  # renewed inside the auth flow
            manager.hold(used)
            manager.release(session)
            session = used
        if response.status_code != 200:
            error = error_from_response(response, what=what)
            if is_result_set_expired(response):
                raise _RestartError(error)
            raise error
        page = parse_page(response.content, browse.table, date_columns=date_columns, what=what)
        yield page
        while page.more_records:
            if not page.next_href:
                raise AisUnexpectedResponseError(f"{what}: moreRecords is true but there is no next link")
            request = requester.http.build_request(
                "POST", _same_origin(page.next_href, context.base), content=b"{}", headers=JSON_HEADERS
            )
            # A next link is a cursor on the server: once AIS has read a request for it, the same link
            # answers with the page after. So it is repeated only when it cannot have reached AIS (the
            # retry policy's rule for calls that are not idempotent), and a failure after sending runs
            # the query again from what was yielded instead.
            try:
                response = requester.send(request, idempotent=False, auth=PinnedAuth(session))
            except TransportError as lost:
                if isinstance(lost.__cause__, NOT_SENT_ERRORS):
                    raise
                raise _RestartError(lost) from lost
            if response.status_code != 200:
                error = error_from_response(response, what=what)
                if is_invalid_session(response):
                    manager.invalidate(session)
                    raise _RestartError(error)
                if is_result_set_expired(response) or _next_page_failed(requester, response):
                    raise _RestartError(error)
                raise error
            page = parse_page(response.content, browse.table, date_columns=date_columns, what=what)
            yield page
    finally:
        manager.release(session)


@attrs.frozen(kw_only=True)
class _Plan:
    key_columns: tuple[str, ...]
    order: tuple[OrderBy, ...]
    key_ordered: bool
    columns: tuple[str, ...]


def _plan(browse_columns: Sequence[str], order_by: Sequence[OrderBy], key_columns: Sequence[str]) -> _Plan:
    keys = tuple(key_columns)
    order = tuple(order_by)
    present = {o.alias for o in order}
    descending = bool(order) and order[-1].descending
    # The key completes any order, so that ties come back the same way every time.
    order = (*order, *(OrderBy(key, descending) for key in keys if key not in present))
    lead = order[: len(keys)]
    key_ordered = (
        bool(keys) and [o.alias for o in lead] == list(keys) and len({o.descending for o in lead}) == 1
    )
    columns = tuple(browse_columns)
    if columns:
        have = {_alias(column) for column in columns}
        columns = (*columns, *(key for key in keys if key not in have))
    return _Plan(key_columns=keys, order=order, key_ordered=key_ordered, columns=columns)


def browse_rows(
    context: _Context,
    browse: Browse,
    *,
    key_columns: Sequence[str],
    chunk_size: int,
    date_columns: frozenset[str],
) -> Iterator[Row]:
    """Stream the rows of ``browse``: LIST chunks one after the other, each page chain restartable.

    Args:
        context: The client's requester, session manager and base URL.
        browse: What to read.
        key_columns: The table's primary key. Empty when unknown: every row is then yielded as AIS returns
            it (rows are told apart only by their key, so none is skipped), and a broken page chain is run
            again only while no row has been yielded.
        chunk_size: The most values a LIST condition carries per request.
        date_columns: Aliases whose cells are dates.

    Yields:
        Each row once.

    Raises:
        AisConfigError: The LIST conditions split into requests that may return the same row, and the
            table's key is unknown, so repeats could not be told from distinct rows.
        AisApiError: AIS refused the query, or restarts did not get past a broken page chain, or the chain
            of a table without a known key broke after rows were yielded.
        TransportError: No answer came, even from a query run again.
    """
    plan = _plan(browse.columns, browse.order_by, key_columns)
    first = plan.order[0] if plan.order else None
    queries, overlap = split_lists(
        browse.where,
        chunk_size,
        order_column=first.alias if first else None,
        descending=first.descending if first else False,
    )
    if overlap and not plan.key_columns:
        raise AisConfigError(
            f"the LIST conditions of this browse of {browse.table} are split into requests that may return "
            "the same row, and without the table's key a repeat cannot be told from another row",
            path="table_keys",
            hint=f"give AisClient(table_keys={{{browse.table!r}: (...)}}) or a larger list_chunk_size",
        )
    seen: set[tuple[object, ...]] | None = set() if overlap else None
    for query in queries:
        piece = attrs.evolve(browse, where=query, columns=plan.columns, order_by=plan.order)
        yield from _restartable(context, piece, plan, seen, date_columns)


class _Progress:
    """What a restartable page chain has yielded, to skip it when the query runs again.

    In key order, every row before the current run of equal leading-key values has been yielded, so only
    the run's rows are remembered and the query resumes at the run's value; their keys are worked out only
    when the query does run again (every row of every browse passes here, and chains rarely break). In any
    other order, or when split LIST queries may overlap, every key yielded is remembered and the query runs
    again from the start. Without a key nothing is remembered: two rows may return the same cells, so
    only a key can say that a row was already yielded.
    """

    def __init__(self, plan: _Plan, seen: set[tuple[object, ...]] | None) -> None:
        self.keys = plan.key_columns
        self.lead = plan.order[0] if plan.key_ordered and plan.order else None
        self.lead_alias = self.lead.alias if self.lead is not None else ""
        self.seen = seen
        self.run_value: object = None
        self.run_rows: list[Row] = []
        self.skip: set[tuple[object, ...]] = set()
        self.all_keys: set[tuple[object, ...]] = set()
        self.count = 0
        self.admit: Callable[[Row], bool]
        if not self.keys:
            self.admit = self._admit_all
        elif self.lead is not None and seen is None:
            self.admit = self._admit_in_key_order
        else:
            self.admit = self._admit_by_key

    def _key(self, row: Row) -> tuple[object, ...]:
        return tuple(row.get(column) for column in self.keys)

    def _admit_all(self, _row: Row) -> bool:
        """Count ``row`` as yielded: without a key every row AIS returns is a row of the table."""
        self.count += 1
        return True

    def _admit_in_key_order(self, row: Row) -> bool:
        """Whether ``row`` is new (and count it as yielded), for a chain in key order."""
        value = row._values.get(self.lead_alias)  # one lookup per row read: no Row.get
        if value == self.run_value:
            if self.skip and self._key(row) in self.skip:
                return False
            self.run_rows.append(row)
        else:
            self.run_value, self.run_rows = value, [row]
            self.skip.clear()  # past the run the query resumed in: nothing more was yielded before
        self.count += 1
        return True

    def _admit_by_key(self, row: Row) -> bool:
        """Whether ``row`` is new (and count it as yielded), remembering keys."""
        key = self._key(row)
        if self.seen is not None and key in self.seen:
            return False
        if self.lead is not None:
            value = row.get(self.lead.alias)
            if value == self.run_value:
                if key in self.skip:
                    return False
            else:
                self.run_value, self.skip = value, set()
            self.skip.add(key)
        elif key in self.all_keys:
            return False
        else:
            self.all_keys.add(key)
        if self.seen is not None:
            self.seen.add(key)
        self.count += 1
        return True

    def resume(self, browse: Browse, error: SdkError) -> Browse:
        """The query that continues after what was yielded (raises ``error`` when there is none)."""
        if self.count == 0:
            return browse
        if not self.keys:
            why = (
                f"the browse of {browse.table} broke after {self.count} rows and cannot resume without the "
                f"table's key; give AisClient(table_keys={{{browse.table!r}: (...)}}) and read it again"
            )
            error.hint = f"{why}; {error.hint}" if error.hint else why
            raise error
        if self.lead is None:
            return browse
        value = self.run_value
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal | date):
            raise error  # a blank leading key cannot bound a query: restarting would repeat rows
        if self.seen is None:
            self.skip = {self._key(row) for row in self.run_rows}
        operator = Operator.LESS_EQUAL if self.lead.descending else Operator.GREATER_EQUAL
        bound = Condition(self.lead.column, operator, value)
        where = Query.all(browse.where, bound) if browse.where is not None else Query.all(bound)
        return attrs.evolve(browse, where=where)


def _restartable(
    context: _Context,
    browse: Browse,
    plan: _Plan,
    seen: set[tuple[object, ...]] | None,
    date_columns: frozenset[str],
) -> Iterator[Row]:
    progress = _Progress(plan, seen)
    current = browse
    fruitless = 0
    while True:
        before = progress.count
        try:
            for page in _pages(context, current, date_columns):
                for row in page.rows:
                    if progress.admit(row):
                        yield row
        except _RestartError as broken:
            fruitless = 0 if progress.count > before else fruitless + 1
            if fruitless > MAX_FRUITLESS_RESTARTS:
                raise broken.error from None
            current = progress.resume(browse, broken.error)
            _log.info(
                "browse %s: %s; running the query again after %d rows",
                browse.table,
                broken.error.message,
                progress.count,
            )
        else:
            return


def make_context(requester: Requester, manager: SessionManager, base_url: str) -> _Context:
    """The browse context of a client."""
    return _Context(requester, manager, base_url)
