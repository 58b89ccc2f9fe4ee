"""The minimum formula's dedup term: the address book's e-mails are read once a run, and only once."""

from __future__ import annotations

from datetime import UTC, datetime

from bench._calls import Call, Condition
from bench._minimum import _chunked

_AT = datetime(2026, 11, 27, tzinfo=UTC)
_LINE_0 = (Condition("IDLN", "EQUAL", ("0",)),)


def _page(chain: str, rows: int, *, first: bool, segment: int = 1) -> Call:
    return Call(
        system="jde",
        purpose="dedup",
        target="F01151",
        segment=segment,
        at=_AT,
        chain=chain,
        first_page=first,
        conditions=_LINE_0 if first else (),
        rows=rows,
    )


def test_one_read_of_the_address_books_emails_is_in_the_minimum_with_its_pages() -> None:
    calls = [_page("a", 500, first=True), _page("a", 300, first=False)]
    assert _chunked(calls, {1: "pull:customer"}, "dedup", 500) == {"F01151": 2}


def test_a_second_read_in_the_same_run_is_waste() -> None:
    once = [_page("a", 500, first=True), _page("a", 300, first=False)]
    again = [_page("b", 500, first=True, segment=2), _page("b", 300, first=False, segment=2)]
    labels = {1: "pull:customer", 2: "pull:supplier"}
    assert _chunked([*once, *again], labels, "dedup", 500) == {"F01151": 2}
