"""One fake clock for the emulators, the clients and the engine: runs are repeatable, call counts exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["START", "FakeClock"]

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
"""When the seed data is stamped (a Monday afternoon, away from any clock change)."""


class FakeClock:
    """Stands still until :meth:`advance` moves it, so every call of one run shares one time.

    A still clock is the worst case for the overlap window (everything a run wrote is inside the next run's
    overlap); the README says which figures that inflates.
    """

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` and return the new time."""
        self.now += delta
        return self.now
