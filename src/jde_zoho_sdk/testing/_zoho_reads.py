"""Reads of the emulated records API: lists by ``page`` and ``page_token``, ids, one record, search, deleted.

Each handler takes the parsed request and returns an :class:`Answer`; the emulator holds its lock around
the call, so handlers see the stores without racing the writers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import islice
from typing import Final

import attrs

from jde_zoho_sdk.testing._zoho_criteria import CriteriaError, parse_criteria
from jde_zoho_sdk.testing._zoho_http import Answer, Refusal, Request, error, int_param, refuse
from jde_zoho_sdk.testing._zoho_store import Key, ModuleStore

__all__ = ["MAX_PER_PAGE", "MAX_WRITE", "ReadApi"]

_SORTS: Final = ("id", "Created_Time", "Modified_Time")
_MAX_FIELDS: Final = 50
MAX_PER_PAGE: Final = 200
MAX_WRITE: Final = 100
_SEARCH_LIMIT: Final = 2000
_TOKEN_TTL: Final = timedelta(hours=24)
_MAX_CHAINS: Final = 20_000


@attrs.frozen
class _ListQuery:
    fields: list[str]
    per_page: int
    sort_by: str
    sort_order: str
    since: int | None
    signature: tuple[object, ...]

    @classmethod
    def parse(cls, module: str, query: Mapping[str, str], since: int | None) -> _ListQuery:
        if not query.get("fields"):
            raise refuse(400, "REQUIRED_PARAM_MISSING", "required param is missing", param_name="fields")
        fields = [name for name in query["fields"].split(",") if name]
        if len(fields) > _MAX_FIELDS:
            raise refuse(400, "LIMIT_EXCEEDED", "limit exceeded", limit=_MAX_FIELDS, param_name="fields")
        per_page = int_param(query.get("per_page"), 200, 1, MAX_PER_PAGE, "per_page")
        sort_by, sort_order = query.get("sort_by", "id"), query.get("sort_order", "desc")
        if sort_by not in _SORTS or sort_order not in ("asc", "desc"):
            name = "sort_by" if sort_by not in _SORTS else "sort_order"
            raise refuse(400, "INVALID_DATA", "invalid data", param_name=name)
        if "page" in query and "page_token" in query:
            ambiguity = [{"param_name": "page"}, {"param_name": "page_token"}]
            raise refuse(
                400, "AMBIGUITY_DURING_PROCESSING", "ambiguity while processing", ambiguity_due_to=ambiguity
            )
        # A page token is bound to the parameters of the call that issued it.
        signature = (module, tuple(fields), sort_by, sort_order, since)
        return cls(fields, per_page, sort_by, sort_order, since, signature)


@attrs.define
class _Chain:
    signature: tuple[object, ...]
    last_key: Key
    served: int
    expires: datetime


class ReadApi:
    """The read endpoints over the emulator's stores.

    Args:
        stores: The module stores.
        clock: The emulator's clock.
        fmt: Formats a datetime in the org's zone.
        page_token_reach: Records one ``page_token`` chain reaches.
        discrete_page_limit: Records reachable with ``page``.
    """

    def __init__(
        self,
        stores: Mapping[str, ModuleStore],
        *,
        clock: Callable[[], datetime],
        fmt: Callable[[datetime], str],
        page_token_reach: int,
        discrete_page_limit: int,
    ) -> None:
        self._stores = stores
        self._clock = clock
        self._fmt = fmt
        self.page_token_reach = page_token_reach
        self.discrete_page_limit = discrete_page_limit
        self._chains: dict[str, _Chain] = {}

    def store(self, module: str) -> ModuleStore | None:
        """The store of ``module``, or None when the module does not exist."""
        return self._stores.get(module)

    # -- reads ---------------------------------------------------------------------------------------

    def list_records(self, store: ModuleStore, request: Request, since: int | None) -> Answer:
        """``GET /{module}``: by ``ids``, or a page by ``page`` or ``page_token``."""
        query = request.query
        if query.get("ids"):
            return self._by_ids(store, query["ids"].split(","), query.get("fields"))
        try:
            spec = _ListQuery.parse(store.module, query, since)
            if "page_token" in query:
                ids, take, before, page = self._by_token(store, spec, query["page_token"])
            else:
                ids, take, before, page = self._by_page(store, spec, query.get("page"))
        except Refusal as refusal:
            return refusal.answer
        if not ids:
            return Answer(304 if since is not None and before == 0 else 204)
        more = len(ids) > take
        ids = ids[:take]
        token = (
            self._chain(spec.signature, store.key(ids[-1], spec.sort_by), before + len(ids)) if more else None
        )
        info = {
            "call": False,
            "per_page": spec.per_page,
            "next_page_token": token,
            "count": len(ids),
            "sort_by": spec.sort_by,
            "page": page,
            "previous_page_token": None,
            "page_token_expiry": self._fmt(self._clock() + _TOKEN_TTL) if token else None,
            "sort_order": spec.sort_order,
            "email": False,
            "more_records": more,
        }
        return Answer(
            200, {"data": [store.render(record_id, spec.fields) for record_id in ids], "info": info}
        )

    def _by_token(self, store: ModuleStore, spec: _ListQuery, token: str) -> tuple[list[int], int, int, int]:
        chain = self._chains.get(token)
        if chain is None:
            raise refuse(400, "INVALID_DATA", "invalid data", param_name="page_token")
        if self._clock() >= chain.expires:
            raise refuse(400, "EXPIRED_VALUE", "the page token has expired", param_name="page_token")
        if chain.signature != spec.signature:
            raise refuse(
                400, "TOKEN_BOUND_DATA_MISMATCH", "token bound data mismatch", param_name="page_token"
            )
        if chain.served >= self.page_token_reach:
            message = f"You can only get upto {self.page_token_reach} records using page_token param"
            raise refuse(400, "PAGINATION_LIMIT_EXCEEDED", message, param_name="page_token")
        take = min(spec.per_page, self.page_token_reach - chain.served)
        ids = list(islice(store.scan(spec.sort_by, spec.sort_order, spec.since, chain.last_key), take + 1))
        return ids, take, chain.served, chain.served // spec.per_page + 1

    def _by_page(
        self, store: ModuleStore, spec: _ListQuery, text: str | None
    ) -> tuple[list[int], int, int, int]:
        page = int_param(text, 1, 1, None, "page")
        if page * spec.per_page > self.discrete_page_limit:
            limit = self.discrete_page_limit
            message = f"You can only get the first {limit} records without using page_token param"
            raise refuse(400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED", message, limit=limit)
        take, before = spec.per_page, (page - 1) * spec.per_page
        ids = list(
            islice(store.scan(spec.sort_by, spec.sort_order, spec.since, None), before, before + take + 1)
        )
        return ids, take, before, page

    def _chain(self, signature: tuple[object, ...], last_key: Key, served: int) -> str:
        if len(self._chains) >= _MAX_CHAINS:
            self._chains.pop(next(iter(self._chains)))
        token = secrets.token_hex(16)
        self._chains[token] = _Chain(signature, last_key, served, self._clock() + _TOKEN_TTL)
        return token

    def _by_ids(self, store: ModuleStore, ids: Sequence[str], fields: str | None) -> Answer:
        if len(ids) > MAX_WRITE:
            return error(400, "LIMIT_EXCEEDED", "limit exceeded", limit=MAX_WRITE, param_name="ids")
        # The v8 specification (crm-oas getRecords) marks fields required with ids= too; the v7 pages say
        # "when fetching all records". The stricter reading is taken: a client that passes here passes there.
        wanted = [name for name in (fields or "").split(",") if name]
        if not wanted:
            return error(400, "REQUIRED_PARAM_MISSING", "required param is missing", param_name="fields")
        if len(wanted) > _MAX_FIELDS:
            return error(400, "LIMIT_EXCEEDED", "limit exceeded", limit=_MAX_FIELDS, param_name="fields")
        found = [int(text) for text in dict.fromkeys(ids) if text.isdigit() and int(text) in store.records]
        if not found:
            return Answer(204)
        data = [store.render(record_id, wanted) for record_id in found]
        return Answer(
            200,
            {
                "data": data,
                "info": {"per_page": MAX_WRITE, "count": len(data), "page": 1, "more_records": False},
            },
        )

    def get_one(self, store: ModuleStore, record_id: str) -> Answer:
        """``GET /{module}/{id}``: every field; 204 when there is no such record (UNCONFIRMED)."""
        if not record_id.isdigit() or int(record_id) not in store.records:
            return Answer(204)
        return Answer(200, {"data": [store.render(int(record_id))]})

    def search(self, store: ModuleStore, request: Request) -> Answer:
        """``GET /{module}/search`` by ``criteria``, ``email``, ``phone`` or ``word`` (in that precedence)."""
        query = request.query
        try:
            per_page = int_param(query.get("per_page"), 200, 1, MAX_PER_PAGE, "per_page")
            page = int_param(query.get("page"), 1, 1, None, "page")
        except Refusal as refusal:
            return refusal.answer
        matches = self._matcher(store, query)
        if isinstance(matches, Answer):
            return matches
        if page * per_page > _SEARCH_LIMIT:
            return error(
                400, "LIMIT_REACHED", "search results are limited to 2000 records", limit=_SEARCH_LIMIT
            )
        hits = (
            record_id
            for record_id in store.scan("id", "asc", None, None)
            if matches(store.records[record_id])
        )
        ids = list(islice(hits, (page - 1) * per_page, page * per_page + 1))
        if not ids:
            return Answer(204)
        more = len(ids) > per_page
        data = [store.render(record_id) for record_id in ids[:per_page]]
        return Answer(
            200,
            {
                "data": data,
                "info": {"per_page": per_page, "count": len(data), "page": page, "more_records": more},
            },
        )

    def _matcher(
        self, store: ModuleStore, query: Mapping[str, str]
    ) -> Callable[[Mapping[str, object]], bool] | Answer:
        def value(record: Mapping[str, object], name: str) -> object:
            return record.get(name)

        if "criteria" in query:
            try:
                return parse_criteria(query["criteria"], value)
            except CriteriaError as problem:
                return error(400, "INVALID_QUERY", "invalid query formed", reason=str(problem))
        for key, kinds in (
            ("email", ("email",)),
            ("phone", ("phone",)),
            ("word", ("text", "textarea", "email", "phone")),
        ):
            if key not in query:
                continue
            wanted = query[key].casefold()
            if len(wanted) < 2:
                return error(
                    400, "INVALID_DATA", "the search text must hold at least 2 characters", param_name=key
                )
            names = [name for name, field in store.fields.items() if field.data_type in kinds]
            exact = key != "word"
            return lambda record: any(
                isinstance(record.get(name), str)
                and (
                    str(record[name]).casefold() == wanted
                    if exact
                    else wanted in str(record[name]).casefold()
                )
                for name in names
            )
        return error(400, "EXPECTED_PARAM_MISSING", "one of criteria, email, phone or word is expected")

    def deleted(self, store: ModuleStore, request: Request, since: int | None) -> Answer:
        """``GET /{module}/deleted``: recycle-bin entries, oldest first, ``If-Modified-Since`` honoured."""
        kind = request.query.get("type", "all")
        try:
            per_page = int_param(request.query.get("per_page"), 200, 1, MAX_PER_PAGE, "per_page")
            page = int_param(request.query.get("page"), 1, 1, None, "page")
        except Refusal as refusal:
            return refusal.answer
        entries: Iterator[Mapping[str, object]] = (
            entry
            for stamp, entry in store.deleted
            if (since is None or stamp >= since) and kind in ("all", entry["type"])
        )
        chosen = list(islice(entries, (page - 1) * per_page, page * per_page + 1))
        if not chosen:
            return Answer(204)
        data = chosen[:per_page]
        info = {
            "per_page": per_page,
            "count": len(data),
            "page": page,
            "more_records": len(chosen) > per_page,
        }
        return Answer(200, {"data": data, "info": info})
