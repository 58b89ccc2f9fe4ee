"""The emulator's data service: BROWSE over its tables, GRID_DATA pages, next-page links, result sets.

Shapes follow Oracle's examples: the form is keyed ``fs_DATABROWSE_<TABLE>`` with ``data.gridData``
(``id``, ``fullGridId``, ``columns``, ``rowset``, ``summary``); cells are keyed ``<TABLE>_<ALIAS>``;
numbers are JSON numbers with the column's decimals; dates are ``"YYYYMMDD"`` strings (a blank date is
``""``: UNCONFIRMED). With ``enableNextPageProcessing`` and more rows, the answer has
``links[{"rel": "next", "href": ".../jderest/v2/dataservice/next?...&token=..."}]``; an expired result set
answers HTTP 500 with ``sysErrors`` ``JAS_MSG347``. Without ``maxPageSize`` a page has 100 rows;
``"No Max"`` returns every row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlencode

import attrs

from jde_zoho_sdk.testing._ais_query import QueryError, compile_query
from jde_zoho_sdk.testing._ais_schema import Column, TableDef
from jde_zoho_sdk.testing._ais_sessions import EmulatedSession, ResultSet, SessionRegistry
from jde_zoho_sdk.testing._ais_store import StoredRow, Table, Tables

__all__ = ["DEFAULT_PAGE_SIZE", "RESULT_SET_EXPIRED", "DataService", "ServiceAnswer"]

DEFAULT_PAGE_SIZE: Final = 100
_MSG347: Final = "JAS_MSG347: The query results expired.  Refresh them by clicking Find again."
RESULT_SET_EXPIRED: Final = {"sysErrors": [{"TITLE": _MSG347, "DESC": _MSG347}]}


@attrs.frozen
class ServiceAnswer:
    """An answer of the data service: status and JSON body."""

    status: int
    body: Mapping[str, object]


def _cell(column: Column, value: object) -> object:
    if column.kind == "date":
        return f"{value.year:04d}{value.month:02d}{value.day:02d}" if isinstance(value, date) else ""
    if column.kind == "number":
        if isinstance(value, Decimal):
            # float's repr is the shortest text of the value: exact for the 15 digits of a JDE amount.
            return int(value) if column.decimals == 0 else float(value)
        return value
    return value


def _sorter(column: Column) -> Callable[[StoredRow], Any]:
    alias, default, sort_value = column.alias, column.default, column.sort_value
    return lambda row: sort_value(row.get(alias, default))


def _bad_request(message: str) -> ServiceAnswer:
    return ServiceAnswer(
        400, {"message": message, "exception": "com.oracle.e1.jdemf.JDERestServiceException"}
    )


class DataService:
    """BROWSE and next-page handling over the emulator's tables.

    Args:
        tables: The tables.
        registry: Sessions and result sets.
        clock: Aware "now".
        today: The server's local date.
        date_pattern: ``strptime`` pattern of the user's date format.
        may_read: Whether a user may read a table.
    """

    def __init__(
        self,
        tables: Tables,
        registry: SessionRegistry,
        *,
        clock: Callable[[], datetime],
        today: Callable[[], date],
        date_pattern: str,
        may_read: Callable[[str, str], bool],
    ) -> None:
        self.tables = tables
        self.registry = registry
        self.clock = clock
        self.today = today
        self.date_pattern = date_pattern
        self.may_read = may_read
        self.stack = 0

    def _refusal(self, body: Mapping[str, object], session: EmulatedSession) -> ServiceAnswer | None:
        name = body.get("targetName")
        problem = None
        if not isinstance(name, str) or name not in self.tables:
            problem = f"Invalid targetName {name!r}: no such table"
        elif body.get("targetType", "table") != "table":
            problem = "the emulator serves tables only (targetType table)"
        elif body.get("dataServiceType", "BROWSE") != "BROWSE":
            problem = "the emulator supports dataServiceType BROWSE only"
        elif body.get("outputType", "GRID_DATA") not in ("GRID_DATA", "", None):
            problem = "the emulator answers outputType GRID_DATA only"
        if problem:
            return _bad_request(problem)
        if not self.may_read(session.username, str(name)):
            return ServiceAnswer(
                403,
                {
                    "message": f"User {session.username} is not authorized to access {name}",
                    "exception": "com.oracle.e1.jdemf.SecurityException",
                    "timeStamp": self.clock().strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
            )
        return None

    def browse(self, body: Mapping[str, object], session: EmulatedSession, base_url: str) -> ServiceAnswer:
        """Answer ``POST /jderest/v2/dataservice``."""
        refusal = self._refusal(body, session)
        if refusal is not None:
            return refusal
        name = str(body["targetName"])
        table = self.tables.table(name)
        try:
            columns = self._columns(body.get("returnControlIDs"), table.definition)
            rows = self._rows(table, body, session)
            size = self._page_size(body.get("maxPageSize"))
        except QueryError as bad:
            return _bad_request(str(bad))
        size = size or max(len(rows), 1)
        first, rest = rows[:size], rows[size:]
        result = None
        if rest and body.get("enableNextPageProcessing") is True:
            now = self.clock()
            result = self.registry.keep(
                token=session.token, table=name, columns=columns, rows=rows, page_size=size, now=now
            )
        page = self._page(table.definition, columns, first, more=bool(rest), result=result, base_url=base_url)
        return ServiceAnswer(200, page)

    def next_page(self, params: Mapping[str, str], session: EmulatedSession, base_url: str) -> ServiceAnswer:
        """Answer ``POST|GET /jderest/v2/dataservice/next`` (parameters from the link's query string)."""
        result = self.registry.result_set(params.get("rid", ""), session.token, self.clock())
        if result is None:
            return ServiceAnswer(500, RESULT_SET_EXPIRED)
        start = result.position
        page = result.rows[start : start + result.page_size]
        result.position = start + len(page)
        result.state_id += 1
        more = result.position < len(result.rows)
        if not more:
            del self.registry.result_sets[result.rid]
        definition = self.tables.table(result.table).definition
        answer = self._page(
            definition, result.columns, page, more=more, result=result if more else None, base_url=base_url
        )
        return ServiceAnswer(200, answer)

    @staticmethod
    def _page_size(value: object) -> int | None:
        if value is None or value == "":
            return DEFAULT_PAGE_SIZE
        if isinstance(value, str) and value.strip().lower() == "no max":
            return None
        try:
            size = int(str(value))
        except ValueError:
            raise QueryError(f"maxPageSize {value!r} is not a number or 'No Max'") from None
        if size < 1:
            raise QueryError("maxPageSize must be at least 1")
        return size

    @staticmethod
    def _columns(value: object, definition: TableDef) -> tuple[str, ...]:
        if value is None or value == "":
            return tuple(definition.columns)
        if not isinstance(value, str):
            raise QueryError("returnControlIDs is a string such as F0101.AN8|F0101.ALPH")
        aliases = []
        for control in value.split("|"):
            table, _, alias = control.strip().rpartition(".")
            if (table and table != definition.name) or alias not in definition.columns:
                raise QueryError(f"returnControlIDs: {control} is not a column of {definition.name}")
            aliases.append(alias)
        return tuple(dict.fromkeys(aliases))

    def _rows(self, table: Table, body: Mapping[str, object], session: EmulatedSession) -> list[StoredRow]:
        definition = table.definition
        query = compile_query(
            body.get("query"),
            definition,
            date_pattern=self.date_pattern,
            today=self.today(),
            username=session.username,
        )
        candidates = None if query.hint is None else table.lookup(*query.hint)
        order = self._order(body.get("aggregation"), definition)
        keys = table.sorted_keys() if candidates is None else sorted(candidates, key=table.sort_key)
        rows = [row for key in keys if (row := table.rows.get(key)) is not None and query.predicate(row)]
        in_key_order = [a for a, _ in order] == list(definition.keys[: len(order)]) and not any(
            d for _, d in order
        )
        if not in_key_order:  # the rows are in key order already; other orders are sorted, last column first
            for alias, descending in reversed(order):
                rows.sort(key=_sorter(definition.columns[alias]), reverse=descending)
        return rows

    @staticmethod
    def _order(value: object, definition: TableDef) -> list[tuple[str, bool]]:
        if not isinstance(value, Mapping):
            return []
        order: list[tuple[str, bool]] = []
        for item in value.get("orderBy") or []:
            if not isinstance(item, Mapping):
                raise QueryError("orderBy items are {column, direction}")
            column = str(item.get("column", ""))
            table, _, alias = column.rpartition(".")
            alias = alias or str(item.get("alias", ""))
            if (table and table != definition.name) or alias not in definition.columns:
                raise QueryError(f"orderBy: {column} is not a column of {definition.name}")
            direction = str(item.get("direction", "ASC")).upper()
            if direction not in ("ASC", "DESC"):
                raise QueryError(f"orderBy direction {direction!r}: use ASC or DESC")
            order.append((alias, direction == "DESC"))
        return order

    def _page(
        self,
        definition: TableDef,
        columns: tuple[str, ...],
        rows: list[StoredRow],
        *,
        more: bool,
        result: ResultSet | None,
        base_url: str,
    ) -> Mapping[str, object]:
        name = definition.name
        spec = [(f"{name}_{alias}", alias, definition.columns[alias]) for alias in columns]
        rowset = [
            {key: _cell(column, row.get(alias, column.default)) for key, alias, column in spec}
            for row in rows
        ]
        self.stack += 1
        grid_id = result.grid_id if result else self.stack
        answer: dict[str, object] = {
            f"fs_DATABROWSE_{name}": {
                "title": f"Data Browser - {name} [{definition.title}]",
                "data": {
                    "gridData": {
                        "id": grid_id,
                        "fullGridId": str(grid_id),
                        "columns": {key: column.title for key, _, column in spec},
                        "rowset": rowset,
                        "summary": {"records": len(rowset), "moreRecords": more},
                    }
                },
                "errors": [],
                "warnings": [],
            },
            "stackId": self.stack,
            "stateId": result.state_id if result else 1,
            "rid": result.rid if result else "",
            "currentApp": f"DATABROWSE_{name}",
            "timeStamp": self.clock().strftime("%Y-%m-%d:%H.%M.%S"),
            "sysErrors": [],
        }
        if more and result is not None:
            query = urlencode(
                {
                    "stackId": self.stack,
                    "stateId": result.state_id,
                    "rid": result.rid,
                    "fullGridId": result.grid_id,
                    "formOID": name,
                    "token": result.token,
                    "outputType": "GRID_DATA",
                    "returnControlIDs": "|".join(f"{name}.{alias}" for alias in columns),
                },
                safe="|.",
            )
            answer["links"] = [{"rel": "next", "href": f"{base_url}/jderest/v2/dataservice/next?{query}"}]
        return answer
