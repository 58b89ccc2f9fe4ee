"""The schedules of ``jde-zoho serve``: ``daily HH:MM [Zone/Name]``, ``every N minutes`` (or hours), ``off``.

Small and explicit on purpose: a cron grammar would be more to learn and to get wrong than these three
forms, which cover a nightly poll, a frequent poll and "never".
"""

from __future__ import annotations

import re
import time as _time
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

__all__ = ["Schedule", "parse_schedule"]

_DAILY: Final = re.compile(r"(?i:daily)\s+(\d{1,2}):(\d{2})(?:\s+(\S+))?")
_EVERY: Final = re.compile(r"every\s+(\d+)\s+(minute|minutes|hour|hours)")
_OFF: Final = frozenset({"off", "never"})
# Longer is no schedule anyone means, and an interval of trillions of hours overflows timedelta and datetime.
_LONGEST: Final = timedelta(days=366)
EXPECTED: Final = (
    '"daily HH:MM" (optionally followed by a zone such as Europe/Berlin), "every N minutes", '
    '"every N hours" or "off"'
)
"""What a schedule looks like, for error messages."""


@attrs.frozen(kw_only=True)
class Schedule:
    """When a job runs.

    Attributes:
        text: The schedule as written.
        every: The interval of an ``every N ...`` schedule.
        at: The time of day of a ``daily`` schedule.
        zone: The zone of ``at``; None for the machine's local time.
    """

    text: str
    every: timedelta | None = None
    at: time | None = None
    zone: tzinfo | None = None

    @property
    def enabled(self) -> bool:
        """False for ``off``."""
        return self.every is not None or self.at is not None

    def next_after(self, moment: datetime) -> datetime | None:
        """The first time strictly after ``moment`` the job is due (None when the schedule is off).

        Args:
            moment: An aware datetime (the previous due time, or now).

        Returns:
            An aware datetime in UTC.

        Example:
            >>> parse_schedule("every 15 minutes").next_after(datetime(2026, 1, 1, tzinfo=UTC))
            datetime.datetime(2026, 1, 1, 0, 15, tzinfo=datetime.timezone.utc)
        """
        if self.every is not None:
            return (moment + self.every).astimezone(UTC)
        if self.at is None:
            return None
        day = self._local_date(moment)
        for offset in range(3):  # today, tomorrow, or the day after when a clock change skips the hour
            candidate = self._at_on(day + timedelta(days=offset))
            if candidate > moment:
                return candidate
        raise AssertionError("a daily time always comes within three days")  # pragma: no cover

    def _local_date(self, moment: datetime) -> date:
        if self.zone is not None:
            return moment.astimezone(self.zone).date()
        return datetime.fromtimestamp(moment.timestamp()).date()

    def _at_on(self, day: date) -> datetime:
        assert self.at is not None
        if self.zone is not None:
            return datetime.combine(day, self.at, self.zone).astimezone(UTC)
        # mktime applies the machine's zone and its daylight-saving rules for that day (isdst=-1: ask).
        local = (day.year, day.month, day.day, self.at.hour, self.at.minute, 0, 0, 0, -1)
        return datetime.fromtimestamp(_time.mktime(local), UTC)


def parse_schedule(text: str) -> Schedule:
    """Read a schedule.

    Args:
        text: ``"daily 02:00"``, ``"daily 02:00 America/Chicago"``, ``"every 15 minutes"``,
            ``"every 2 hours"`` or ``"off"``.

    Returns:
        The schedule.

    Raises:
        ValueError: The text is none of those forms, or its interval is under 1 or over 366 days (the
            message says what is expected).

    Example:
        >>> parse_schedule("daily 02:30").at
        datetime.time(2, 30)
    """
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in _OFF:
        return Schedule(text=text)
    every = _EVERY.fullmatch(cleaned)
    if every is not None:
        count = int(every.group(1))
        if count < 1:
            raise ValueError("the interval must be at least 1")
        hours = every.group(2).startswith("hour")
        unit = timedelta(hours=1) if hours else timedelta(minutes=1)
        if count > _LONGEST // unit:
            name = "hours" if hours else "minutes"
            raise ValueError(f"the interval must be at most {_LONGEST // unit} {name} (366 days)")
        return Schedule(text=text, every=count * unit)
    daily = _DAILY.fullmatch(" ".join(text.split()))
    if daily is None:
        raise ValueError(f"expected {EXPECTED}")
    hour, minute = int(daily.group(1)), int(daily.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"{hour:02d}:{minute:02d} is not a time of day (00:00 to 23:59)")
    zone: tzinfo | None = None
    if daily.group(3):
        try:
            zone = ZoneInfo(daily.group(3))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {daily.group(3)!r} (use an IANA name such as Europe/Berlin)"
            ) from None
    return Schedule(text=text, at=time(hour, minute), zone=zone)
