"""ChannelKeeper: the Zoho notification channel of a sync, kept alive across restarts by the state store.

One channel watches every synced module (``Accounts.all``, ``Contacts.all``, ``Vendors.all``). Its id,
token and the expiry Zoho *answered* live in the store, so a restarted service renews the same channel
instead of opening new ones, and a notification is verified against the token of the channel it names.

Example::

    keeper = ChannelKeeper(zoho, store, modules=["Accounts", "Contacts"], notify_url="https://sync.example/zoho")
    keeper.ensure()                    # at start and whenever keeper.next_renewal() has passed
    notification = keeper.verify(body) # in the web handler, then engine.handle_notification(notification)
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from jde_zoho_sdk._redact import Secret, get_logger
from jde_zoho_sdk.sync.model import ChannelState
from jde_zoho_sdk.sync.protocols import StateStore
from jde_zoho_sdk.zoho import (
    MAX_CHANNEL_EXPIRY,
    ChannelManager,
    ForgedNotificationError,
    InvalidNotificationError,
    Notification,
    ZohoClient,
    parse_notification,
)

__all__ = ["ChannelKeeper"]

_log = get_logger(__name__)

# Our clock may run ahead of Zoho's: an expiry asked for a full week away may land past its maximum, and
# Zoho then silently keeps the channel one hour.
_CLOCK_MARGIN: Final = timedelta(minutes=10)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ChannelKeeper:
    """Enable, renew and verify the sync's Zoho notification channel.

    Args:
        zoho: The Zoho client.
        store: Where the channel's id, token and expiry are kept.
        modules: The Zoho modules to watch.
        notify_url: The public URL Zoho posts notifications to.
        lifetime: The expiry asked for. Zoho keeps a channel at most a week, and makes it one hour when asked
            for more, so at most a week less ten minutes is asked (our clock may run ahead of Zoho's).
        renew_before: How long before the answered expiry the channel is renewed; never before half its
            remaining life, so a channel Zoho kept shorter than this is not renewed over and over.
        clock: Current time (aware).
    """

    def __init__(
        self,
        zoho: ZohoClient,
        store: StateStore,
        *,
        modules: Sequence[str],
        notify_url: str,
        lifetime: timedelta = MAX_CHANNEL_EXPIRY - timedelta(minutes=10),
        renew_before: timedelta = timedelta(hours=1),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.zoho = zoho
        self.store = store
        self.events = tuple(f"{module}.all" for module in modules)
        self.notify_url = notify_url
        self.lifetime = min(lifetime, MAX_CHANNEL_EXPIRY - _CLOCK_MARGIN)
        self.renew_before = renew_before
        self._clock = clock or _utc_now
        self._renewed_at: datetime | None = None

    def _current(self) -> ChannelState | None:
        for state in self.store.list_channels():
            if state.notify_url == self.notify_url:
                return state
        return None

    def ensure(self) -> ChannelState:
        """Enable the channel, or renew it when it is close to the expiry Zoho answered.

        Returns:
            The channel as kept in the store (with Zoho's expiry).

        Raises:
            ZohoError: Zoho refused to enable or renew the channel.
        """
        state = self._current()
        now = self._clock()
        if state is not None and set(state.events) == set(self.events) and now < self._due(state):
            return state
        channel_id = state.channel_id if state is not None else str(10**12 + secrets.randbelow(9 * 10**12))
        token = state.token if state is not None else Secret(secrets.token_urlsafe(30))
        manager = ChannelManager(
            self.zoho.channels,
            channel_id=channel_id,
            events=self.events,
            notify_url=self.notify_url,
            token=token,
            lifetime=self.lifetime,
            renew_before=self.renew_before,
            clock=self._clock,
        )
        channel = manager.ensure()
        renewed = ChannelState(
            channel_id=channel.channel_id,
            events=self.events,
            notify_url=self.notify_url,
            token=token,
            expires_at=channel.expiry.astimezone(UTC),
        )
        self.store.put_channel(renewed)
        self._renewed_at = now
        _log.info(
            "channel %s watches %s until %s", renewed.channel_id, ", ".join(self.events), renewed.expires_at
        )
        return renewed

    def next_renewal(self) -> datetime | None:
        """When :meth:`ensure` should next run (None when no channel is known yet)."""
        state = self._current()
        return None if state is None else self._due(state)

    def _due(self, state: ChannelState) -> datetime:
        """``renew_before`` the answered expiry, but not before half the life it had when last renewed."""
        due = state.expires_at - self.renew_before
        if self._renewed_at is not None:
            due = max(due, self._renewed_at + (state.expires_at - self._renewed_at) / 2)
        return due

    def verify(self, body: bytes) -> Notification:
        """Verify a posted notification against the token of the channel it names, and read it.

        Args:
            body: The raw request body.

        Returns:
            The notification (ids only; queue them with ``engine.handle_notification``).

        Raises:
            ForgedNotificationError: No channel of this sync has that id, or the token is wrong.
            InvalidNotificationError: The body is not a Zoho notification.
        """
        try:
            named = json.loads(body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; nesting past the limit
            raise InvalidNotificationError("the notification body is not JSON") from None
        channel_id = str(named.get("channel_id", "")) if isinstance(named, dict) else ""
        for state in self.store.list_channels():
            if state.channel_id == channel_id:
                return parse_notification(body, state.token)
        raise ForgedNotificationError("no channel of this sync has the id the notification names")

    def disable(self) -> None:
        """Disable the channel in Zoho and forget it."""
        state = self._current()
        if state is None:
            return
        self.zoho.channels.disable([state.channel_id])
        self.store.delete_channel(state.channel_id)
