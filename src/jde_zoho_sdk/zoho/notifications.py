"""Notification channels (``/actions/watch``): enable, renew, list, disable; and verified callback parsing.

Zoho keeps a channel for at most one week and *silently* makes it one hour when the expiry asked for is
missing or past that maximum, so :class:`ChannelManager` always schedules renewals from the
``channel_expiry`` Zoho answered, never from what it asked for. Callbacks carry only record ids and the
channel's token; :func:`parse_notification` checks the token in constant time before trusting anything.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

import httpx

from jde_zoho_sdk._redact import Secret, get_logger, redact_url
from jde_zoho_sdk.zoho._convert import dumps, format_datetime, loads, parse_datetime
from jde_zoho_sdk.zoho.errors import (
    ForgedNotificationError,
    InvalidDataError,
    InvalidNotificationError,
    ZohoApiError,
    ZohoNotFoundError,
    ZohoUnexpectedResponseError,
    error_from_envelope,
)
from jde_zoho_sdk.zoho.models import Channel, Notification

if TYPE_CHECKING:
    from jde_zoho_sdk.zoho.client import ZohoClient

__all__ = ["MAX_CHANNEL_EXPIRY", "ChannelManager", "Channels", "parse_notification"]

_log = get_logger(__name__)

MAX_CHANNEL_EXPIRY: Final = timedelta(weeks=1)
"""The longest channel Zoho keeps (API v4 and later)."""
_EVENT: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*\.(all|create|edit|delete)")
_MAX_TOKEN: Final = 50
_MAX_BODY: Final = 1_000_000
_CHANNEL_IDS: Final = ("channel_ids", "channel_id")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _unexpected(message: str) -> ZohoUnexpectedResponseError:
    return ZohoUnexpectedResponseError(message)


def _named(channel_ids: Sequence[str]) -> str:
    if not channel_ids:  # every id was confirmed for some module: Zoho refused another of its modules
        return "a channel was"
    if len(channel_ids) == 1:
        return f"channel {channel_ids[0]} was"
    return f"channels {', '.join(channel_ids)} were"


def _refused(response: httpx.Response, item: Mapping[str, object]) -> ZohoApiError:
    """The typed error for one refused ``watch[]`` item (Zoho lists errors there, not at the top)."""
    return error_from_envelope(
        response.status_code, item, method=response.request.method, url=redact_url(response.request.url)
    )


def _channels_from_events(body: object, response: httpx.Response) -> list[Channel]:
    """Read an enable/update answer: ``watch[].details.events[]`` (one per module)."""
    items = body.get("watch") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise _unexpected("the watch answer has no watch array")
    channels: list[Channel] = []
    for item in items:
        if not isinstance(item, dict):
            raise _unexpected("a watch result is not a JSON object")
        if item.get("status") != "success":
            raise _refused(response, item)
        details = item.get("details")
        events = details.get("events") if isinstance(details, dict) else None
        if not isinstance(events, list) or not events:
            raise _unexpected("the watch answer has no events")
        channels.append(_merge(events))
    return channels


def _merge(events: Sequence[object]) -> Channel:
    """One channel from its per-module entries (GET lists one entry per module and channel)."""
    channel_id = ""
    expiries: list[datetime] = []
    modules: list[str] = []
    watched: list[str] = []
    notify_url: str | None = None
    for entry in events:
        if not isinstance(entry, dict):
            raise _unexpected("a channel entry is not a JSON object")
        channel_id = str(entry.get("channel_id", ""))
        try:
            expiries.append(parse_datetime(entry.get("channel_expiry")))
        except (TypeError, ValueError) as error:
            raise _unexpected(f"channel {channel_id}: channel_expiry: {error}") from None
        if isinstance(entry.get("resource_name"), str):
            modules.append(entry["resource_name"])
        listed = entry.get("events")
        if isinstance(listed, list):
            watched.extend(str(event) for event in listed)
        if isinstance(entry.get("notify_url"), str):
            notify_url = entry["notify_url"]
    if not channel_id:
        raise _unexpected("a channel entry has no channel_id")
    return Channel(
        channel_id=channel_id,
        expiry=min(expiries),
        modules=tuple(dict.fromkeys(modules)),
        events=tuple(dict.fromkeys(watched)),
        notify_url=notify_url,
    )


class Channels:
    """The notification API of a :class:`~jde_zoho_sdk.zoho.ZohoClient` (``zoho.channels``).

    Args:
        client: The client whose calls (limits, credits, retries) it uses; the client makes it.
    """

    def __init__(self, client: ZohoClient) -> None:
        self._client = client

    def _watch_item(
        self,
        channel_id: str,
        events: Sequence[str],
        notify_url: str,
        token: str | Secret,
        expiry: datetime | None,
    ) -> dict[str, object]:
        bad = [event for event in events if not _EVENT.fullmatch(event)]
        if not events or bad:
            raise ValueError(f"events must look like 'Accounts.all' or 'Contacts.edit'; got {list(events)!r}")
        secret = token.reveal() if isinstance(token, Secret) else token
        if not secret or len(secret) > _MAX_TOKEN:
            raise ValueError(f"the channel token must be 1 to {_MAX_TOKEN} characters")
        item: dict[str, object] = {
            # Zoho documents channel_id as a long; a numeric id is sent as a number.
            "channel_id": int(channel_id) if channel_id.isdigit() else channel_id,
            "events": list(events),
            "notify_url": notify_url,
            "token": secret,
        }
        if expiry is not None:
            item["channel_expiry"] = format_datetime(expiry)
        return item

    def _send(self, method: str, item: dict[str, object]) -> Channel:
        response = self._client._call(method, "actions/watch", body=dumps({"watch": [item]}))
        channels = _channels_from_events(self._client._body(response, "watch answer"), response)
        return channels[0]

    def watch(
        self,
        channel_id: str,
        events: Sequence[str],
        notify_url: str,
        token: str | Secret,
        expiry: datetime | None = None,
    ) -> Channel:
        """Enable a channel: Zoho posts to ``notify_url`` when records change.

        Args:
            channel_id: Our id of the channel (digits, as Zoho documents a long).
            events: ``"Accounts.all"``, ``"Contacts.create"``, ``"Vendors.edit"``, ``"Accounts.delete"``...
            notify_url: Where Zoho posts.
            token: Up to 50 characters Zoho echoes in every callback, to verify it.
            expiry: When the channel should end (at most one week; Zoho makes it one hour otherwise).

        Returns:
            The channel, with the expiry Zoho answered.

        Raises:
            ValueError: Malformed events or token.
            ZohoError: Zoho refused the channel.
        """
        channel = self._send("POST", self._watch_item(channel_id, events, notify_url, token, expiry))
        _log.info(
            "watching %s on channel %s until %s",
            ",".join(channel.modules),
            channel.channel_id,
            channel.expiry.isoformat(),
        )
        return channel

    def renew(
        self,
        channel_id: str,
        events: Sequence[str],
        notify_url: str,
        token: str | Secret,
        expiry: datetime | None = None,
    ) -> Channel:
        """Extend (and restate) an existing channel.

        Args:
            channel_id: The channel's id.
            events: The events to keep watching.
            notify_url: Where Zoho posts.
            token: The verification token.
            expiry: The new end (at most one week away).

        Returns:
            The channel, with the expiry Zoho answered.

        Raises:
            InvalidDataError: Zoho does not know the channel (it expired or was disabled): enable it again
                with :meth:`watch`. Also a value Zoho refuses (``api_name`` says which).
            ZohoError: Zoho refused otherwise.
        """
        return self._send("PATCH", self._watch_item(channel_id, events, notify_url, token, expiry))

    def list(self) -> list[Channel]:
        """The org's channels enabled by this OAuth client.

        Returns:
            The channels (empty when there are none).

        Raises:
            ZohoError: Zoho refused the call.
        """
        response = self._client._call("GET", "actions/watch")
        if response.status_code == 204:
            return []
        items = self._client._body(response, "watch list").get("watch")
        if not isinstance(items, list):
            raise _unexpected("the watch list has no watch array")
        by_channel: dict[str, list[object]] = {}
        for item in items:
            key = str(item.get("channel_id")) if isinstance(item, dict) else ""
            by_channel.setdefault(key, []).append(item)
        return [_merge(entries) for entries in by_channel.values()]

    def disable(self, channel_ids: Sequence[str]) -> tuple[str, ...]:
        """Disable channels; a channel Zoho no longer knows (expired, or disabled before) counts as done.

        Zoho answers one result per channel and module (207 when some were refused); each is checked.

        Args:
            channel_ids: The channels' ids.

        Returns:
            The ids Zoho did not know (``INVALID_DATA``): they were already gone, so nothing notifies
            through them either.

        Raises:
            ZohoError: Zoho refused to disable a channel it knows (the message names the channels it did
                not confirm), or refused the call.
        """
        if not channel_ids:
            return ()
        wanted = tuple(dict.fromkeys(channel_ids))
        try:
            response = self._client._call(
                "DELETE", "actions/watch", params={"channel_ids": ",".join(wanted)}, batch=True
            )
        except InvalidDataError as error:
            if error.api_name not in _CHANNEL_IDS:
                raise
            # UNCONFIRMED: an answer with no per-channel list when Zoho knows none of the ids.
            _log.info("%s already gone from Zoho", _named(wanted))
            return wanted
        items = self._client._body(response, "watch disable answer").get("watch")
        if not isinstance(items, list):
            raise _unexpected("the watch disable answer has no watch array")
        confirmed: set[str] = set()
        refusals: list[dict[str, object]] = []
        for item in items:
            if not isinstance(item, dict):
                raise _unexpected("a watch disable result is not a JSON object")
            if item.get("status") == "success":
                details = item.get("details")
                if isinstance(details, dict):
                    confirmed.add(str(details.get("channel_id")))
            else:
                refusals.append(item)
        # Errors carry no channel id: the channels no success names are the refused ones.
        unconfirmed = tuple(channel_id for channel_id in wanted if channel_id not in confirmed)
        if not refusals:
            return ()
        real = [item for item in refusals if item.get("code") != "INVALID_DATA"]
        if real:
            message = real[0].get("message") or real[0].get("code")
            named = {**real[0], "message": f"{_named(unconfirmed)} not disabled: {message}"}
            raise _refused(response, named)
        _log.info("%s already gone from Zoho", _named(unconfirmed))
        return unconfirmed


class ChannelManager:
    """Keeps one channel alive: enables it, then renews it before the expiry Zoho answered.

    Call :meth:`ensure` from a scheduler (every few minutes, or at :attr:`next_renewal`); it makes a call
    only when the channel is unknown or close to its end.

    Args:
        channels: ``zoho.channels``.
        channel_id: The channel's id.
        events: The events to watch.
        notify_url: Where Zoho posts.
        token: The verification token (kept as a secret).
        lifetime: The expiry asked for (Zoho keeps at most one week; a little less is asked so our clock
            running ahead of Zoho's never makes the request "over the maximum").
        renew_before: How long before the answered expiry the channel is renewed.
        clock: Returns the current aware datetime.
    """

    def __init__(
        self,
        channels: Channels,
        *,
        channel_id: str,
        events: Sequence[str],
        notify_url: str,
        token: str | Secret,
        lifetime: timedelta = MAX_CHANNEL_EXPIRY - timedelta(minutes=10),
        renew_before: timedelta = timedelta(minutes=10),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._channels = channels
        self.channel_id = channel_id
        self.events = tuple(events)
        self.notify_url = notify_url
        self._token = token if isinstance(token, Secret) else Secret(token)
        self.lifetime = lifetime
        self.renew_before = renew_before
        self._clock = clock or _utc_now
        self.current: Channel | None = None
        """The channel as Zoho last confirmed it."""

    @property
    def next_renewal(self) -> datetime | None:
        """When :meth:`ensure` will next call Zoho (None before the first call)."""
        return None if self.current is None else self.current.expiry - self.renew_before

    def ensure(self) -> Channel:
        """Make sure the channel is enabled and not about to expire.

        Returns:
            The channel, with the expiry Zoho answered.

        Raises:
            ZohoError: Zoho refused (a channel Zoho dropped is no error: it is enabled again).
        """
        now = self._clock()
        due = self.next_renewal
        if self.current is not None and due is not None and now < due:
            return self.current
        expiry = now + self.lifetime
        if self.current is None:
            known = {channel.channel_id: channel for channel in self._channels.list()}
            existing = known.get(self.channel_id)
            if existing is not None and now < existing.expiry - self.renew_before:
                self.current = existing
                return existing
        args = (self.channel_id, self.events, self.notify_url, self._token, expiry)
        # A channel found by list() but due is enabled again with POST: Zoho documents re-subscribing
        # through the enable API as the way to extend a channel, and it restates events, URL and token.
        try:
            channel = self._channels.renew(*args) if self.current is not None else self._channels.watch(*args)
        except (ZohoNotFoundError, InvalidDataError):
            # The channel expired and Zoho dropped it: enable it again.
            channel = self._channels.watch(*args)
        if channel.expiry < expiry - timedelta(minutes=1):
            _log.warning(
                "Zoho shortened channel %s to %s (asked for %s); renewing from Zoho's expiry",
                channel.channel_id,
                channel.expiry.isoformat(),
                expiry.isoformat(),
            )
        self.current = channel
        return channel


def _str_tuple(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InvalidNotificationError(f"the notification's {key} is not a list")
    out: list[str] = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            out.append(str(item))
        else:
            raise InvalidNotificationError(f"the notification's {key} holds a {type(item).__name__}")
    return tuple(out)


def _field_names(value: object) -> tuple[str, ...]:
    """The field names in ``affected_fields``, read leniently: the sync needs only the ids.

    Zoho documents ``[]`` only; field names (``["Phone"]``) or objects of record id -> field names
    (``[{"5725767000003000064": ["Phone"]}]``) are both read as names (UNCONFIRMED shapes). Anything else
    is left out rather than costing the notification.
    """
    names: dict[str, None] = {}
    for item in value if isinstance(value, list) else ():
        if isinstance(item, str):
            names[item] = None
        elif isinstance(item, dict):
            for fields in item.values():
                if isinstance(fields, list):
                    names.update((name, None) for name in fields if isinstance(name, str))
    return tuple(names)


def parse_notification(body: bytes, expected_token: str | Secret) -> Notification:
    """Verify and read a notification Zoho posted to a channel's ``notify_url``.

    The token is compared in constant time before anything else is trusted; it is not kept on the result.

    Args:
        body: The raw request body.
        expected_token: The channel's token.

    Returns:
        The notification.

    Raises:
        ForgedNotificationError: The token is missing or wrong.
        InvalidNotificationError: The body is not a Zoho notification.

    Example:
        >>> body = b'{"server_time": 1718117126473, "module": "Accounts", "ids": ["5725767000003000064"],'
        >>> body += b' "operation": "insert", "channel_id": "1000000068001", "token": "s3cret-token"}'
        >>> parse_notification(body, "s3cret-token").ids
        ('5725767000003000064',)
    """
    expected = expected_token.reveal() if isinstance(expected_token, Secret) else expected_token
    if not expected:
        raise ForgedNotificationError("no channel token is configured, so no notification can be verified")
    if len(body) > _MAX_BODY:
        raise InvalidNotificationError(
            f"the notification body is {len(body)} bytes, far more than Zoho sends"
        )
    try:
        data = loads(body)
    except (ValueError, RecursionError):
        raise InvalidNotificationError("the notification body is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidNotificationError("the notification body is not a JSON object")
    token = data.get("token")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), expected.encode()):
        raise ForgedNotificationError("the notification's token is missing or wrong")
    return _notification(data)


def _notification(data: Mapping[str, object]) -> Notification:
    module, operation, channel_id = data.get("module"), data.get("operation"), data.get("channel_id")
    if not isinstance(module, str) or not module:
        raise InvalidNotificationError("the notification names no module")
    if not isinstance(operation, str) or not operation:
        raise InvalidNotificationError("the notification names no operation")
    if isinstance(channel_id, bool) or not isinstance(channel_id, str | int):
        raise InvalidNotificationError("the notification names no channel_id")
    server_time = data.get("server_time")
    if isinstance(server_time, bool) or not isinstance(server_time, int):
        raise InvalidNotificationError("the notification's server_time is not epoch milliseconds")
    try:
        sent = datetime.fromtimestamp(server_time / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidNotificationError(
            f"the notification's server_time {server_time} is out of range"
        ) from None
    params = data.get("query_params", {})
    if not isinstance(params, dict) or not all(isinstance(value, str) for value in params.values()):
        raise InvalidNotificationError("the notification's query_params is not an object of strings")
    uri = data.get("resource_uri")
    return Notification(
        module=module,
        operation=operation,
        ids=_str_tuple(data.get("ids"), "ids"),
        channel_id=str(channel_id),
        server_time=sent,
        resource_uri=uri if isinstance(uri, str) else None,
        affected_fields=_field_names(data.get("affected_fields")),
        query_params=dict(params),
    )
