"""Sessions and open result sets of the AIS emulator.

A token is bound to the device name it was requested with ("a token requested from one device or IP
address cannot be used by another ... Validation is performed every time the token is used", EOIIS
``session-management.html``). A session ends after ``session_idle_timeout`` without use or
``session_ttl`` after its start (rest.ini ``SessionInactivityTimeoutMinutes`` / ``SessionTimeToLiveMinutes``;
``defaultconfig`` shows 30 and 720 minutes). An open result set (a page chain) expires
``result_set_timeout`` after its last page (jdbj.ini ``resultSetTimeout``, 60 s by default).
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta

import attrs

__all__ = ["EmulatedSession", "ResultSet", "SessionRegistry"]


def new_token() -> str:
    """A token shaped like AIS's (``044`` then base64 text: it contains ``+``, ``/`` and ``=``)."""
    return "044" + base64.b64encode(secrets.token_bytes(60)).decode()


@attrs.define(kw_only=True, eq=False)
class EmulatedSession:
    """One session of the emulator (the token is never shown by ``repr``).

    Attributes:
        token: The session token.
        username: Who logged in.
        environment: The environment.
        role: The role.
        device_name: The device the token is bound to.
        started_at: When it was issued.
        last_used_at: When it was last used.
    """

    token: str = attrs.field(repr=False)
    username: str
    environment: str
    role: str
    device_name: str
    started_at: datetime
    last_used_at: datetime


@attrs.define(kw_only=True, eq=False)
class ResultSet:
    """An open page chain: the rows of the query, where the next page starts, and who may read it."""

    rid: str
    token: str = attrs.field(repr=False)
    table: str
    columns: tuple[str, ...]
    rows: list[dict[str, object]] = attrs.field(repr=False)
    position: int
    page_size: int
    grid_id: int
    state_id: int
    last_used_at: datetime
    expired: bool = False


class SessionRegistry:
    """Sessions by token and result sets by rid, evaluated against the emulator's clock.

    Args:
        idle_timeout: Session inactivity timeout.
        ttl: Session time to live.
        result_set_timeout: Result set lifetime after its last page.
    """

    def __init__(self, *, idle_timeout: timedelta, ttl: timedelta, result_set_timeout: timedelta) -> None:
        self.idle_timeout = idle_timeout
        self.ttl = ttl
        self.result_set_timeout = result_set_timeout
        self.sessions: dict[str, EmulatedSession] = {}
        self.result_sets: dict[str, ResultSet] = {}
        self._grid = 0

    def open(
        self, *, username: str, environment: str, role: str, device_name: str, now: datetime
    ) -> EmulatedSession:
        """Start a session."""
        session = EmulatedSession(
            token=new_token(),
            username=username,
            environment=environment,
            role=role,
            device_name=device_name,
            started_at=now,
            last_used_at=now,
        )
        self.sessions[session.token] = session
        return session

    def find(self, token: str, device_name: str | None, now: datetime) -> EmulatedSession | None:
        """The live session of ``token`` used from ``device_name`` (touching it), or None."""
        session = self.sessions.get(token)
        if session is None:
            return None
        if now - session.last_used_at >= self.idle_timeout or now - session.started_at >= self.ttl:
            self.end(token)
            return None
        if device_name is not None and device_name != session.device_name:
            return None
        if device_name is None and session.device_name:
            return None  # "if the token was requested with device name, [it] must be used with device name"
        session.last_used_at = now
        return session

    def end(self, token: str) -> bool:
        """End a session and drop its result sets; whether it existed."""
        found = self.sessions.pop(token, None) is not None
        for rid in [rid for rid, result in self.result_sets.items() if result.token == token]:
            del self.result_sets[rid]
        return found

    def expire(self, token: str | None = None) -> int:
        """End one session (by token) or all; returns how many ended."""
        tokens = [token] if token is not None else list(self.sessions)
        return sum(self.end(one) for one in tokens)

    def keep(
        self,
        *,
        token: str,
        table: str,
        columns: tuple[str, ...],
        rows: list[dict[str, object]],
        page_size: int,
        now: datetime,
    ) -> ResultSet:
        """Keep the rest of a query open for next-page requests."""
        self._grid += 1
        result = ResultSet(
            rid=secrets.token_hex(8),
            token=token,
            table=table,
            columns=columns,
            rows=rows,
            position=page_size,
            page_size=page_size,
            grid_id=self._grid,
            state_id=1,
            last_used_at=now,
        )
        self.result_sets[result.rid] = result
        return result

    def result_set(self, rid: str, token: str, now: datetime) -> ResultSet | None:
        """The open result set ``rid`` of ``token``, or None when unknown, another session's, or expired."""
        result = self.result_sets.get(rid)
        if result is None or result.token != token:
            return None
        if result.expired or now - result.last_used_at >= self.result_set_timeout:
            del self.result_sets[rid]
            return None
        result.last_used_at = now
        return result

    def expire_result_sets(self) -> int:
        """Expire every open result set; returns how many."""
        for result in self.result_sets.values():
            result.expired = True
        return len(self.result_sets)
