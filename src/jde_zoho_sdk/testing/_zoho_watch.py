"""Emulated notification channels (``/actions/watch``) and the thread that delivers their callbacks.

From Zoho's docs: a channel lives at most one week and becomes one hour when the expiry asked for is
missing or past that maximum; the callback body carries only ids, the operation and the channel token.
Retries of a failed delivery are not documented (UNCONFIRMED), so the emulator delivers once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import parse_qsl, urlsplit

import attrs
import httpx

__all__ = ["Delivery", "Job", "Notifier", "WatchService", "callback_body"]

MAX_EXPIRY: Final = timedelta(weeks=1)
DEFAULT_EXPIRY: Final = timedelta(hours=1)
_OPERATIONS: Final = {"create": "insert", "edit": "update", "delete": "delete"}
_MODULE_IDS: Final = {
    "Accounts": "5725767000000002177",
    "Contacts": "5725767000000002179",
    "Vendors": "5725767000000002181",
}
_MAX_TOKEN: Final = 50
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


@attrs.frozen
class Delivery:
    """One callback the emulator posted.

    Attributes:
        channel_id: The channel.
        url: The notify URL.
        module: The module.
        operation: ``insert``, ``update`` or ``delete``.
        ids: The record ids.
        status: The HTTP status the endpoint answered, or None when it could not be reached.
        error: Why the delivery failed, if it did.
    """

    channel_id: str
    url: str
    module: str
    operation: str
    ids: tuple[str, ...]
    status: int | None
    error: str | None = None


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


@attrs.frozen
class Job:
    """One callback to post."""

    channel_id: str
    url: str
    module: str
    operation: str
    ids: tuple[str, ...]
    body: bytes


class Notifier:
    """Posts callbacks from one background thread, in order; tests wait on it instead of sleeping.

    Args:
        transport: An httpx transport for the posts (None: real sockets).
        timeout: Seconds to wait for a notify URL to answer.
    """

    def __init__(self, *, transport: httpx.BaseTransport | None = None, timeout: float = 5.0) -> None:
        self._transport = transport
        self._timeout = timeout
        self._jobs: deque[Job] = deque()
        self._cond = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._closed = False
        self.log: list[Delivery] = []

    def submit(self, job: Job) -> None:
        """Queue one callback."""
        with self._cond:
            self._jobs.append(job)
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="zoho-emulator-notify", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self, timeout: float) -> bool:
        """Block until every queued callback was posted (True) or ``timeout`` seconds passed (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        """Stop the thread (callbacks still queued are dropped); a later callback starts a new one."""
        with self._cond:
            self._closed = True
            self._pending -= len(self._jobs)
            self._jobs.clear()
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=self._timeout + 1)
        with self._cond:
            self._closed = False

    def _run(self) -> None:
        with httpx.Client(transport=self._transport, timeout=self._timeout) as client:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._jobs or self._closed)
                    if self._closed:
                        return
                    job = self._jobs.popleft()
                delivery = self._post(client, job)
                with self._cond:
                    self.log.append(delivery)
                    self._pending -= 1
                    self._cond.notify_all()

    def _post(self, client: httpx.Client, job: Job) -> Delivery:
        try:
            answer = client.post(job.url, content=job.body, headers={"Content-Type": "application/json"})
        except httpx.HTTPError as error:
            return Delivery(
                job.channel_id, job.url, job.module, job.operation, job.ids, None, type(error).__name__
            )
        return Delivery(job.channel_id, job.url, job.module, job.operation, job.ids, answer.status_code)


def callback_body(
    *,
    module: str,
    operation: str,
    ids: Sequence[str],
    channel_id: str,
    token: str | None,
    uri: str,
    url: str,
    now: datetime,
) -> dict[str, object]:
    """The documented callback body (``server_time`` in epoch milliseconds, notify URL query echoed)."""
    return {
        "server_time": int(now.timestamp() * 1000),
        "query_params": dict(parse_qsl(urlsplit(url).query)),
        "module": module,
        "resource_uri": uri,
        "ids": list(ids),
        "affected_fields": [],
        "operation": operation,
        "channel_id": channel_id,
        "token": token,
    }
