"""Field values as the emulated Zoho CRM checks and stores them, and its per-record error envelopes.

Zoho answers a bad value with ``INVALID_DATA`` and details naming the field (``api_name``), where it was
(``json_path``) and what was expected (``expected_data_type`` or ``maximum_length``), as the v8 OpenAPI
examples show. Money is kept as ``Decimal`` rounded to the field's decimal places.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from jde_zoho_sdk.testing._zoho_schema import ZohoField

__all__ = ["RecordRefusedError", "invalid", "normalize", "unique_key"]

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_INTEGER: Final = 2_147_483_647


class RecordRefusedError(Exception):
    """One record refused, carrying the element Zoho puts in ``data[]`` (or the whole error answer)."""

    def __init__(self, code: str, message: str, details: dict[str, object]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def envelope(self) -> dict[str, object]:
        """The ``{"code", "details", "message", "status"}`` element."""
        return {"code": self.code, "details": self.details, "message": self.message, "status": "error"}


def invalid(field: str, path: str, **details: object) -> RecordRefusedError:
    """An ``INVALID_DATA`` refusal about ``field``."""
    return RecordRefusedError(
        "INVALID_DATA", "invalid data", {"api_name": field, "json_path": path, **details}
    )


def _expected(field: ZohoField, path: str, data_type: str | None = None) -> RecordRefusedError:
    return invalid(field.api_name, path, expected_data_type=data_type or field.data_type)


def _text(field: ZohoField, value: object, path: str, zone: tzinfo) -> str | None:
    if not isinstance(value, str):
        raise _expected(field, path)
    if value == "":
        return None
    if field.length is not None and len(value) > field.length:
        raise invalid(field.api_name, path, maximum_length=field.length)
    if field.data_type == "email" and not _EMAIL.fullmatch(value):
        raise _expected(field, path)
    return value


def _picklist(field: ZohoField, value: object, path: str, zone: tzinfo) -> str | None:
    if not isinstance(value, str):
        raise _expected(field, path)
    if value and value not in field.picklist:
        # UNCONFIRMED: the details of a value outside a picklist; the emulator names the field.
        raise invalid(
            field.api_name, path, expected_data_type="picklist", supported_values=list(field.picklist)
        )
    return value or None


def _boolean(field: ZohoField, value: object, path: str, zone: tzinfo) -> bool:
    if not isinstance(value, bool):
        raise _expected(field, path)
    return value


def _number(field: ZohoField, value: object, path: str, zone: tzinfo) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise _expected(field, path)
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise _expected(field, path)
    return number


def _currency(field: ZohoField, value: object, path: str, zone: tzinfo) -> Decimal:
    number = _number(field, value, path, zone)
    places = field.decimal_place if field.decimal_place is not None else 2
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if field.length is not None and len(rounded.as_tuple().digits) > field.length:
        raise invalid(field.api_name, path, maximum_length=field.length)
    return rounded


def _integer(field: ZohoField, value: object, path: str, zone: tzinfo) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _expected(field, path)
    if abs(value) > _MAX_INTEGER:
        raise invalid(field.api_name, path, maximum_length=field.length or 9)
    return value


def _date(field: ZohoField, value: object, path: str, zone: tzinfo) -> str:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _expected(field, path)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise _expected(field, path) from None
    return value


def _datetime(field: ZohoField, value: object, path: str, zone: tzinfo) -> str:
    if not isinstance(value, str):
        raise _expected(field, path)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _expected(field, path) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)  # UNCONFIRMED: Zoho reads an offset-less value in the org's zone
    return parsed.astimezone(zone).replace(microsecond=0).isoformat()


def _reference(field: ZohoField, value: object, path: str, zone: tzinfo) -> str:
    candidate = value.get("id") if isinstance(value, dict) else value
    if isinstance(candidate, int) and not isinstance(candidate, bool):
        candidate = str(candidate)
    if not isinstance(candidate, str) or not candidate.isdigit():
        raise _expected(field, path)
    return candidate


_CHECKS: Final[dict[str, Callable[[ZohoField, object, str, tzinfo], object]]] = {
    "text": _text,
    "textarea": _text,
    "email": _text,
    "phone": _text,
    "website": _text,
    "picklist": _picklist,
    "boolean": _boolean,
    "currency": _currency,
    "double": _number,
    "integer": _integer,
    "date": _date,
    "datetime": _datetime,
    "lookup": _reference,
    "ownerlookup": _reference,
}


def normalize(field: ZohoField, value: object, path: str, zone: tzinfo) -> object:
    """Check ``value`` against ``field`` and return it as Zoho stores it (None clears the field).

    Lookups come back as the referenced id; the caller checks that the record exists.

    Raises:
        RecordRefusedError: ``INVALID_DATA`` with ``expected_data_type`` or ``maximum_length``.
    """
    if value is None:
        return None
    check = _CHECKS.get(field.data_type)
    if check is None:
        raise _expected(field, path)
    return check(field, value, path, zone)


def unique_key(value: object) -> str:
    """The key a unique or duplicate-check value is compared by (case-insensitive text)."""
    return value.casefold() if isinstance(value, str) else str(value)
