"""Small value helpers shared by the mapper's JDE and Zoho halves (text, amounts, lengths)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

from jde_zoho_sdk.errors import MappingError
from jde_zoho_sdk.sync.model import Entity

__all__ = ["ADDRESS_LINES", "MODULES", "as_int", "cut", "decimal", "text"]

ADDRESS_LINES: Final = ("address_line1", "address_line2", "address_line3", "address_line4")
MODULES: Final = {Entity.CUSTOMER: "Accounts", Entity.CONTACT: "Contacts", Entity.SUPPLIER: "Vendors"}
_MAX_AMOUNT_DIGITS: Final = 15  # JDE amounts are Numeric 15 (F03012.ACL); Zoho currency fields hold 16


def text(row: Mapping[str, object] | None, key: str) -> str:
    if row is None:
        return ""
    value = row.get(key)
    if value is None:
        return ""
    return str(value).strip()


def decimal(value: object, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MappingError(f"expected an amount, got {value!r}", field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise MappingError(f"expected an amount, got {value!r}", field=field) from None
    if not amount.is_finite():
        raise MappingError(f"expected a finite amount, got {value!r}", field=field)
    if amount.adjusted() >= _MAX_AMOUNT_DIGITS:
        raise MappingError(f"amount {value} has more than {_MAX_AMOUNT_DIGITS} digits", field=field)
    return amount


def cut(value: str, length: int | None) -> str:
    value = value.strip()
    return value[:length].rstrip() if length is not None else value


def as_int(value: object) -> int:
    try:
        return int(str(value)) if value not in (None, "") else 0
    except ValueError:
        return 0
