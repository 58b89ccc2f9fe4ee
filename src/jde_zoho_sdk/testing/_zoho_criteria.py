r"""Search criteria of the emulated search API: ``((Email:equals:a@b.c)and(Account_Name:starts_with:Zy))``.

Operators ``equals``, ``not_equal``, ``starts_with``, ``in``, ``greater_than``, ``greater_equal``,
``less_than``, ``less_equal`` and ``between``; ``(``, ``)`` and ``,`` in values are escaped with ``\``.
Text compares case-insensitively. UNCONFIRMED: Zoho documents that ``equals`` on text "behaves like
contains"; the emulator matches whole values, which is what a key lookup relies on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Final

__all__ = ["CriteriaError", "Predicate", "parse_criteria"]

Predicate = Callable[[Mapping[str, object]], bool]
_OPERATORS: Final = frozenset(
    {
        "equals",
        "not_equal",
        "starts_with",
        "in",
        "greater_than",
        "greater_equal",
        "less_than",
        "less_equal",
        "between",
    }
)
_MAX_CRITERIA: Final = 10


class CriteriaError(ValueError):
    """The criteria cannot be read (the API answers ``INVALID_QUERY``)."""


def _comparable(value: object) -> object:
    """A value ready to compare: Decimal for numbers, aware datetime for datetimes, folded text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | Decimal):
        return Decimal(value)
    text = str(value)
    try:
        return Decimal(text)
    except InvalidOperation:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return text.casefold()


def _matches(operator: str, stored: object, values: list[str]) -> bool:
    if stored is None:
        return operator == "not_equal"
    left = _comparable(stored)
    rights = [_comparable(value) for value in values]
    try:
        return _compare(operator, left, rights, stored)
    except TypeError:  # comparing a number with text and the like
        return False


def _compare(operator: str, left: object, rights: list[object], stored: object) -> bool:
    first = rights[0]
    if operator == "equals":
        return left == first
    if operator == "not_equal":
        return left != first
    if operator == "starts_with":
        return str(stored).casefold().startswith(str(first))
    if operator == "in":
        return left in rights
    if operator == "between":
        return len(rights) == 2 and rights[0] <= left <= rights[1]  # type: ignore[operator]
    bounds: dict[str, Callable[[object, object], bool]] = {
        "greater_than": lambda a, b: a > b,  # type: ignore[operator]
        "greater_equal": lambda a, b: a >= b,  # type: ignore[operator]
        "less_than": lambda a, b: a < b,  # type: ignore[operator]
        "less_equal": lambda a, b: a <= b,  # type: ignore[operator]
    }
    return bounds[operator](left, first)


class _Parser:
    def __init__(self, text: str, lookup: Callable[[Mapping[str, object], str], object]) -> None:
        self.text = text
        self.position = 0
        self.lookup = lookup
        self.count = 0

    def expression(self) -> Predicate:
        terms = [self.term()]
        joins: list[str] = []
        while self.position < len(self.text) and self.text[self.position] != ")":
            rest = self.text[self.position :].lower()
            join = "and" if rest.startswith("and") else "or" if rest.startswith("or") else ""
            if not join:
                raise CriteriaError(f"expected 'and' or 'or' at position {self.position}")
            self.position += len(join)
            joins.append(join)
            terms.append(self.term())
        if len(set(joins)) > 1:
            raise CriteriaError("mixing 'and' and 'or' needs parentheses")
        if not joins:
            return terms[0]
        if joins[0] == "and":
            return lambda record: all(term(record) for term in terms)
        return lambda record: any(term(record) for term in terms)

    def term(self) -> Predicate:
        if self.position >= len(self.text) or self.text[self.position] != "(":
            raise CriteriaError(f"expected '(' at position {self.position}")
        self.position += 1
        if self.position < len(self.text) and self.text[self.position] == "(":
            inner = self.expression()
        else:
            inner = self.condition()
        if self.position >= len(self.text) or self.text[self.position] != ")":
            raise CriteriaError(f"expected ')' at position {self.position}")
        self.position += 1
        return inner

    def condition(self) -> Predicate:
        raw: list[str] = []
        values: list[str] = [""]
        while self.position < len(self.text):
            char = self.text[self.position]
            if char == "\\" and self.position + 1 < len(self.text):
                values[-1] += self.text[self.position + 1]
                raw.append(self.text[self.position : self.position + 2])
                self.position += 2
                continue
            if char == ")":
                break
            if char == "," and raw.count(":") >= 2:
                values.append("")
            else:
                values[-1] += char
            raw.append(char)
            self.position += 1
        field, _, remainder = values[0].partition(":")
        operator, _, first = remainder.partition(":")
        if not field or operator not in _OPERATORS:
            raise CriteriaError(f"cannot read the criterion {''.join(raw)!r}")
        self.count += 1
        if self.count > _MAX_CRITERIA:
            raise CriteriaError(f"more than {_MAX_CRITERIA} criteria")
        operands = [first, *values[1:]]
        lookup = self.lookup
        return lambda record: _matches(operator, lookup(record, field), operands)


def parse_criteria(text: str, lookup: Callable[[Mapping[str, object], str], object]) -> Predicate:
    """Compile criteria into a predicate over stored records.

    Args:
        text: The ``criteria`` parameter.
        lookup: Reads a field of a stored record, as the criteria compare it.

    Returns:
        The predicate.

    Raises:
        CriteriaError: The criteria cannot be read.
    """
    parser = _Parser(text.strip(), lookup)
    predicate = parser.expression()
    if parser.position != len(parser.text):
        raise CriteriaError(f"unexpected text at position {parser.position}")
    return predicate
