"""AisClient: the one object users hold to talk to a JD Edwards AIS Server."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from types import TracebackType
from typing import Final, Self, TypeVar
from urllib.parse import urlsplit

import httpx

from jde_zoho_sdk._http import DEFAULT_TIMEOUT, CallStats, Requester, RetryPolicy
from jde_zoho_sdk._redact import get_logger, redact_text
from jde_zoho_sdk._urls import url_problem
from jde_zoho_sdk.jde._convert import DiscoveredOrchestration
from jde_zoho_sdk.jde.auth import JSON_HEADERS, AisAuth, AisCredentials, SessionInfo, SessionManager
from jde_zoho_sdk.jde.dataservice import Browse, OrderBy, browse_rows, make_context
from jde_zoho_sdk.jde.dates import zone
from jde_zoho_sdk.jde.errors import AisConfigError, AisError, error_from_response
from jde_zoho_sdk.jde.orchestrations import (
    InputFormat,
    OrchestrationResult,
    build_orchestration_body,
    orchestration_path,
    parse_discovery,
    parse_orchestration_answer,
)
from jde_zoho_sdk.jde.query import Condition, Query, changed_since
from jde_zoho_sdk.jde.rows import DEFAULT_DATE_COLUMNS, Row
from jde_zoho_sdk.jde.tables import TABLE_KEYS, TableRow

__all__ = ["AisClient"]

_log = get_logger(__name__)

M = TypeVar("M", bound=TableRow)

DEFAULT_LIST_CHUNK: Final = 100


@functools.lru_cache(maxsize=256)
def _orchestration_url(base_url: str, name: str) -> httpx.URL:
    # Parsed once: httpx parses a str URL on every request (half the cost of building one), and a sync runs
    # a few orchestrations thousands of times.
    return httpx.URL(base_url + orchestration_path(name))


def _base_url(url: str, *, allow_insecure_http: bool) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AisConfigError(
            f"the AIS base URL must be https://host:port, got {redact_text(url)!r}",
            path="ais.base_url",
            hint="give the AIS Server's address, such as https://ais.example.com:9300",
        )
    problem = url_problem(parts, allow_insecure_http=allow_insecure_http)
    if problem:
        raise AisConfigError(f"the AIS base URL is refused: {problem}", path="ais.base_url")
    path = parts.path.rstrip("/")
    path = path.removesuffix("/jderest")
    return f"{parts.scheme}://{parts.netloc}{path}"


class AisClient:
    """A client of the JD Edwards EnterpriseOne AIS Server REST API (``/jderest``).

    The session token is managed for you: requested on first use, renewed every ``refresh_every``,
    requested again once when AIS says it is invalid, and released by :meth:`close`. The client is
    thread-safe; threads share one session.

    Args:
        base_url: The AIS Server (``https://ais.example.com:9300``; a trailing ``/jderest`` is accepted).
        credentials: Who logs in.
        device_name: The device name the token is bound to.
        refresh_every: Age after which a session is replaced before the next call.
        timezone: IANA zone of the JDE *database server*, in which UPMJ/UPMT are stamped.
        http_client: An ``httpx.Client`` to use (you keep ownership and close it).
        transport: An httpx transport for the client this object creates (tests, emulators).
        timeout: Timeout of every request.
        retry: The retry policy (defaults to :class:`~jde_zoho_sdk.RetryPolicy`).
        verify: TLS verification: True, a CA bundle path or an ``ssl.SSLContext``.
        clock: Aware "now", for the session age (inject a fake clock in tests).
        list_chunk_size: The most values one LIST condition carries; longer lists are split.
        date_columns: Aliases whose row cells are ``YYYYMMDD`` dates.
        table_keys: Primary keys of tables beyond the built-in ones (``{"F55XYZ": ("KY1", "KY2")}``). A
            table without a known key is read as AIS returns it, but its broken page chains cannot resume.
        allow_insecure_http: Accept an ``http://`` base URL to another machine, which sends the password
            and session tokens unencrypted (``http://`` to a loopback address is always accepted).

    Raises:
        AisConfigError: The base URL (not http(s), plain http to another machine without
            ``allow_insecure_http``, or credentials inside it), zone, device name or chunk size is invalid.

    Example:
        >>> from jde_zoho_sdk.jde import AisClient, AisCredentials, Condition, Operator, Query
        >>> with AisClient("https://ais.example.com", AisCredentials("JDE", "pw")) as ais:  # doctest: +SKIP
        ...     for row in ais.browse("F0101", ["AN8", "ALPH"], where=Condition("AT1", Operator.EQUAL, "C")):
        ...         print(row["AN8"], row["ALPH"])
    """

    def __init__(
        self,
        base_url: str,
        credentials: AisCredentials,
        *,
        device_name: str = "jde-zoho-sdk",
        refresh_every: timedelta = timedelta(minutes=25),
        timezone: str | tzinfo = "UTC",
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        verify: ssl.SSLContext | str | bool = True,
        clock: Callable[[], datetime] | None = None,
        list_chunk_size: int = DEFAULT_LIST_CHUNK,
        date_columns: Iterable[str] = DEFAULT_DATE_COLUMNS,
        table_keys: Mapping[str, Sequence[str]] | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        self.base_url = _base_url(base_url, allow_insecure_http=allow_insecure_http)
        if not device_name.strip():
            raise AisConfigError(
                "must not be blank (AIS names the session's device by it)", path="ais.device_name"
            )
        try:
            self.timezone = zone(timezone)
        except ValueError as bad:
            raise AisConfigError(str(bad), path="ais.timezone") from None
        if list_chunk_size < 1:
            raise AisConfigError("must be at least 1", path="ais.list_chunk_size")
        if refresh_every <= timedelta(0):
            raise AisConfigError("must be positive", path="ais.refresh_every")
        self._requester = Requester(
            http_client=http_client, timeout=timeout, retry=retry, verify=verify, transport=transport
        )
        self._manager = SessionManager(
            self._requester,
            self.base_url,
            credentials,
            device_name=device_name,
            refresh_every=refresh_every,
            clock=clock,
        )
        self._auth = AisAuth(self._manager)
        self._context = make_context(self._requester, self._manager, self.base_url)
        self._chunk = list_chunk_size
        self._date_columns = frozenset(date_columns)
        self._closed = False
        self._keys: dict[str, tuple[str, ...]] = dict(TABLE_KEYS)
        self._keys.update((table, tuple(keys)) for table, keys in (table_keys or {}).items())

    # -- lifecycle -------------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Log the session out (when one is open) and close the HTTP client this object created."""
        if self._closed:
            return
        self._closed = True
        try:
            self._manager.close()
        finally:
            self._requester.close()

    def _check_open(self) -> None:
        if self._closed:
            raise AisError("the AisClient is closed", hint="open a new AisClient")

    @property
    def stats(self) -> CallStats:
        """Counts of the HTTP calls made (``ais.stats.snapshot()``)."""
        return self._requester.stats

    @property
    def logins(self) -> int:
        """Token requests made so far."""
        return self._manager.logins

    @property
    def session(self) -> SessionInfo:
        """Facts about the current session (user, environment, date format); opens one if none is open."""
        self._check_open()
        return self._manager.current().info

    # -- data service ----------------------------------------------------------------------------------

    def browse(
        self,
        table: str,
        columns: Sequence[str] | None = None,
        *,
        where: Condition | Query | None = None,
        page_size: int | None = 500,
        order_by: Sequence[str] | None = None,
    ) -> Iterator[Row]:
        """Read the rows of a table, streaming page by page.

        Args:
            table: The table (``"F0101"``).
            columns: Columns to return, as aliases (``"AN8"``) or qualified (``"F0101.AN8"``); None for all.
                The table's key columns are added when missing.
            where: A condition or a (nested) query.
            page_size: Rows per page (``maxPageSize``); None for ``"No Max"``.
            order_by: Columns to order by, ``"-AN8"`` for descending. Defaults to the table's key, which
                makes a broken page chain restartable without repeats or gaps.

        Returns:
            An iterator over the rows; requests are sent as it is consumed.

        Raises:
            AisConfigError: ``page_size`` is below 1; on iteration, a LIST split into requests that may
                return the same row, for a table whose key is unknown (see ``table_keys``).
            AisApiError: On iteration, when AIS refuses the query (see the subclasses), or the page chain
                of a table whose key is unknown breaks after rows were yielded.
            TransportError: On iteration, when AIS does not answer.

        Example:
            >>> rows = ais.browse(  # doctest: +SKIP
            ...     "F0101", ["AN8", "ALPH", "UPMJ"], where=ais.changed_since(last_run), page_size=200
            ... )
        """
        self._check_open()
        if page_size is not None and page_size < 1:
            raise AisConfigError("page_size must be at least 1 (or None for No Max)", path="page_size")
        if not table.strip():
            raise AisConfigError("a table name is required", path="table")
        query = Query.all(where) if isinstance(where, Condition) else where
        browse = Browse(
            table=table.strip(),
            columns=tuple(columns or ()),
            where=query,
            page_size=page_size,
            order_by=tuple(OrderBy.parse(column) for column in order_by or ()),
        )
        return browse_rows(
            self._context,
            browse,
            key_columns=self._keys.get(browse.table, ()),
            chunk_size=self._chunk,
            date_columns=self._date_columns,
        )

    def browse_as(
        self,
        model: type[M],
        *,
        where: Condition | Query | None = None,
        page_size: int | None = 500,
        order_by: Sequence[str] | None = None,
    ) -> Iterator[M]:
        """Read typed rows: ``ais.browse_as(F0101, where=...)`` yields :class:`~jde_zoho_sdk.jde.F0101`.

        Args:
            model: A table model of :mod:`jde_zoho_sdk.jde.tables`.
            where: A condition or a (nested) query.
            page_size: Rows per page; None for ``"No Max"``.
            order_by: As for :meth:`browse`.

        Returns:
            An iterator over the models (``updated_at`` read in the client's ``timezone``).

        Raises:
            AisConfigError: ``page_size`` is below 1.
            AisApiError: On iteration, when AIS refuses the query.
        """
        rows = self.browse(model.TABLE, model.columns(), where=where, page_size=page_size, order_by=order_by)
        where_zone = self.timezone
        return (model.from_row(row, where_zone) for row in rows)

    def changed_since(self, since: datetime, *, table: str | None = None) -> Query:
        """The query for rows stamped at or after ``since`` (UPMJ/UPMT read in the client's timezone).

        Args:
            since: An aware datetime.
            table: Qualify the columns with this table.

        Returns:
            ``UPMJ > d OR (UPMJ = d AND UPMT >= t)``, from one repeat earlier when ``since`` is in the first
            pass of a repeated autumn hour (see :func:`~jde_zoho_sdk.jde.changed_since`).

        Raises:
            ValueError: ``since`` is naive.
        """
        return changed_since(since, self.timezone, table=table)

    # -- orchestrations --------------------------------------------------------------------------------

    def run_orchestration(
        self,
        name: str,
        inputs: Mapping[str, object],
        *,
        input_format: InputFormat = "generic",
        idempotent: bool = False,
    ) -> OrchestrationResult:
        """Run a named orchestration (``POST /jderest/v3/orchestrator/{name}``).

        A call that may have reached AIS is not repeated after a network failure unless ``idempotent``
        says repeating it is harmless (an update keyed by AN8 is; a create without an external reference
        is not).

        Args:
            name: The orchestration.
            inputs: Its inputs.
            input_format: ``"generic"`` (flat JSON) or ``"jde_standard"`` (``inputs`` name/value list).
            idempotent: Whether the orchestration may safely run twice.

        Returns:
            Its outputs and timings.

        Raises:
            OrchestrationError: It answered ``jde__status: "ERROR"`` (form errors in ``form_errors``).
            AisApiError: Any other refusal or failure.

        Example:
            >>> result = ais.run_orchestration(  # doctest: +SKIP
            ...     "JZ_CreateCustomer", {"ExternalReference": "5725767000003000064", "AlphaName": "Acme"}
            ... )
            >>> result["AddressNumber"]  # doctest: +SKIP
            4242
        """
        self._check_open()
        request = self._requester.http.build_request(
            "POST",
            _orchestration_url(self.base_url, name),
            content=build_orchestration_body(inputs, input_format),
            headers=JSON_HEADERS,
        )
        response = self._requester.send(request, idempotent=idempotent, auth=self._auth)
        result = parse_orchestration_answer(name, response.status_code, response.content, response=response)
        _log.debug("orchestration %s: %s in %s s", name, result.status or "done", result.server_seconds)
        return result

    def discover(self, name: str | None = None) -> tuple[DiscoveredOrchestration, ...]:
        """List the orchestrations the user may run (``GET /jderest/discover``), or describe one.

        Args:
            name: One orchestration's name; None for all.

        Returns:
            The orchestrations with their inputs.

        Raises:
            AisApiError: AIS refused the call.
        """
        self._check_open()
        path = "/jderest/discover"
        if name is not None:
            path += "/" + orchestration_path(name).rpartition("/")[2]
        request = self._requester.http.build_request(
            "GET", self.base_url + path, headers={"Accept": "application/json"}
        )
        response = self._requester.send(request, idempotent=True, auth=self._auth)
        if response.status_code != 200:
            raise error_from_response(response, what="discover")
        return parse_discovery(response.content)
