"""What each recorded exchange was for: the call's system, purpose and target, read from the wire.

Purposes (the terms of the minimum formula in ``bench/README.md``):

- JDE: ``token``, ``logout``, ``orchestration``; browses are ``stream`` (a table's change stream),
  ``aggregate`` (rows of changed or linked address numbers, an ``AN8`` LIST), ``dedup`` (twins of Zoho-born
  records: ``TAX``/``EMAL`` LISTs, their candidates' search types, the e-mail lines of contacts' parents, or
  the one read of the address book's line-0 e-mails). Next pages take their chain's purpose.
- Zoho: ``token``, ``poll`` (a list page), ``fetch`` (by ids), ``deleted``, ``update``, ``upsert``,
  ``insert``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import attrs

from bench._wire import Exchange

__all__ = ["Call", "Condition", "classify"]


@attrs.frozen
class Condition:
    """One condition of a browse: column alias, operator, and its values."""

    column: str
    operator: str
    values: tuple[str, ...]


@attrs.frozen
class Call:
    """One exchange, understood.

    Attributes:
        system: ``"jde"`` or ``"zoho"``.
        purpose: What the call was for (see the module docstring).
        target: The table, module or orchestration.
        segment: The engine batch it belongs to.
        chain: For JDE browses, the page chain (first page and next pages share it); else "".
        first_page: Whether it opened its chain.
        conditions: A browse's conditions (first page only).
        rows: Rows (JDE) or records (Zoho) the answer carried, or the records a write sent.
        status: The HTTP status.
        at: The fake clock when it was sent.
    """

    system: str
    purpose: str
    target: str
    segment: int
    at: datetime
    chain: str = ""
    first_page: bool = True
    conditions: tuple[Condition, ...] = ()
    rows: int = 0
    status: int = 200

    def values(self, column: str) -> tuple[str, ...]:
        """The values of this browse's LIST condition on ``column`` (empty when it has none)."""
        for condition in self.conditions:
            if condition.column == column and condition.operator == "LIST":
                return condition.values
        return ()


def _json(raw: bytes) -> Mapping[str, object]:
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _conditions(query: object) -> Iterator[Condition]:
    if not isinstance(query, Mapping):
        return
    for item in query.get("condition") or ():
        if isinstance(item, Mapping):
            values = tuple(str(v.get("content")) for v in item.get("value") or () if isinstance(v, Mapping))
            column = str(item.get("controlId", "")).rpartition(".")[2]
            yield Condition(column, str(item.get("operator", "")), values)
    for nested in query.get("complexQuery") or ():
        if isinstance(nested, Mapping):
            yield from _conditions(nested.get("query"))


def _browse_purpose(conditions: Sequence[Condition]) -> str:
    columns = {c.column for c in conditions if c.operator == "LIST"}
    by_line = any(c.column == "IDLN" for c in conditions)
    if columns & {"TAX", "EMAL"} or {"AN8", "AT1"} <= columns:
        return "dedup"
    if by_line:  # the parents' who's who lines of Zoho-born contacts, or the address book's e-mails
        return "dedup"
    if "AN8" in columns:
        return "aggregate"
    return "stream"


def _grid_rows(answer: Mapping[str, object]) -> int:
    for key, form in answer.items():
        if key.startswith("fs_DATABROWSE_") and isinstance(form, Mapping):
            data = form.get("data")
            grid = data.get("gridData") if isinstance(data, Mapping) else None
            rowset = grid.get("rowset") if isinstance(grid, Mapping) else None
            return len(rowset) if isinstance(rowset, list) else 0
    return 0


def _jde(exchange: Exchange, chains: dict[str, tuple[str, str]]) -> Call:
    path = exchange.path
    plain = Call(
        system="jde", purpose="", target="", segment=exchange.segment, at=exchange.at, status=exchange.status
    )
    if path.endswith("/tokenrequest"):
        return attrs.evolve(plain, purpose="token")
    if path.endswith("/tokenrequest/logout"):
        return attrs.evolve(plain, purpose="logout")
    if "/orchestrator/" in path:
        return attrs.evolve(plain, purpose="orchestration", target=path.rpartition("/")[2])
    answer = _json(exchange.answer)
    rows = _grid_rows(answer)
    if path.endswith("/dataservice/next"):
        rid = parse_qs(urlsplit(exchange.url).query).get("rid", [""])[0]
        purpose, table = chains.get(rid, ("stream", "?"))
        return attrs.evolve(plain, purpose=purpose, target=table, chain=rid, first_page=False, rows=rows)
    body = _json(exchange.content)
    table = str(body.get("targetName", "?"))
    conditions = tuple(_conditions(body.get("query")))
    purpose = _browse_purpose(conditions)
    rid = str(answer.get("rid") or "")
    if rid:
        chains[rid] = (purpose, table)
    return attrs.evolve(plain, purpose=purpose, target=table, chain=rid, conditions=conditions, rows=rows)


def _zoho(exchange: Exchange) -> Call:
    parts = urlsplit(exchange.url)
    plain = Call(
        system="zoho", purpose="", target="", segment=exchange.segment, at=exchange.at, status=exchange.status
    )
    if parts.path.startswith("/oauth/"):
        return attrs.evolve(plain, purpose="token")
    rest = parts.path.split("/crm/", 1)[1].split("/", 1)[1]
    module, _, tail = rest.partition("/")
    if exchange.method == "GET":
        if tail == "deleted":
            purpose = "deleted"
        elif "ids" in parse_qs(parts.query):
            purpose = "fetch"
        else:
            purpose = "poll"
        info = _json(exchange.answer).get("info")
        count = info.get("count", 0) if isinstance(info, Mapping) else 0
        return attrs.evolve(plain, purpose=purpose, target=module, rows=int(str(count)))
    purpose = "update" if exchange.method == "PUT" else "upsert" if tail == "upsert" else "insert"
    data = _json(exchange.content).get("data")
    return attrs.evolve(
        plain, purpose=purpose, target=module, rows=len(data) if isinstance(data, list) else 0
    )


def classify(exchanges: Iterable[Exchange]) -> list[Call]:
    """Understand each exchange; JDE next pages are matched to the chain their first page opened."""
    chains: dict[str, tuple[str, str]] = {}
    return [_jde(e, chains) if e.system == "jde" else _zoho(e) for e in exchanges]
