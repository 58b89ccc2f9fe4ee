"""Table definitions of the AIS emulator and JD Edwards column rules (types, lengths, decimals).

Written from Oracle's table references (erpref.com, schema 9.2; the F0111Z1/F0101Z2 batch field lists of
the Address Book implementation guide), independently of the client. A write goes through
:meth:`Column.coerce`, which does what a JD Edwards form control and the database do to a value: text is
cut to the column's length (and upper-cased for UDC codes), numbers are rounded half up to the column's
stored decimals, dates are plain dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final, Literal

import attrs

__all__ = ["BUILT_IN_TABLES", "Column", "ColumnRuleError", "TableDef"]

Kind = Literal["text", "number", "date"]


class ColumnRuleError(ValueError):
    """A value does not fit its column (not a number, too many digits, not a date)."""


def _to_decimal(value: object, alias: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ColumnRuleError(f"{alias}: {value!r} is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip() or "0")
        except InvalidOperation:
            raise ColumnRuleError(f"{alias}: {value!r} is not a number") from None
    raise ColumnRuleError(f"{alias}: {value!r} is not a number")


def _to_date(value: object, alias: str) -> date | None:
    if value is None or value in ("", 0):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) == 8 and text.isdigit():
        return None if text == "00000000" else date(int(text[:4]), int(text[4:6]), int(text[6:]))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ColumnRuleError(f"{alias}: {value!r} is not a date") from None


@attrs.frozen(kw_only=True)
class Column:
    """One column of an emulated table.

    Attributes:
        alias: The data dictionary alias (``"ALPH"``).
        kind: ``"text"``, ``"number"`` or ``"date"``.
        length: Characters of a text column; digits of a number column (decimals included).
        decimals: Stored decimals of a number column.
        title: The column title AIS shows in ``gridData.columns``.
        upper: Upper-case written text (UDC codes).
    """

    alias: str
    kind: Kind = "text"
    length: int = 1
    decimals: int = 0
    title: str = ""
    upper: bool = False

    @property
    def default(self) -> object:
        """The value of a column never written: blank, zero, or no date."""
        if self.kind == "text":
            return ""
        if self.kind == "number":
            return 0 if self.decimals == 0 else Decimal(0).scaleb(-self.decimals)
        return None

    def coerce(self, value: object) -> object:
        """Apply the column's rules to a written value.

        Args:
            value: The value written.

        Returns:
            The value as stored (text cut to the length, numbers rounded to the decimals).

        Raises:
            ColumnRuleError: The value cannot be stored in this column.
        """
        if self.kind == "text":
            text = "" if value is None else value if isinstance(value, str) else str(value)
            text = text[: self.length].rstrip()
            return text.upper() if self.upper else text
        if self.kind == "date":
            return _to_date(value, self.alias)
        if value is None:
            return self.default
        if self.decimals == 0 and type(value) is int:
            number: Decimal | int = value
        else:
            number = _to_decimal(value, self.alias).quantize(Decimal(1).scaleb(-self.decimals), ROUND_HALF_UP)
            if self.decimals == 0:
                number = int(number)
        if abs(number) >= 10 ** (self.length - self.decimals):
            raise ColumnRuleError(f"{self.alias}: {value!r} has more than {self.length} digits")
        return number

    def sort_value(self, value: object) -> object:
        """A value that orders like the database orders this column (blank dates first).

        Args:
            value: A stored value.
        """
        if value is None:
            return date.min if self.kind == "date" else self.default
        return value


@attrs.frozen(kw_only=True)
class TableDef:
    """An emulated table.

    Attributes:
        name: The table (``"F0101"``).
        title: Its description (``"Address Book Master"``).
        keys: The primary key columns, in order.
        columns: The columns by alias.
        indexes: Columns with an index (EQUAL and LIST on them are not full scans).
    """

    name: str
    title: str
    keys: tuple[str, ...]
    columns: Mapping[str, Column]
    indexes: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        name: str,
        title: str,
        keys: Iterable[str],
        columns: Iterable[Column],
        indexes: Iterable[str] = (),
    ) -> TableDef:
        """Define a table from its columns (the audit columns USER, PID, JOBN, UPMJ, UPMT are added).

        Args:
            name: The table (``"F55XYZ"``).
            title: Its description.
            keys: Its key columns, in order.
            columns: Its columns.
            indexes: Columns to index for lookups (LIST conditions on them stay fast).

        Returns:
            The table definition, for ``emu.tables.define()``.

        Raises:
            ValueError: A key is not one of the columns.
        """
        by_alias = {column.alias: column for column in (*columns, *_AUDIT)}
        keys = tuple(keys)
        missing = [key for key in keys if key not in by_alias]
        if missing:
            raise ValueError(f"{name}: key columns {missing} are not columns")
        return cls(name=name, title=title, keys=keys, columns=by_alias, indexes=tuple(indexes))


def _text(alias: str, length: int, title: str = "", *, upper: bool = False) -> Column:
    return Column(alias=alias, kind="text", length=length, title=title or alias, upper=upper)


def _udc(alias: str, length: int, title: str = "") -> Column:
    return _text(alias, length, title, upper=True)


def _number(alias: str, length: int, title: str = "", decimals: int = 0) -> Column:
    return Column(alias=alias, kind="number", length=length, decimals=decimals, title=title or alias)


def _date(alias: str, title: str = "") -> Column:
    return Column(alias=alias, kind="date", length=6, title=title or alias)


_AUDIT: Final = (
    _text("USER", 10, "User ID"),
    _text("PID", 10, "Program ID"),
    _text("JOBN", 10, "Work Station ID"),
    _date("UPMJ", "Date Updated"),
    _number("UPMT", 6, "Time Last Updated"),
)

_AN8: Final = _number("AN8", 8, "Address Number")
_IDLN: Final = _number("IDLN", 5, "Line Number ID")
_RCK7: Final = _number("RCK7", 5, "Line Number")

BUILT_IN_TABLES: Final[Mapping[str, TableDef]] = {
    table.name: table
    for table in (
        TableDef.build(
            "F0101",
            "Address Book Master",
            ("AN8",),
            (
                _AN8,
                _text("ALKY", 20, "Long Address Number"),
                _text("TAX", 20, "Tax ID"),
                _text("ALPH", 40, "Alpha Name"),
                _text("DC", 40, "Description Compressed"),
                _text("MCU", 12, "Business Unit"),
                _udc("SIC", 10, "Industry Class"),
                _udc("LNGP", 2, "Language"),
                _udc("AT1", 3, "Sch Typ"),
                _udc("CM", 2, "Credit Message"),
                _udc("TAXC", 1, "Person/Corporation Code"),
                _udc("ATP", 1, "Payables Y/N/M"),
                _udc("ATR", 1, "Receivables Y/N"),
                _text("TX2", 20, "Additional Ind Tax ID"),
                *(_udc(f"AC{n:02d}", 3, f"Category Code {n:02d}") for n in range(1, 31)),
            ),
            indexes=("ALKY", "TAX"),
        ),
        TableDef.build(
            "F0111",
            "Address Book - Who's Who",
            ("AN8", "IDLN"),
            (
                _AN8,
                _IDLN,
                _number("DSS5", 5, "Display Sequence"),
                _text("MLNM", 40, "Mailing Name"),
                _text("ATTL", 40, "Contact Title"),
                _text("REM1", 40, "Remark"),
                _text("SLNM", 40, "Salutation Name"),
                _text("ALPH", 40, "Alpha Name"),
                _text("DC", 40, "Description Compressed"),
                _text("GNNM", 25, "Given Name"),
                _text("MDNM", 25, "Middle Name"),
                _text("SRNM", 25, "Surname"),
                _udc("TYC", 1, "Type Code"),
                *(_udc(f"W{n:03d}", 3, f"Category Code - Who's Who {n:03d}") for n in range(1, 11)),
                _text("MLN1", 40, "Secondary Mailing Name"),
                _udc("NTYP", 3, "Contact Type"),
                _text("NICK", 40, "Nickname"),
                _udc("GEND", 1, "Gender"),
                _number("DDATE", 2, "Day of Birth"),
                _number("DMON", 2, "Month of Birth"),
                _number("DYR", 4, "Year of Birth"),
                _udc("ACTIN", 1, "Active/Inactive"),
            ),
            indexes=("REM1",),
        ),
        TableDef.build(
            "F0116",
            "Address by Date",
            ("AN8", "EFTB"),
            (
                _AN8,
                _date("EFTB", "Effective Date"),
                _text("ADD1", 40, "Address Line 1"),
                _text("ADD2", 40, "Address Line 2"),
                _text("ADD3", 40, "Address Line 3"),
                _text("ADD4", 40, "Address Line 4"),
                _text("ADDZ", 12, "Postal Code"),
                _text("CTY1", 25, "City"),
                _text("COUN", 25, "County"),
                _udc("ADDS", 3, "State"),
                _udc("CTR", 3, "Country"),
            ),
        ),
        TableDef.build(
            "F01151",
            "Electronic Address",
            ("AN8", "IDLN", "RCK7"),
            (
                _AN8,
                _IDLN,
                _RCK7,
                _udc("ETP", 4, "Electronic Address Type"),
                _text("EMAL", 256, "Email Address"),
            ),
            indexes=("EMAL",),
        ),
        TableDef.build(
            "F0115",
            "Address Book - Phone Numbers",
            ("AN8", "IDLN", "RCK7"),
            (
                _AN8,
                _IDLN,
                _RCK7,
                _udc("PHTP", 4, "Phone Type"),
                _text("AR1", 6, "Prefix"),
                _text("PH1", 20, "Phone"),
            ),
        ),
        TableDef.build(
            "F03012",
            "Customer Master by Line of Business",
            ("AN8", "CO"),
            (
                _AN8,
                _text("CO", 5, "Company"),
                _number("ACL", 15, "Credit Limit"),
                _udc("HDAR", 1, "Hold Invoices"),
                _udc("TRAR", 3, "Payment Terms - A/R"),
                _udc("CRCD", 3, "Currency Code"),
                _udc("TXA1", 10, "Tax Rate/Area"),
                _udc("EXR1", 2, "Tax Expl Code"),
                _udc("ARC", 2, "A/R Class"),
                _udc("CPGP", 8, "Customer Price Group"),
                _udc("HOLD", 2, "Hold Orders Code"),
                _udc("AC01", 3, "Category Code 01"),
                _date("DAOJ", "Date Account Opened"),
            ),
        ),
        TableDef.build(
            "F0401",
            "Supplier Master",
            ("AN8",),
            (
                _AN8,
                _udc("TRAP", 3, "Payment Terms - A/P"),
                _udc("HDPY", 1, "Hold Payment Code"),
                _udc("CRRP", 3, "Currency Code - A/P"),
                _udc("TXA2", 10, "Tax Rate/Area"),
                _udc("EXR2", 2, "Tax Expl Code"),
                _udc("CPGP", 8, "Price Group"),
            ),
        ),
    )
}
"""The tables the emulator serves out of the box."""
