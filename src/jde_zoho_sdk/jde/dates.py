"""JD Edwards dates: Julian ``CYYDDD``, ``YYYYMMDD`` row strings, user date formats, and UPMJ+UPMT stamps.

JD Edwards stores dates as Julian ``CYYDDD`` numbers (C = centuries after 1900, YY = year in the century,
DDD = day of the year; ``124032`` is 1 February 2024). AIS returns date columns of GRID_DATA rows as
``"YYYYMMDD"`` strings, and takes query values in the user's date format (``userInfo.simpleDateFormat``).

The audit columns UPMJ (date updated) and UPMT (time updated, ``HHMMSS`` as a number: ``93015`` is
09:30:15) are stamped in the *database server's* local time, without a zone. :func:`from_jde_stamp` turns
them into an aware UTC ``datetime`` given that zone. In the repeated hour of the autumn clock change a
local reading names two instants; :func:`jde_stamp_readings` gives both, and :func:`from_jde_stamp` picks
the earlier one (``fold=0``), the conservative choice for a change cursor.

Example:
    >>> julian_to_date(124032)
    datetime.date(2024, 2, 1)
    >>> from_jde_stamp(date(2024, 11, 3), 13000, "America/Chicago").isoformat()
    '2024-11-03T06:30:00+00:00'
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

import attrs

__all__ = [
    "DateFormat",
    "date_to_julian",
    "format_yyyymmdd",
    "from_jde_stamp",
    "jde_stamp_readings",
    "julian_to_date",
    "parse_row_date",
    "time_to_upmt",
    "to_jde_stamp",
    "upmt_to_time",
    "zone",
]

_EPOCH_YEAR: Final = 1900
_MAX_JULIAN: Final = 999366  # C = 9: the year 2899


def zone(value: str | tzinfo) -> tzinfo:
    """Resolve a time zone given by IANA name (``"America/Chicago"``) or as a ``tzinfo``.

    Args:
        value: The zone's name, or a ``tzinfo`` (returned as it is).

    Returns:
        The zone.

    Raises:
        ValueError: The name is not a known IANA zone.
    """
    if isinstance(value, tzinfo):
        return value
    try:
        return ZoneInfo(value)
    except (KeyError, ValueError) as unknown:
        raise ValueError(f"unknown time zone {value!r}; give an IANA name ('America/Chicago')") from unknown


def julian_to_date(value: int | str | Decimal | None) -> date | None:
    """Convert a JD Edwards Julian date ``CYYDDD`` to a date.

    Args:
        value: The Julian number (``124032``), as an int, a numeric string or a Decimal.

    Returns:
        The date, or None for a blank or zero value (JD Edwards' "no date").

    Raises:
        ValueError: Not a Julian date (day 0, negative, or beyond the year 2899).

    Example:
        >>> julian_to_date(100001), julian_to_date(0)
        (datetime.date(2000, 1, 1), None)
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    number = int(value)
    if number == 0:
        return None
    years, day = divmod(number, 1000)
    if number < 0 or number > _MAX_JULIAN or day == 0:
        raise ValueError(f"{value!r} is not a JD Edwards Julian date (CYYDDD)")
    # DDD may pass 365 in data written by old programs ("099666"): count days instead of parsing.
    return date(_EPOCH_YEAR + years, 1, 1) + timedelta(days=day - 1)


def date_to_julian(value: date) -> int:
    """Convert a date to JD Edwards Julian ``CYYDDD``.

    Args:
        value: The date.

    Returns:
        The Julian number.

    Raises:
        ValueError: The date is before 1900 or after 2899.

    Example:
        >>> date_to_julian(date(1998, 7, 4))
        98185
    """
    if not _EPOCH_YEAR <= value.year <= 2899:
        raise ValueError(f"{value} cannot be written as a JD Edwards Julian date (years 1900-2899)")
    return (value.year - _EPOCH_YEAR) * 1000 + value.timetuple().tm_yday


@functools.lru_cache(maxsize=8192)
def _parse_text_date(text: str) -> date | None:
    text = text.strip()
    if not text or text.strip("0") == "":
        return None
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return date.fromisoformat(text)
    raise ValueError(f"{text!r} is not a YYYYMMDD date")


def parse_row_date(value: object) -> date | None:
    """Read a date cell of an AIS GRID_DATA row (``"20240201"``).

    Args:
        value: The cell: a ``YYYYMMDD`` string (ISO ``YYYY-MM-DD`` is accepted too), a date, or a blank.

    Returns:
        The date, or None for blank, ``"0"``, ``"00000000"`` and null.

    Raises:
        ValueError: Not a date.

    Example:
        >>> parse_row_date("20240201"), parse_row_date("")
        (datetime.date(2024, 2, 1), None)
    """
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        return _parse_text_date(value)
    if isinstance(value, int | Decimal):
        return None if value == 0 else _parse_text_date(str(int(value)))
    raise ValueError(f"{value!r} is not a YYYYMMDD date")


def format_yyyymmdd(value: date) -> str:
    """Format a date as AIS writes it in rows: ``"20240201"``.

    Args:
        value: The date.
    """
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def upmt_to_time(value: int | str | Decimal | None) -> time | None:
    """Convert a UPMT number ``HHMMSS`` (leading zeros dropped: ``93015``) to a time.

    Args:
        value: The UPMT value (int, numeric string or Decimal).

    Returns:
        The time, or None for a blank value.

    Raises:
        ValueError: Not a time of day.

    Example:
        >>> upmt_to_time(93015)
        datetime.time(9, 30, 15)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    hours, rest = divmod(int(value), 10000)
    minutes, seconds = divmod(rest, 100)
    if not (0 <= hours < 24 and minutes < 60 and seconds < 60):
        raise ValueError(f"{value!r} is not a JD Edwards time (HHMMSS)")
    return time(hours, minutes, seconds)


def time_to_upmt(value: time) -> int:
    """Convert a time to the UPMT number ``HHMMSS`` (seconds and below are truncated).

    Args:
        value: The time of day.
    """
    return value.hour * 10000 + value.minute * 100 + value.second


def _local(upmj: date, upmt: int | str | Decimal | None, where: tzinfo) -> datetime:
    return datetime.combine(upmj, upmt_to_time(upmt) or time(0), tzinfo=where)


def jde_stamp_readings(
    upmj: date | None, upmt: int | str | Decimal | None, server_zone: str | tzinfo
) -> tuple[datetime, ...]:
    """Every UTC instant a local UPMJ+UPMT reading can name: one, or two in the repeated autumn hour.

    A reading inside the skipped spring hour (which no correct clock produces) gives both offsets too.

    Args:
        upmj: The date updated (None when blank).
        upmt: The time updated, ``HHMMSS``.
        server_zone: The JDE database server's zone.

    Returns:
        The instants in UTC, earliest first; empty when ``upmj`` is None.
    """
    if upmj is None:
        return ()
    local = _local(upmj, upmt, zone(server_zone))
    first = local.astimezone(UTC)
    second = local.replace(fold=1).astimezone(UTC)
    return (first,) if first == second else tuple(sorted((first, second)))


@functools.lru_cache(maxsize=4096)
def _offset_all_day(day: date, where: tzinfo) -> timedelta | None:
    """The UTC offset of ``where`` on ``day`` when it is the same all day long, else None (a change day)."""
    start = datetime.combine(day, time(0), tzinfo=where)
    end = datetime.combine(day, time(23, 59, 59), tzinfo=where)
    offsets = {moment.replace(fold=fold).utcoffset() for moment in (start, end) for fold in (0, 1)}
    return offsets.pop() if len(offsets) == 1 else None


def from_jde_stamp(
    upmj: date | None, upmt: int | str | Decimal | None, server_zone: str | tzinfo
) -> datetime | None:
    """Convert UPMJ+UPMT (server local time) to an aware UTC datetime: the earliest possible reading.

    Args:
        upmj: The date updated (None when blank).
        upmt: The time updated, ``HHMMSS`` (None or blank is midnight).
        server_zone: The JDE database server's zone.

    Returns:
        The instant in UTC, or None when ``upmj`` is None.

    Raises:
        ValueError: ``upmt`` is not a time of day.

    Example:
        >>> from_jde_stamp(date(2024, 7, 1), 93015, "America/Chicago").isoformat()
        '2024-07-01T14:30:15+00:00'
    """
    if upmj is None:
        return None
    where = zone(server_zone)
    moment = upmt_to_time(upmt) or time(0)
    offset = _offset_all_day(upmj, where)
    if offset is None:  # the day of a clock change: the two readings may differ
        local = datetime.combine(upmj, moment, tzinfo=where)
        offset = max(local.utcoffset() or timedelta(0), local.replace(fold=1).utcoffset() or timedelta(0))
    return datetime.combine(upmj, moment, tzinfo=UTC) - offset


def to_jde_stamp(moment: datetime, server_zone: str | tzinfo) -> tuple[date, int]:
    """Convert an aware datetime to the (UPMJ, UPMT) a JDE server in ``server_zone`` stamps at that instant.

    Args:
        moment: An aware datetime.
        server_zone: The JDE database server's zone.

    Returns:
        The local date and the ``HHMMSS`` time number.

    Raises:
        ValueError: ``moment`` is naive.

    Example:
        >>> to_jde_stamp(datetime(2024, 7, 1, 14, 30, 15, tzinfo=UTC), "America/Chicago")
        (datetime.date(2024, 7, 1), 93015)
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("give an aware datetime (with tzinfo); a naive one has no defined instant")
    local = moment.astimezone(zone(server_zone))
    return local.date(), time_to_upmt(local.time())


_JAVA_TOKENS: Final = re.compile(r"yyyy|yy|MM|M|dd|d|'[^']*'|.", re.S)
_CODE_PARTS: Final = {"D": "dd", "M": "MM", "E": "yyyy", "Y": "yy"}


@attrs.frozen
class DateFormat:
    """A user's date format, as AIS reports it in ``userInfo``, for writing query values.

    Attributes:
        pattern: The Java ``SimpleDateFormat`` pattern, such as ``"MM/dd/yyyy"``.

    Example:
        >>> DateFormat.from_user_info(simple_date_format="", date_format="DME", separator=".").format(
        ...     date(2024, 2, 1)
        ... )
        '01.02.2024'
    """

    pattern: str = "MM/dd/yyyy"

    @classmethod
    def from_user_info(cls, *, simple_date_format: str, date_format: str, separator: str = "/") -> DateFormat:
        """Build from ``simpleDateFormat``, else from the ``dateFormat`` code and ``dateSeperator``.

        Args:
            simple_date_format: ``userInfo.simpleDateFormat`` (``"MM/dd/yyyy"``), possibly empty.
            date_format: ``userInfo.dateFormat``, a code such as ``"MDE"``.
            separator: ``userInfo.dateSeperator`` (AIS's spelling).

        Returns:
            The format; ``MM/dd/yyyy`` when neither says.
        """
        if simple_date_format.strip():
            return cls(simple_date_format.strip())
        code = date_format.strip().upper()
        if len(code) == 3 and all(letter in _CODE_PARTS for letter in code):
            return cls((separator or "/").join(_CODE_PARTS[letter] for letter in code))
        return cls()

    def format(self, value: date) -> str:
        """Write ``value`` in this format.

        Args:
            value: The date.
        """
        fields = {
            "yyyy": f"{value.year:04d}",
            "yy": f"{value.year % 100:02d}",
            "MM": f"{value.month:02d}",
            "M": str(value.month),
            "dd": f"{value.day:02d}",
            "d": str(value.day),
        }
        return "".join(
            fields.get(part, part.strip("'") if part.startswith("'") else part)
            for part in _JAVA_TOKENS.findall(self.pattern)
        )
