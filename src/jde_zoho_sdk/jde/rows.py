"""Rows of AIS data service answers, and the parsing of one GRID_DATA page into them.

AIS keys the cells of a GRID_DATA row ``<TABLE>_<ALIAS>`` (``"F0101_AN8"``). A :class:`Row` is a read-only
mapping keyed by the bare alias (``"AN8"``) with the values as AIS sent them, except that numbers with a
fraction are exact ``Decimal`` (never ``float``) and the cells of date columns (``"20240201"``) are
``datetime.date`` (``None`` when blank). Parsing is the hot path of every browse, so rows are built
straight from the decoded JSON dictionaries, once per row, without per-cell validation.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Final, cast

import attrs

from jde_zoho_sdk.jde.dates import parse_row_date
from jde_zoho_sdk.jde.errors import (
    AisUnexpectedResponseError,
    AisValidationError,
    iter_form_errors,
    loads,
)

__all__ = ["DEFAULT_DATE_COLUMNS", "Page", "Row", "parse_page"]

DEFAULT_DATE_COLUMNS: Final = frozenset({"UPMJ", "EFTB", "EFTE", "DAOJ", "DLP", "DLIJ", "DFIJ"})
"""Aliases whose cells are dates in the tables this SDK reads (UPMJ everywhere, EFTB in F0116...)."""

_MISSING: Final = object()


def _bare(key: str) -> str:
    """``"AN8"`` from ``"F0101.AN8"`` or ``"F0101_AN8"``."""
    for separator in (".", "_"):
        if separator in key:
            return key.split(separator, 1)[1]
    return key


def cells(row: Mapping[str, object]) -> Mapping[str, object]:
    """The cells of ``row`` by alias, as a plain mapping (a :class:`Row`'s own dict: no copy).

    For hot loops that look up aliases only: a dict lookup skips :meth:`Row.get`'s qualified-name
    fallback (a Python call per cell). Never mutate what it returns.
    """
    return row._values if type(row) is Row else row


class Row(Mapping[str, object]):
    """One row of a data service answer: a read-only mapping from column alias to value.

    Qualified names are accepted on lookup too: ``row["AN8"]``, ``row["F0101.AN8"]`` and
    ``row["F0101_AN8"]`` are the same cell.

    Args:
        values: The cells by alias.

    Example:
        >>> row = Row({"AN8": 4242, "ALPH": "Acme"})
        >>> row["F0101.AN8"], row.get("TAX")
        (4242, None)
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, object] | Iterable[tuple[str, object]] = ()) -> None:
        self._values: dict[str, object] = dict(values)

    @classmethod
    def _adopt(cls, values: dict[str, object]) -> Row:
        """Wrap ``values`` without copying (the caller gives it up)."""
        row = cls.__new__(cls)
        row._values = values
        return row

    def __getitem__(self, key: str) -> object:
        try:
            return self._values[key]
        except KeyError:
            bare = _bare(key)
            if bare != key and bare in self._values:
                return self._values[bare]
            raise

    def get(self, key: str, default: object = None) -> object:
        """The cell of ``key`` (alias or qualified name), or ``default``.

        Args:
            key: The column (``"AN8"`` or ``"F0101.AN8"``).
            default: What to return when the row has no such column.
        """
        value = self._values.get(key, _MISSING)
        if value is _MISSING:
            value = self._values.get(_bare(key), default)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self._values or _bare(key) in self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> KeysView[str]:
        """The aliases, in AIS order."""
        return self._values.keys()

    def values(self) -> ValuesView[object]:
        """The cells, in AIS order."""
        return self._values.values()

    def items(self) -> ItemsView[str, object]:
        """``(alias, cell)`` pairs, in AIS order."""
        return self._values.items()

    def to_dict(self) -> dict[str, object]:
        """A mutable copy of the cells."""
        return dict(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values
        if isinstance(other, Mapping):
            return self._values == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Row({self._values!r})"


@attrs.frozen(kw_only=True)
class Page:
    """One page of a data service answer.

    Attributes:
        rows: The rows of the page.
        more_records: ``summary.moreRecords``: the result set holds more rows.
        records: ``summary.records``: the rows in this page, as AIS counted them.
        next_href: The ``links[rel=next]`` URL (it embeds the session token: never log it).
        title: The form title AIS sent (``"Data Browser - F0101 [Address Book Master]"``).
    """

    rows: list[Row]
    more_records: bool
    records: int
    next_href: str | None = attrs.field(default=None, repr=False)
    title: str = ""


def _mapping(value: object, where: str, what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise AisUnexpectedResponseError(f"{what}: {where} is missing or not a JSON object")
    return cast(Mapping[str, object], value)


def _form_of(body: Mapping[str, object], target: str, what: str) -> Mapping[str, object]:
    form = body.get(f"fs_DATABROWSE_{target}")
    if form is None:
        # A view or a batch request may key the form differently; take the only data browser form.
        forms = [value for key, value in body.items() if key.startswith("fs_") and "DATABROWSE" in key]
        form = forms[0] if len(forms) == 1 else None
    return _mapping(form, f"fs_DATABROWSE_{target}", what)


def _next_href(body: Mapping[str, object]) -> str | None:
    links = body.get("links")
    if isinstance(links, list):
        for link in links:
            if isinstance(link, Mapping) and link.get("rel") == "next" and isinstance(link.get("href"), str):
                return cast(str, link["href"])
    return None


def _layout(keys: tuple[str, ...], date_columns: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    aliases = tuple(_bare(key) for key in keys)
    return aliases, tuple(alias for alias in aliases if alias in date_columns)


def _rows(rowset: list[object], date_columns: frozenset[str], what: str) -> list[Row]:
    layouts: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
    rows: list[Row] = []
    append = rows.append
    adopt = Row._adopt
    for raw in rowset:
        if not isinstance(raw, dict):
            raise AisUnexpectedResponseError(f"{what}: a rowset entry is not a JSON object")
        keys = tuple(raw)
        layout = layouts.get(keys)
        if layout is None:
            layout = layouts[keys] = _layout(keys, date_columns)
        values = dict(zip(layout[0], raw.values(), strict=True))
        for alias in layout[1]:
            try:
                values[alias] = parse_row_date(values[alias])
            except ValueError as bad:
                raise AisUnexpectedResponseError(f"{what}: column {alias}: {bad}") from None
        append(adopt(values))
    return rows


def parse_page(
    content: bytes | str, target: str, *, date_columns: frozenset[str] = DEFAULT_DATE_COLUMNS, what: str = ""
) -> Page:
    """Parse a data service answer (GRID_DATA output) into a :class:`Page`.

    Args:
        content: The answer body.
        target: The table or view browsed (``"F0101"``): the form is ``fs_DATABROWSE_<target>``.
        date_columns: Aliases whose cells are ``YYYYMMDD`` dates.
        what: What was asked, for error messages.

    Returns:
        The page.

    Raises:
        AisValidationError: The form answered errors (an unknown column, a bad value...).
        AisUnexpectedResponseError: The answer does not have the documented shape.
    """
    what = what or f"browse {target}"
    try:
        body = loads(content)
    except ValueError:
        raise AisUnexpectedResponseError(f"{what}: the answer is not JSON") from None
    body = _mapping(body, "the answer", what)
    form = _form_of(body, target, what)
    problems = tuple(iter_form_errors({"errors": form.get("errors")}))
    if problems:
        text = "; ".join(f"[{p.code}] {p.title}" for p in problems)
        raise AisValidationError(f"{what}: {text}", code=problems[0].code)
    grid = _mapping(_mapping(form.get("data"), "data", what).get("gridData"), "data.gridData", what)
    rowset = grid.get("rowset", [])
    if not isinstance(rowset, list):
        raise AisUnexpectedResponseError(f"{what}: gridData.rowset is not a list")
    summary = grid.get("summary")
    summary = summary if isinstance(summary, Mapping) else {}
    records = summary.get("records", len(rowset))
    title = form.get("title")
    return Page(
        rows=_rows(rowset, date_columns, what),
        more_records=summary.get("moreRecords") is True,
        records=records if isinstance(records, int) else len(rowset),
        next_href=_next_href(body),
        title=title if isinstance(title, str) else "",
    )
