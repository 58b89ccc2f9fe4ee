"""Zoho's two budgets, kept on our side: concurrent calls per edition, and API credits per call."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final, Literal

import attrs
import httpx

from jde_zoho_sdk.zoho.errors import CreditBudgetExceededError

__all__ = [
    "EDITION_CONCURRENCY",
    "MAX_WRITE_BATCH",
    "ConcurrencyLimiter",
    "CreditMeter",
    "Edition",
    "credits_exhausted",
    "write_cost",
]

Edition = Literal["free", "standard", "professional", "enterprise", "ultimate"]
"""A Zoho CRM edition, as :class:`~jde_zoho_sdk.zoho.ZohoClient` takes it (sets its concurrency limit)."""

EDITION_CONCURRENCY: Final[dict[str, int]] = {
    "free": 5,
    "standard": 10,
    "professional": 15,
    "enterprise": 20,
    "ultimate": 25,
}
"""Concurrent API calls Zoho allows per user per app, by edition (Kaizen #203)."""

MAX_WRITE_BATCH: Final = 100
"""Records per insert, update or upsert call (Zoho's maximum)."""


def write_cost(records: int) -> int:
    """API credits of one insert/update/upsert call: 1 per 10 records, at least 1.

    Args:
        records: Records in the call (at most 100).
    """
    return max(1, -(-records // 10))


class ConcurrencyLimiter:
    """Caps the calls in flight at once, so the org's concurrency limit is never hit by this client.

    Args:
        limit: The most calls in flight.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._peak = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the duration of a call (blocks while all are taken)."""
        with self._slots:
            with self._lock:
                self._in_flight += 1
                self._peak = max(self._peak, self._in_flight)
            try:
                yield
            finally:
                with self._lock:
                    self._in_flight -= 1

    @property
    def peak(self) -> int:
        """The most calls that were in flight at once."""
        with self._lock:
            return self._peak


@attrs.define
class _Window:
    """One :meth:`CreditMeter.window`: its own allowance and what was spent inside it."""

    limit: int
    spent: int = 0


class CreditMeter:
    """Counts the API credits a client spends and refuses a call that would pass the budget.

    Args:
        budget: The most credits this client may spend, or None for no limit.
    """

    def __init__(self, budget: int | None) -> None:
        if budget is not None and budget < 0:
            raise ValueError("the credit budget cannot be negative")
        self.budget = budget
        self._lock = threading.Lock()
        self._spent = 0
        self._windows: list[_Window] = []

    def spend(self, cost: int) -> None:
        """Count a call's credits before it is sent.

        Raises:
            CreditBudgetExceededError: The call would pass the budget or an open window's allowance
                (nothing is counted).
        """
        with self._lock:
            if self.budget is not None and self._spent + cost > self.budget:
                raise CreditBudgetExceededError(budget=self.budget, spent=self._spent, cost=cost)
            for window in self._windows:
                if window.spent + cost > window.limit:
                    raise CreditBudgetExceededError(budget=window.limit, spent=window.spent, cost=cost)
            self._spent += cost
            for window in self._windows:
                window.spent += cost

    @contextmanager
    def window(self, credits: int | None) -> Iterator[None]:
        """Allow at most ``credits`` more credits inside the block (None: no more limit than before).

        Windows are independent: each counts every call made while it is open (the client is shared, so
        overlapping windows both count each other's calls), and closing one, in any order, ends only its
        own allowance.
        """
        if credits is None:
            yield
            return
        if credits < 0:
            raise ValueError("a credit allowance cannot be negative")
        window = _Window(credits)
        with self._lock:
            self._windows.append(window)
        try:
            yield
        finally:
            with self._lock:
                self._windows.remove(window)

    @property
    def spent(self) -> int:
        """Credits spent so far."""
        with self._lock:
            return self._spent


def credits_exhausted(response: httpx.Response) -> bool:
    """Whether a 429 says the org's rolling 24-hour API credits are spent.

    Zoho answers 429 both for the concurrency limit and for spent credits; only the latter says "credit"
    (the exact body is UNCONFIRMED).
    """
    return response.status_code == 429 and b"credit" in response.content.lower()
