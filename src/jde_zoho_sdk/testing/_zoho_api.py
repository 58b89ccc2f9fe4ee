"""The emulated records API: module routes, writes (insert, update, upsert) and the fields metadata."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from jde_zoho_sdk.testing._zoho_http import Answer, Change, Request, error
from jde_zoho_sdk.testing._zoho_reads import MAX_WRITE, ReadApi
from jde_zoho_sdk.testing._zoho_schema import field_json
from jde_zoho_sdk.testing._zoho_store import ModuleStore, Operation
from jde_zoho_sdk.testing._zoho_values import RecordRefusedError

__all__ = ["RecordsApi"]

_BAD_METHOD: Final = "The http request method type is not a valid one"


class RecordsApi(ReadApi):
    """Every records endpoint of one module, and the fields metadata (reads come from :class:`ReadApi`)."""

    def route(
        self, store: ModuleStore, request: Request, tail: str | None, since: int | None, now: int
    ) -> tuple[Answer, list[Change]]:
        """Answer ``/{module}`` or ``/{module}/{tail}`` and list the records it changed."""
        routes: dict[tuple[str, str | None], Callable[[], tuple[Answer, list[Change]]]] = {
            ("GET", None): lambda: (self.list_records(store, request, since), []),
            ("POST", None): lambda: self.write("insert", store, request, now),
            ("PUT", None): lambda: self.write("update", store, request, now),
            ("POST", "upsert"): lambda: self.write("upsert", store, request, now),
            ("GET", "search"): lambda: (self.search(store, request), []),
            ("GET", "deleted"): lambda: (self.deleted(store, request, since), []),
        }
        if tail is not None and tail.isdigit():
            routes[("GET", tail)] = lambda: (self.get_one(store, tail), [])
            routes[("PUT", tail)] = lambda: self.write("update", store, request, now, record_id=tail)
        handler = routes.get((request.method, tail))
        if handler is None:
            return error(400, "INVALID_REQUEST_METHOD", _BAD_METHOD), []
        return handler()

    def fields(self, request: Request) -> Answer:
        """``GET /settings/fields?module=...``."""
        module = request.query.get("module")
        if not module:
            return error(400, "REQUIRED_PARAM_MISSING", "required param is missing", param_name="module")
        store = self._stores.get(module)
        if store is None:
            return error(
                400, "INVALID_MODULE", "the module name given seems to be invalid", param_name="module"
            )
        base = 5725767000000003000 + 100 * list(self._stores).index(module)
        return Answer(
            200,
            {
                "fields": [
                    field_json(field, str(base + number))
                    for number, field in enumerate(store.fields.values())
                ]
            },
        )

    # -- writes --------------------------------------------------------------------------------------

    def write(
        self,
        operation: Operation,
        store: ModuleStore,
        request: Request,
        now: int,
        record_id: str | None = None,
    ) -> tuple[Answer, list[Change]]:
        """Insert, update or upsert up to 100 records; one result per record, in input order."""
        body = request.json
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(body, dict):
            return error(400, "INVALID_DATA", "the body is not a valid JSON object"), []
        if not isinstance(data, list) or not data:
            return error(
                400, "MANDATORY_NOT_FOUND", "required field not found", api_name="data", json_path="$.data"
            ), []
        if len(data) > MAX_WRITE:
            return error(400, "LIMIT_EXCEEDED", "limit exceeded", limit=MAX_WRITE, api_name="data"), []
        if record_id is not None:
            data = [{**item, "id": record_id} if isinstance(item, dict) else item for item in data]
        order = body.get("duplicate_check_fields") if operation == "upsert" else None
        order = order if isinstance(order, list) else []
        try:
            store.refuse_unknown_check_fields([str(name) for name in order])
        except RecordRefusedError as refused:
            return Answer(400, refused.envelope()), []
        results: list[dict[str, object]] = []
        done: dict[str, list[str]] = {"insert": [], "update": []}
        for index, raw in enumerate(data):
            try:
                element, action, changed = store.write(
                    operation, raw, [str(name) for name in order], index, now
                )
            except RecordRefusedError as refused:
                results.append(refused.envelope())
                continue
            results.append(element)
            done[action].append(str(changed))
        landed = len(done["insert"]) + len(done["update"])
        status = (
            (201 if operation == "insert" else 200) if landed == len(data) else 400 if landed == 0 else 207
        )
        changes = [Change(store.module, action, tuple(ids)) for action, ids in done.items() if ids]
        return Answer(status, {"data": results}), changes
