"""Schedules: "daily HH:MM [zone]", "every N minutes|hours", "off"."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from jde_zoho_sdk._cli.schedule import parse_schedule

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_interval_schedules_count_from_the_previous_due_time() -> None:
    every = parse_schedule("every 15 minutes")
    assert every.every == timedelta(minutes=15)
    assert every.next_after(NOON) == NOON + timedelta(minutes=15)
    assert parse_schedule("Every 2 Hours").next_after(NOON) == NOON + timedelta(hours=2)
    assert parse_schedule("every 1 minute").every == timedelta(minutes=1)


def test_daily_schedule_in_a_named_zone_is_today_or_tomorrow() -> None:
    daily = parse_schedule("daily 02:30 America/Chicago")
    assert daily.at == time(2, 30)
    # 12:00 UTC is 06:00 in Chicago: 02:30 has passed, so tomorrow 02:30 CST = 08:30 UTC.
    assert daily.next_after(NOON) == datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
    evening = parse_schedule("daily 23:00 America/Chicago")
    assert evening.next_after(NOON) == datetime(2026, 3, 3, 5, 0, tzinfo=UTC)


def test_daily_schedule_follows_the_clock_change() -> None:
    daily = parse_schedule("daily 02:30 Europe/Berlin")
    before = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # Saturday; the clocks go forward on Sunday at 02:00
    # 02:30 does not exist on Sunday in Berlin; zoneinfo reads it with the winter offset (01:30 UTC).
    first = daily.next_after(before)
    assert first is not None
    assert first.date() == datetime(2026, 3, 29, tzinfo=UTC).date()
    second = daily.next_after(first)
    assert second == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)  # CEST from then on


def test_daily_schedule_in_local_time_is_within_a_day() -> None:
    daily = parse_schedule("daily 04:15")
    due = daily.next_after(NOON)
    assert due is not None
    assert NOON < due <= NOON + timedelta(days=1, hours=1)
    assert due.astimezone().time() == time(4, 15)


def test_off_never_falls_due() -> None:
    assert parse_schedule("off").next_after(NOON) is None
    assert not parse_schedule("never").enabled


@pytest.mark.parametrize("text", ["hourly", "daily 24:00", "daily 7", "every 0 minutes", "every 5 days", ""])
def test_bad_schedules_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected|not a time of day|at least 1"):
        parse_schedule(text)


def test_unknown_zone_is_named() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Base'"):
        parse_schedule("daily 02:00 Mars/Base")


@pytest.mark.parametrize(
    ("text", "longest"),
    [("every 9999999999999 hours", "8784 hours"), ("every 527041 minutes", "527040 minutes")],
)
def test_intervals_longer_than_a_year_are_refused_not_overflowed(text: str, longest: str) -> None:
    with pytest.raises(ValueError, match=f"at most {longest}"):
        parse_schedule(text)
    assert parse_schedule("every 8784 hours").every == timedelta(days=366)
