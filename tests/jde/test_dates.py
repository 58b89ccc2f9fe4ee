"""JDE dates: Julian CYYDDD, YYYYMMDD cells, user date formats and UPMJ+UPMT stamps across clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jde_zoho_sdk.jde.dates import (
    DateFormat,
    date_to_julian,
    format_yyyymmdd,
    from_jde_stamp,
    jde_stamp_readings,
    julian_to_date,
    parse_row_date,
    time_to_upmt,
    to_jde_stamp,
    upmt_to_time,
)

CHICAGO = ZoneInfo("America/Chicago")
JDE_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2899, 12, 31))
ZONES = st.sampled_from(["America/Chicago", "Europe/Berlin", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"])


@pytest.mark.parametrize(
    ("julian", "expected"),
    [
        (100001, date(2000, 1, 1)),
        (98185, date(1998, 7, 4)),
        ("098185", date(1998, 7, 4)),
        (124032, date(2024, 2, 1)),
        (124366, date(2024, 12, 31)),
        (99666, date(2000, 10, 27)),  # DDD past 365, as JD Edwards World documents
    ],
)
def test_julian_dates_read_as_documented(julian: int | str, expected: date) -> None:
    assert julian_to_date(julian) == expected


@pytest.mark.parametrize("blank", [0, "0", "", "   ", None])
def test_blank_julian_is_no_date(blank: int | str | None) -> None:
    assert julian_to_date(blank) is None


@pytest.mark.parametrize("bad", [124000, -1, 1_000_001])
def test_impossible_julian_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="Julian"):
        julian_to_date(bad)


@given(JDE_DATES)
def test_julian_round_trip(day: date) -> None:
    assert julian_to_date(date_to_julian(day)) == day


def test_dates_outside_jde_range_cannot_be_julian() -> None:
    with pytest.raises(ValueError, match="1900-2899"):
        date_to_julian(date(1899, 12, 31))


@given(st.dates())
def test_row_date_round_trip(day: date) -> None:
    assert parse_row_date(format_yyyymmdd(day)) == day


@pytest.mark.parametrize("blank", ["", "0", "00000000", None, 0])
def test_blank_row_dates_are_none(blank: object) -> None:
    assert parse_row_date(blank) is None


def test_row_date_rejects_other_text() -> None:
    with pytest.raises(ValueError, match="YYYYMMDD"):
        parse_row_date("01/02/2024")


@given(st.times())
def test_upmt_round_trip_to_the_second(moment: time) -> None:
    assert upmt_to_time(time_to_upmt(moment)) == moment.replace(microsecond=0, tzinfo=None)


@pytest.mark.parametrize("bad", [240000, 96000, 1261])
def test_upmt_rejects_impossible_times(bad: int) -> None:
    with pytest.raises(ValueError, match="HHMMSS"):
        upmt_to_time(bad)


def test_stamp_is_read_in_the_server_zone() -> None:
    assert from_jde_stamp(date(2024, 7, 1), 93015, "America/Chicago") == datetime(
        2024, 7, 1, 14, 30, 15, tzinfo=UTC
    )
    assert from_jde_stamp(date(2024, 1, 15), 93015, CHICAGO) == datetime(2024, 1, 15, 15, 30, 15, tzinfo=UTC)
    assert from_jde_stamp(None, 93015, CHICAGO) is None


def test_repeated_autumn_hour_has_two_readings_and_the_earlier_is_used() -> None:
    readings = jde_stamp_readings(date(2024, 11, 3), 13000, CHICAGO)  # 01:30 happens twice in Chicago
    assert readings == (datetime(2024, 11, 3, 6, 30, tzinfo=UTC), datetime(2024, 11, 3, 7, 30, tzinfo=UTC))
    assert from_jde_stamp(date(2024, 11, 3), 13000, CHICAGO) == readings[0]


def test_skipped_spring_hour_gives_both_offsets_and_the_earlier_instant() -> None:
    readings = jde_stamp_readings(date(2024, 3, 10), 23000, CHICAGO)  # 02:30 never happened
    assert len(readings) == 2
    assert from_jde_stamp(date(2024, 3, 10), 23000, CHICAGO) == readings[0]


def test_ordinary_times_have_one_reading() -> None:
    assert jde_stamp_readings(date(2024, 11, 3), 30000, CHICAGO) == (datetime(2024, 11, 3, 9, 0, tzinfo=UTC),)


@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    ZONES,
)
def test_stamp_round_trip_is_one_of_the_readings(moment: datetime, zone_name: str) -> None:
    instant = moment.replace(microsecond=0)
    upmj, upmt = to_jde_stamp(instant, zone_name)
    readings = jde_stamp_readings(upmj, upmt, zone_name)
    assert instant in readings
    assert from_jde_stamp(upmj, upmt, zone_name) == min(readings)


def test_to_jde_stamp_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        to_jde_stamp(datetime(2024, 7, 1, 9, 30), CHICAGO)


@pytest.mark.parametrize(
    ("simple", "code", "separator", "expected"),
    [
        ("MM/dd/yyyy", "MDE", "/", "02/01/2024"),
        ("dd/MM/yyyy", "DME", "/", "01/02/2024"),
        ("", "DME", ".", "01.02.2024"),
        ("", "EMD", "-", "2024-02-01"),
        ("", "YMD", "/", "24/02/01"),
        ("", "??", "/", "02/01/2024"),
        ("d.M.yyyy", "", "", "1.2.2024"),
    ],
)
def test_user_date_formats(simple: str, code: str, separator: str, expected: str) -> None:
    pattern = DateFormat.from_user_info(simple_date_format=simple, date_format=code, separator=separator)
    assert pattern.format(date(2024, 2, 1)) == expected


@given(JDE_DATES)
def test_user_format_reads_back_with_strptime(day: date) -> None:
    assert datetime.strptime(DateFormat("MM/dd/yyyy").format(day), "%m/%d/%Y").date() == day


def test_unknown_zone_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="IANA"):
        from_jde_stamp(date(2024, 1, 1), 0, "Mars/Olympus")


def test_stamp_cache_is_exact_on_the_change_day_and_the_days_around() -> None:
    for offset in range(-2, 3):
        day = date(2024, 11, 3) + timedelta(days=offset)
        for upmt in (0, 5959, 10000, 13000, 20000, 235959):
            local = datetime.combine(day, upmt_to_time(upmt) or time(0), tzinfo=CHICAGO)
            assert from_jde_stamp(day, upmt, CHICAGO) == min(
                local.astimezone(UTC), local.replace(fold=1).astimezone(UTC)
            )
