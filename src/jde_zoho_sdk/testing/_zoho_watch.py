"""Emulated notification channels (``/actions/watch``): enable, update, list, disable, and who to notify.

From Zoho's docs: a channel lives at most one week and becomes one hour when the expiry asked for is
missing or past that maximum; the callback body carries only ids, the operation and the channel token.
Retries of a failed delivery are not documented (UNCONFIRMED), so the emulator delivers once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

import attrs

from jde_zoho_sdk.testing._zoho_http import Answer, Change, Request, error
from jde_zoho_sdk.testing._zoho_notify import Job, callback_body

__all__ = ["WatchService"]

MAX_EXPIRY: Final = timedelta(weeks=1)
DEFAULT_EXPIRY: Final = timedelta(hours=1)
_OPERATIONS: Final = {"create": "insert", "edit": "update", "delete": "delete"}
_MODULE_IDS: Final = {
    "Accounts": "5725767000000002177",
    "Contacts": "5725767000000002179",
    "Vendors": "5725767000000002181",
}
_MAX_TOKEN: Final = 50
_IDS_PER_CALLBACK: Final = 100  # UNCONFIRMED: the most ids Zoho puts in one callback
_ENABLED: Final = "Successfully subscribed for actions-watch of the given module"


@attrs.define
class _Channel:
    channel_id: str
    operations: dict[str, set[str]]  # module -> {"insert", "update", "delete"}
    events: list[str]
    notify_url: str
    token: str | None
    expiry: datetime
    notify_on_related_action: bool = True


def _error(code: str, message: str, **details: object) -> dict[str, object]:
    return {"code": code, "details": details, "message": message, "status": "error"}


class _Invalid(Exception):  # noqa: N818 - a refusal carried to the answer, not an error of the emulator
    def __init__(self, element: dict[str, object]) -> None:
        super().__init__(element.get("code"))
        self.element = element


def _invalid(name: str, path: str, **details: object) -> _Invalid:
    return _Invalid(
        _error("INVALID_DATA", "invalid data", api_name=name, json_path=f"{path}.{name}", **details)
    )


class WatchService:
    """The org's channels.

    Args:
        modules: The modules that can be watched.
        clock: The emulator's clock.
        fmt: Formats a datetime in the org's zone.
        resource_uri: The API URI of a module (``{api_domain}/crm/v8/Accounts``).
    """

    def __init__(
        self,
        modules: Sequence[str],
        *,
        clock: Callable[[], datetime],
        fmt: Callable[[datetime], str],
        resource_uri: Callable[[str], str],
    ) -> None:
        self._modules = set(modules)
        self._clock = clock
        self._fmt = fmt
        self._uri = resource_uri
        self._lock = threading.Lock()
        self._channels: dict[str, _Channel] = {}

    def _parse(self, item: object, position: int, existing: _Channel | None) -> _Channel:
        path = f"$.watch[{position}]"
        if not isinstance(item, dict):
            raise _Invalid(
                _error("INVALID_DATA", "invalid data", json_path=path, expected_data_type="jsonobject")
            )
        raw_id = item.get("channel_id", existing.channel_id if existing else None)
        if raw_id is None:
            missing = _error(
                "MANDATORY_NOT_FOUND", "required field not found", api_name="channel_id", json_path=path
            )
            raise _Invalid(missing)
        events = item.get("events", existing.events if existing else None)
        operations: dict[str, set[str]] = {}
        for event in events if isinstance(events, list) and events else [None]:
            module, _, action = str(event).partition(".")
            if module not in self._modules or action not in (*_OPERATIONS, "all"):
                raise _invalid("events", path)
            chosen = set(_OPERATIONS.values()) if action == "all" else {_OPERATIONS[action]}
            operations.setdefault(module, set()).update(chosen)
        url = item.get("notify_url", existing.notify_url if existing else None)
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise _invalid("notify_url", path)
        token = item.get("token", existing.token if existing else None)
        if token is not None and (not isinstance(token, str) or len(token) > _MAX_TOKEN):
            raise _invalid("token", path, maximum_length=_MAX_TOKEN)
        expiry = self._expiry(item.get("channel_expiry"), existing)
        if expiry is None:
            raise _invalid("channel_expiry", path)
        related = item.get("notify_on_related_action", True) is True
        return _Channel(
            str(raw_id), operations, [str(event) for event in events or []], url, token, expiry, related
        )

    def _expiry(self, asked: object, existing: _Channel | None) -> datetime | None:
        now = self._clock()
        if asked is None:
            return existing.expiry if existing is not None else now + DEFAULT_EXPIRY
        try:
            when = datetime.fromisoformat(str(asked))
        except ValueError:
            return None
        if when.tzinfo is None or when <= now:
            return None  # UNCONFIRMED: the answer to an expiry in the past
        return when if when - now <= MAX_EXPIRY else now + DEFAULT_EXPIRY  # silently one hour, as documented

    def _confirmation(self, channel: _Channel) -> dict[str, object]:
        events = [
            {
                "channel_expiry": self._fmt(channel.expiry),
                "resource_uri": self._uri(module),
                "resource_id": _MODULE_IDS.get(module, "0"),
                "resource_name": module,
                "channel_id": channel.channel_id,
            }
            for module in channel.operations
        ]
        return {"code": "SUCCESS", "details": {"events": events}, "message": _ENABLED, "status": "success"}

    def write(self, method: str, body: object) -> tuple[int, dict[str, object]]:
        """Enable (POST), replace (PUT) or update (PATCH) channels; one result per ``watch`` item."""
        items = body.get("watch") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            return 400, _error(
                "MANDATORY_NOT_FOUND", "required field not found", api_name="watch", json_path="$.watch"
            )
        results: list[dict[str, object]] = []
        with self._lock:
            for position, item in enumerate(items):
                known = self._channels.get(str(item.get("channel_id"))) if isinstance(item, dict) else None
                if method != "POST" and known is None:
                    results.append(
                        _error("INVALID_DATA", "the given channel id is invalid", api_name="channel_id")
                    )
                    continue
                try:
                    parsed = self._parse(item, position, known if method == "PATCH" else None)
                except _Invalid as refused:
                    results.append(refused.element)
                    continue
                self._channels[parsed.channel_id] = parsed
                results.append(self._confirmation(parsed))
        return _status(results, 201 if method == "POST" else 200), {"watch": results}

    def listing(self, channel_id: str | None, module: str | None) -> tuple[int, dict[str, object] | None]:
        """``GET /actions/watch``: one entry per channel and module (204 when none)."""
        now = self._clock()
        with self._lock:
            live = [channel for channel in self._channels.values() if channel.expiry > now]
        entries = [
            {
                "notify_on_related_action": channel.notify_on_related_action,
                "channel_expiry": self._fmt(channel.expiry),
                "resource_uri": self._uri(name),
                "resource_id": _MODULE_IDS.get(name, "0"),
                "notify_url": channel.notify_url,
                "resource_name": name,
                "channel_id": channel.channel_id,
                "events": [event for event in channel.events if event.startswith(f"{name}.")],
                "token": channel.token,
                "return_affected_field_values": False,
                "fields": None,
                "notification_condition": None,
            }
            for channel in live
            for name in channel.operations
            if (channel_id is None or channel.channel_id == channel_id) and (module is None or name == module)
        ]
        if not entries:
            return 204, None
        info = {"per_page": 200, "count": len(entries), "page": 1, "more_records": False}
        return 200, {"watch": entries, "info": info}

    def disable(self, channel_ids: Sequence[str]) -> tuple[int, dict[str, object]]:
        """``DELETE /actions/watch?channel_ids=...``."""
        results: list[dict[str, object]] = []
        with self._lock:
            for channel_id in channel_ids:
                channel = self._channels.pop(channel_id, None)
                if channel is None:
                    results.append(
                        _error("INVALID_DATA", "the given channel id is invalid", api_name="channel_ids")
                    )
                    continue
                results.extend(
                    {
                        "code": "SUCCESS",
                        "details": {
                            "resource_uri": self._uri(name),
                            "resource_id": _MODULE_IDS.get(name, "0"),
                            "channel_id": channel_id,
                        },
                        "message": "Successfully un-subscribed from actions-watch",
                        "status": "success",
                    }
                    for name in channel.operations
                )
        return _status(results, 200), {"watch": results}

    def handle(self, request: Request) -> Answer:
        """Answer ``/actions/watch``: GET lists, POST enables, PUT replaces, PATCH updates, DELETE ends."""
        if request.method == "GET":
            return Answer(*self.listing(request.query.get("channel_id"), request.query.get("module")))
        if request.method == "DELETE":
            ids = [item for item in request.query.get("channel_ids", "").split(",") if item]
            if not ids:
                return error(
                    400, "REQUIRED_PARAM_MISSING", "required param is missing", param_name="channel_ids"
                )
            return Answer(*self.disable(ids))
        if request.method in ("POST", "PUT", "PATCH"):
            return Answer(*self.write(request.method, request.json))
        return error(400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")

    def callbacks(self, changes: Sequence[Change], now: datetime) -> list[Job]:
        """The callbacks due for ``changes``: one per live subscribed channel, at most 100 ids each."""
        jobs: list[Job] = []
        for change in changes:
            for channel_id, url, token in self.subscribers(change.module, change.operation):
                for start in range(0, len(change.ids), _IDS_PER_CALLBACK):
                    ids = change.ids[start : start + _IDS_PER_CALLBACK]
                    body = callback_body(
                        module=change.module, operation=change.operation, ids=ids, channel_id=channel_id,
                        token=token, uri=self._uri(change.module), url=url, now=now,
                    )  # fmt: skip
                    jobs.append(
                        Job(channel_id, url, change.module, change.operation, ids, json.dumps(body).encode())
                    )
        return jobs

    def subscribers(self, module: str, operation: str) -> list[tuple[str, str, str | None]]:
        """``(channel_id, notify_url, token)`` of each live channel watching ``operation`` on ``module``."""
        now = self._clock()
        with self._lock:
            return [
                (channel.channel_id, channel.notify_url, channel.token)
                for channel in self._channels.values()
                if channel.expiry > now and operation in channel.operations.get(module, ())
            ]


def _status(results: Sequence[Mapping[str, object]], success: int) -> int:
    ok = sum(result.get("status") == "success" for result in results)
    if ok == len(results):
        return success
    return 400 if ok == 0 else 207
