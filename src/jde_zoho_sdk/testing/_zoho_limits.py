"""The emulated org's two budgets: calls in flight (per edition) and API credits per rolling 24 hours."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from jde_zoho_sdk.testing._zoho_http import Request

__all__ = ["CreditLedger", "Gate", "call_cost"]

_WINDOW: Final = timedelta(hours=24)


def call_cost(request: Request, resource: str) -> int:
    """Credits of one call: 1, and 1 per 10 records for writes.

    UNCONFIRMED: whether refused records of a write are charged; the emulator charges what was sent.
    """
    body = request.json
    if request.method in ("POST", "PUT") and not resource.startswith("actions/") and isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, list):
            return max(1, -(-len(data) // 10))
    return 1


class CreditLedger:
    """Credits spent, all-time and in the rolling 24-hour window, against an optional cap.

    Args:
        clock: The emulator's clock.
        cap: Credits allowed per rolling 24 hours, or None for no cap.
    """

    def __init__(self, clock: Callable[[], datetime], cap: int | None) -> None:
        self._clock = clock
        self.cap = cap
        self._lock = threading.Lock()
        self._window: deque[tuple[datetime, int]] = deque()
        self._in_window = 0
        self.used = 0

    def spend(self, cost: int) -> bool:
        """Charge ``cost``; False (nothing charged) when the window's credits would pass the cap."""
        now = self._clock()
        with self._lock:
            while self._window and now - self._window[0][0] >= _WINDOW:
                self._in_window -= self._window.popleft()[1]
            if self.cap is not None and self._in_window + cost > self.cap:
                return False
            self._window.append((now, cost))
            self._in_window += cost
            self.used += cost
            return True


class Gate:
    """Counts calls in flight and turns away those past the limit.

    Args:
        limit: The most calls in flight at once.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._in_flight = 0
        self.peak = 0

    def enter(self) -> bool:
        """Admit one call (True), or refuse it because ``limit`` calls are in flight (False)."""
        with self._lock:
            if self._in_flight >= self.limit:
                return False
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
            return True

    def leave(self) -> None:
        """A call admitted by :meth:`enter` has been answered."""
        with self._lock:
            self._in_flight -= 1
