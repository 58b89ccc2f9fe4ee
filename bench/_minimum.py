"""The minimum formula of ``bench/README.md``, evaluated for one run and set against the calls made.

Each line is one (system, purpose, target): the calls the run made and the fewest the design allows. The
inputs are :class:`~bench._facts.Facts` (measured on the systems) and, for what one batch decides (the
records it writes, the values it must look up), the record counts carried by that batch's own calls: a
batch of 150 written records needs ``ceil(150 / 100)`` calls however the engine split them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from bench._calls import Call
from bench._facts import LIST_CHUNK, TOKEN_REACH, Facts
from jde_zoho_sdk.sync.config import SyncConfig

__all__ = [
    "AIS_SESSION",
    "ENTITY_TABLES",
    "ZOHO_PAGE",
    "ZOHO_TOKEN",
    "ZOHO_WRITE",
    "Line",
    "compare",
    "totals",
]

ZOHO_PAGE = 200
"""Records per Zoho list page (``per_page`` at most 200)."""
ZOHO_WRITE = 100
"""Records per Zoho insert/update/upsert call."""

ENTITY_TABLES = {
    "customer": ("F0101", "F03012", "F0116", "F01151", "F0115"),
    "supplier": ("F0101", "F0401", "F0116", "F01151", "F0115"),
    "contact": ("F0101", "F0111", "F01151", "F0115"),
}
"""The tables each entity's records are built from (F0101 tells a contact's parent's kind)."""


@attrs.frozen
class Line:
    """Calls made against the minimum for one (system, purpose, target)."""

    system: str
    purpose: str
    target: str
    made: int
    minimum: int

    @property
    def waste(self) -> int:
        """Calls beyond the minimum (negative: fewer than the formula, which the formula must explain)."""
        return self.made - self.minimum


def _pages(rows: int, size: int) -> int:
    return max(1, math.ceil(rows / size))


def _extra_pages(chains: Mapping[str, int], size: int) -> int:
    """Next pages the chains needed beyond their first (a chunk of 100 values rarely fills a page)."""
    return sum(_pages(rows, size) - 1 for rows in chains.values())


def _chunked(calls: Sequence[Call], labels: Mapping[int, str], purpose: str, page: int) -> dict[str, int]:
    """Per table: LIST chunks for the distinct values each batch looked up, plus the pages they filled."""
    values: dict[tuple[int, str, str], set[str]] = defaultdict(set)
    chains: dict[tuple[str, str], int] = defaultdict(int)
    minimum: dict[str, int] = defaultdict(int)
    scans: set[str] = set()
    wasted: set[str] = set()
    for call in calls:
        if call.system != "jde" or call.purpose != purpose:
            continue
        label = labels.get(call.segment, "")
        if purpose == "aggregate" and not label.startswith("pull:"):
            continue  # the JDE -> Zoho aggregate reads are counted from the facts
        chain = call.chain or str(id(call))
        if call.first_page and not any(c.operator == "LIST" for c in call.conditions):
            # The address book's e-mails, read whole: once a run, its first page included; another is waste.
            if scans:
                wasted.add(chain)
                continue
            scans.add(chain)
            minimum[call.target] += 1
        if chain in wasted:
            continue
        chains[(call.target, chain)] += call.rows
        if call.first_page:
            listed = [c for c in call.conditions if c.operator == "LIST" and c.column != "AT1"]
            for condition in listed:
                values[(call.segment, call.target, condition.column)].update(condition.values)
    for (segment, table, _), found in values.items():
        entity = labels.get(segment, "").partition(":")[2]
        if purpose == "aggregate" and table not in ENTITY_TABLES.get(entity, ()):
            continue  # a table this entity's records are not built from
        minimum[table] += math.ceil(len(found) / LIST_CHUNK)
    per_table: dict[str, dict[str, int]] = defaultdict(dict)
    for (table, chain), rows in chains.items():
        per_table[table][chain] = rows
    for table, table_chains in per_table.items():
        minimum[table] += _extra_pages(table_chains, page)
    return dict(minimum)


def _writes(calls: Sequence[Call]) -> dict[tuple[str, str], int]:
    """Per (kind, module): each batch's records in whole calls of 100."""
    records: dict[tuple[int, str, str], int] = defaultdict(int)
    for call in calls:
        if call.system == "zoho" and call.purpose in ("update", "upsert", "insert"):
            records[(call.segment, call.purpose, call.target)] += call.rows
    minimum: dict[tuple[str, str], int] = defaultdict(int)
    for (_, kind, module), count in records.items():
        minimum[(kind, module)] += math.ceil(count / ZOHO_WRITE)
    return dict(minimum)


RESULT_SET_TIMEOUT = timedelta(seconds=60)
"""How long AIS keeps a page chain's result set without a next-page request (jdbj.ini default)."""
AIS_SESSION = timedelta(minutes=25)
"""The AIS client's ``refresh_every``: a session older than this is replaced before the next call."""
ZOHO_TOKEN = timedelta(minutes=59)
"""A Zoho access token's life (``expires_in`` 3600 s) less the client's one-minute refresh margin."""


def _sessions(calls: Sequence[Call], system: str, life: timedelta) -> int:
    """Tokens a run of this length needs: one, and one more each time the last one ages out."""
    times = [call.at for call in calls if call.system == system]
    return 1 + (max(times) - min(times)) // life if times else 0


def _poll_pages(records: int, repeats: Sequence[int]) -> int:
    """A poll's pages: each chain's reach in full pages, the call refused past it, then the rest.

    After a chain's ``TOKEN_REACH`` records Zoho refuses the next page; the next chain starts at the last
    second seen and returns that second's records again (``repeats``).
    """
    pages = 0
    for again in repeats:
        pages += math.ceil(TOKEN_REACH / ZOHO_PAGE) + 1
        records += again - TOKEN_REACH
    return pages + _pages(records, ZOHO_PAGE)


def _expired_chains(calls: Sequence[Call]) -> dict[str, int]:
    """Per table, change-stream page chains AIS let expire, idle past its result-set timeout.

    A change stream waits, page chain open, while the streams before it in address-number order are
    worked through; AIS drops a result set idle for ``resultSetTimeout`` (60 s by default). The browse
    then costs the refused page and the query again from the last key: two calls.
    """
    last_seen: dict[str, datetime] = {}
    expired: dict[str, int] = defaultdict(int)
    for call in calls:
        if call.system != "jde" or call.purpose != "stream" or not call.chain:
            continue
        previous = last_seen.get(call.chain)
        if (
            not call.first_page
            and call.status == 500
            and previous
            and call.at - previous >= RESULT_SET_TIMEOUT
        ):
            expired[call.target] += 1
        last_seen[call.chain] = call.at
    return dict(expired)


def compare(calls: Sequence[Call], facts: Facts, labels: Mapping[int, str], config: SyncConfig) -> list[Line]:
    """Every (system, purpose, target) the run called or the formula needs, made against minimum."""
    page = config.jde_page_size
    logins = _sessions(calls, "jde", AIS_SESSION)
    minimum: dict[tuple[str, str, str], int] = {
        ("jde", "token", ""): logins,
        ("jde", "logout", ""): logins,  # each replaced session is released, and the last one at close
        ("zoho", "token", ""): _sessions(calls, "zoho", ZOHO_TOKEN),
    }
    for table, rows in facts.stream_rows.items():
        minimum[("jde", "stream", table)] = _pages(rows, page)
    for table, chunks in facts.aggregate_chunks.items():
        minimum[("jde", "aggregate", table)] = chunks
    for table, count in _chunked(calls, labels, "aggregate", page).items():
        key = ("jde", "aggregate", table)
        minimum[key] = minimum.get(key, 0) + count
    for table, count in _chunked(calls, labels, "dedup", page).items():
        minimum[("jde", "dedup", table)] = count
    for name, count in facts.orchestrations.items():
        minimum[("jde", "orchestration", name)] = count
    for module, records in facts.polled.items():
        minimum[("zoho", "poll", module)] = _poll_pages(records, facts.repeats.get(module, ()))
        minimum[("zoho", "deleted", module)] = 1
    for table, expired in _expired_chains(calls).items():
        minimum[("jde", "stream", table)] = minimum.get(("jde", "stream", table), 0) + 2 * expired
    for (kind, module), count in _writes(calls).items():
        minimum[("zoho", kind, module)] = count
    made: dict[tuple[str, str, str], int] = defaultdict(int)
    for call in calls:
        made[(call.system, call.purpose, call.target)] += 1
    keys = sorted(set(minimum) | set(made))
    return [Line(*key, made=made.get(key, 0), minimum=minimum.get(key, 0)) for key in keys]


def totals(lines: Iterable[Line]) -> dict[str, dict[str, int]]:
    """Made and minimum per system."""
    result: dict[str, dict[str, int]] = {}
    for line in lines:
        entry = result.setdefault(line.system, {"made": 0, "minimum": 0})
        entry["made"] += line.made
        entry["minimum"] += line.minimum
    return result
