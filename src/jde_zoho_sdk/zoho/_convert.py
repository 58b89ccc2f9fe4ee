"""The one converter for Zoho CRM JSON: decimals kept exact, datetimes aware, unknown keys kept.

Zoho sends money as JSON numbers (``"Credit_Limit": 5000.5``); reading them as ``float`` would lose
cents on large values, so every JSON number with a fraction is parsed as :class:`~decimal.Decimal`.
Writing goes the other way: a ``Decimal`` is sent as the JSON number with exactly its digits.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

import cattrs

from jde_zoho_sdk._wire import loads_exact, make_converter

__all__ = ["converter", "dumps", "format_datetime", "loads", "parse_datetime", "to_decimal"]


def loads(content: bytes | str) -> object:
    """Parse Zoho JSON, numbers with a fraction as ``Decimal`` (see :func:`jde_zoho_sdk._wire.loads_exact`).

    Raises:
        ValueError: The content is not JSON, or is nested too deeply.
    """
    return loads_exact(content)


def _exact_number(value: Decimal) -> int | float:
    if not value.is_finite():
        raise ValueError(f"{value} is not a number Zoho can store")
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    # float's repr is the shortest text that reads back as the same float: when it reads back as the
    # same decimal, the JSON text carries exactly the caller's digits.
    if Decimal(repr(as_float)) != value:
        raise ValueError(f"{value} has more significant digits than Zoho keeps (at most 15)")
    return as_float


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return _exact_number(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sent to Zoho")


_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default)


def dumps(value: object) -> bytes:
    """Encode a request body: ``Decimal`` as an exact JSON number, datetimes and dates as ISO 8601.

    Raises:
        ValueError: A decimal that is not finite or has more than 15 significant digits, or a naive datetime.
        TypeError: A value of a type JSON cannot hold.
    """
    return _ENCODER.encode(value).encode()


def parse_datetime(text: object) -> datetime:
    """Parse a Zoho datetime (``2023-10-15T14:20:00+05:30``) into an aware datetime.

    Raises:
        TypeError: Not a string.
        ValueError: Not ISO 8601, or without an offset.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected an ISO 8601 datetime string, got {type(text).__name__}")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"datetime {text!r} has no UTC offset")
    return parsed


def format_datetime(value: datetime) -> str:
    """Format an aware datetime as Zoho expects it: ISO 8601, seconds precision, with its offset.

    Raises:
        ValueError: ``value`` is naive (Zoho would read it in the org's zone, which we cannot know).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a datetime sent to Zoho must be timezone-aware")
    return value.replace(microsecond=0).isoformat()


def to_decimal(value: object) -> Decimal:
    """Read a Zoho number (int, ``Decimal`` or numeric string) as a ``Decimal``; never via ``float``.

    Raises:
        TypeError: ``value`` is a bool, a float or not a number at all.
        ValueError: ``value`` is not a finite number.
    """
    if isinstance(value, bool | float):
        raise TypeError(f"expected an exact number, got {type(value).__name__}")
    if isinstance(value, Decimal | int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise TypeError(f"expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def _structure_datetime(value: object, _type: object) -> datetime:
    return parse_datetime(value)


def _structure_decimal(value: object, _type: object) -> Decimal:
    return to_decimal(value)


def _structure_str(value: object, _type: object) -> str:
    # Ids arrive as strings or (older versions, some endpoints) as numbers; both mean the same id.
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _structure_int(value: object, _type: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def _structure_bool(value: object, _type: object) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {type(value).__name__}")


def _build() -> cattrs.Converter:
    built = make_converter()
    built.register_structure_hook(datetime, _structure_datetime)
    built.register_structure_hook(Decimal, _structure_decimal)
    # cattrs' defaults coerce (str(5), int("5"), bool("no")); Zoho answers are checked, not coerced.
    built.register_structure_hook(str, _structure_str)
    built.register_structure_hook(int, _structure_int)
    built.register_structure_hook(bool, _structure_bool)
    built.register_unstructure_hook(datetime, format_datetime)
    return built


converter: Final = _build()
"""The cattrs converter for Zoho CRM models."""
