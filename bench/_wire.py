"""Every HTTP exchange of a run, recorded at the transport, tagged with the engine's batch it belongs to.

The recording transport sits between the SDK's ``httpx.Client`` and the emulator (in-process or over a
socket), so it sees exactly what a real server would: token requests, pages, retries, writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs
import httpx

from bench._clock import FakeClock
from jde_zoho_sdk.sync.events import CheckpointCommitted, PageRead, SyncEvent
from jde_zoho_sdk.sync.model import Direction

__all__ = ["BatchMarker", "Exchange", "RecordingTransport", "Ticker"]


@attrs.frozen
class Exchange:
    """One request and its answer.

    Attributes:
        system: ``"jde"`` or ``"zoho"``.
        method: The HTTP method.
        url: The full URL (query string included).
        headers: The request headers as sent.
        content: The request body.
        status: The answer's status.
        answer: The answer's body.
        segment: The engine batch the call was made in (see :class:`BatchMarker`).
        seq: The call's place among both systems' calls.
        at: The clock when it was sent.
    """

    system: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    content: bytes
    status: int
    answer: bytes
    segment: int
    seq: int
    at: datetime

    @property
    def path(self) -> str:
        """The URL's path."""
        return httpx.URL(self.url).path


class BatchMarker:
    """An observer that numbers the engine's batches, so each call can be filed under the batch that made it.

    A new segment starts after every checkpoint and at every page of changes read: the calls of one segment
    are those one batch needed (its reads, its writes), which is what the per-batch minimum is about. The
    event that closes a segment names it: ``"pull:<entity>"`` (a Zoho -> JDE batch), ``"push:<entity>"`` (a
    JDE -> Zoho batch), ``"changes"`` (reading the next JDE batch) or ``"poll"`` (reading the next Zoho page).
    """

    def __init__(self) -> None:
        self.segment = 0
        self.labels: dict[int, str] = {}

    def on_event(self, event: SyncEvent) -> None:
        """Close the current segment at a checkpoint or a page read."""
        if isinstance(event, CheckpointCommitted):
            way = "pull" if event.direction is Direction.ZOHO_TO_JDE else "push"
            label = f"{way}:{event.entity}"
        elif isinstance(event, PageRead):
            label = "poll" if event.direction is Direction.ZOHO_TO_JDE else "changes"
        else:
            return
        self.labels[self.segment] = label
        self.segment += 1


class Ticker:
    """Moves a fake clock by one round trip per call and numbers the calls of both systems.

    A still clock would stamp a whole run with one second; moving it per call spreads the stamps over the
    run as real round trips do, so overlap windows and token lifetimes behave as in production.

    Args:
        clock: The clock shared by the emulators, the clients and the engine.
        round_trip: How far one call moves it.
    """

    def __init__(self, clock: FakeClock, round_trip: timedelta) -> None:
        self._clock = clock
        self._step = round_trip
        self._lock = threading.Lock()
        self._seq = 0

    def __call__(self) -> tuple[int, datetime]:
        """Advance; return the call's number and the clock's time for it."""
        with self._lock:
            self._seq += 1
            return self._seq, self._clock.advance(self._step)


class RecordingTransport(httpx.BaseTransport):
    """Passes requests to ``inner`` and records each exchange (thread-safe).

    Args:
        inner: The transport that reaches the emulator.
        system: ``"jde"`` or ``"zoho"``.
        segment: Returns the current batch number.
        tick: Moves the clock for each call and numbers it.
    """

    def __init__(
        self, inner: httpx.BaseTransport, system: str, segment: Callable[[], int], tick: Ticker
    ) -> None:
        self._inner = inner
        self._system = system
        self._segment = segment
        self._tick = tick
        self._lock = threading.Lock()
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send, read the answer whole, and record both."""
        segment = self._segment()
        seq, at = self._tick()
        response = self._inner.handle_request(request)
        answer = response.read()
        exchange = Exchange(
            system=self._system,
            method=request.method,
            url=str(request.url),
            headers=tuple(request.headers.multi_items()),
            content=request.content,
            status=response.status_code,
            answer=answer,
            segment=segment,
            seq=seq,
            at=at,
        )
        with self._lock:
            self.exchanges.append(exchange)
        return response

    def close(self) -> None:
        """Close the inner transport."""
        self._inner.close()
