"""Column declarations and the base of typed table rows: what a model of a JDE table is made of.

Declare a model of any table (your own F55 tables too) as a frozen attrs subclass of :class:`TableRow`
whose fields are :func:`text_column`, :func:`number_column`, :func:`amount_column` or :func:`date_column`;
:meth:`TableRow.from_row` builds it from a data service row and :meth:`TableRow.columns` names what to ask
for.

Example:
    >>> import attrs
    >>> @attrs.frozen(kw_only=True)
    ... class F5501(TableRow):
    ...     TABLE = "F5501"
    ...     KEYS = ("AN8",)
    ...     address_number: int = number_column("AN8")
    ...     note: str = text_column("NOTE")
    >>> F5501.from_row({"AN8": 7, "NOTE": "hi  "}).note
    'hi'
"""

# ruff: noqa: RUF009 - column declarations are attrs fields, like attrs.field itself
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final, Self

import attrs

from jde_zoho_sdk.jde.dates import from_jde_stamp, parse_row_date, zone
from jde_zoho_sdk.jde.rows import Row

__all__ = ["TableRow", "amount_column", "date_column", "number_column", "text_column"]

_ALIAS: Final = "jde_zoho_sdk.alias"
_CONVERT: Final = "jde_zoho_sdk.convert"


def _text(value: object) -> str:
    if type(value) is str:
        return value.rstrip()
    return "" if value is None else str(value).rstrip()


def _int(value: object) -> int:
    if type(value) is int:
        return value
    if value is None or value == "":
        return 0
    if isinstance(value, str):
        return int(Decimal(value.strip() or "0"))
    if isinstance(value, int | Decimal | float):
        return int(value)
    raise ValueError(f"{value!r} is not a number")


def _decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if value is None or value == "":
        return Decimal(0)
    try:
        return Decimal(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError):
        raise ValueError(f"{value!r} is not an amount") from None


def _date(value: object) -> date | None:
    return value if value is None or type(value) is date else parse_row_date(value)


def _col(alias: str, convert: Callable[[object], object]) -> Any:  # noqa: ANN401 - mirrors attrs.field
    return attrs.field(metadata={_ALIAS: alias, _CONVERT: convert})


def text_column(alias: str) -> Any:  # noqa: ANN401 - mirrors attrs.field
    """A text column (trailing blanks removed)."""
    return _col(alias, _text)


def number_column(alias: str) -> Any:  # noqa: ANN401 - mirrors attrs.field
    """A whole-number column."""
    return _col(alias, _int)


def amount_column(alias: str) -> Any:  # noqa: ANN401 - mirrors attrs.field
    """An amount column, as an exact ``Decimal``."""
    return _col(alias, _decimal)


def date_column(alias: str) -> Any:  # noqa: ANN401 - mirrors attrs.field
    """A date column (``None`` when blank)."""
    return _col(alias, _date)


@attrs.frozen(kw_only=True)
class TableRow:
    """Columns every table has (who changed the row, when), and the raw row.

    Attributes:
        user_id: USER, the user who last changed the row.
        program_id: PID, the program that last changed it.
        workstation_id: JOBN, the workstation.
        date_updated: UPMJ, server local date.
        time_updated: UPMT, server local time ``HHMMSS``.
        updated_at: UPMJ+UPMT as an aware UTC datetime (None when UPMJ is blank).
        raw: The row as AIS returned it.
    """

    TABLE: ClassVar[str] = ""
    KEYS: ClassVar[tuple[str, ...]] = ()

    user_id: str = text_column("USER")
    program_id: str = text_column("PID")
    workstation_id: str = text_column("JOBN")
    date_updated: date | None = date_column("UPMJ")
    time_updated: int = number_column("UPMT")
    updated_at: datetime | None = attrs.field(default=None)
    raw: Row = attrs.field(factory=Row, eq=False, repr=False)

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The aliases this model reads (keys first), for ``browse(columns=...)``."""
        return tuple(alias for _name, alias, _convert in _spec(cls))

    @classmethod
    def from_row(cls, row: Mapping[str, object], server_zone: str | tzinfo = "UTC") -> Self:
        """Build the model from a data service row.

        Args:
            row: The row (a :class:`Row` or any mapping by alias).
            server_zone: The JDE database server's zone, for ``updated_at``.

        Returns:
            The model.

        Raises:
            ValueError: A cell cannot be read as its column's type.
        """
        # The Row's own dictionary answers .get() several times faster than the Mapping method.
        get = row._values.get if isinstance(row, Row) else row.get
        values: dict[str, Any] = {name: convert(get(alias)) for name, alias, convert in _spec(cls)}
        stamp = from_jde_stamp(values["date_updated"], values["time_updated"], zone(server_zone))
        raw = row if isinstance(row, Row) else Row(row)
        return cls(**values, updated_at=stamp, raw=raw)


_SPECS: dict[type[TableRow], tuple[tuple[str, str, Callable[[object], object]], ...]] = {}


def _spec(cls: type[TableRow]) -> tuple[tuple[str, str, Callable[[object], object]], ...]:
    spec = _SPECS.get(cls)
    if spec is None:
        fields = [field for field in attrs.fields(cls) if _ALIAS in field.metadata]
        keys = {alias: index for index, alias in enumerate(cls.KEYS)}
        fields.sort(key=lambda field: keys.get(field.metadata[_ALIAS], len(keys)))
        spec = _SPECS[cls] = tuple((f.name, f.metadata[_ALIAS], f.metadata[_CONVERT]) for f in fields)
    return spec
