"""The state store's lookups go through an index, so a batch's lookups cost the same at any store size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from jde_zoho_sdk.sync.model import Entity, Link
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def link(number: int) -> Link:
    return Link(
        entity=Entity.CUSTOMER,
        jde_key=str(number),
        zoho_id=f"57257670000{number:08d}",
        jde_snapshot={"name": f"Customer {number}"},
        zoho_snapshot={"name": f"Customer {number}"},
        email=f"ap{number}@example.com",
        tax_id=f"12-{number:07d}",
        synced_at=T0,
    )


@pytest.mark.parametrize(
    ("lookup", "index"),
    [
        (lambda store: store.find_links_by_email(Entity.CUSTOMER, ["ap7@example.com"]), "links_by_email"),
        (lambda store: store.find_links_by_tax_id(Entity.CUSTOMER, ["12-0000007"]), "links_by_tax_id"),
    ],
)
def test_duplicate_lookups_search_their_partial_index(
    tmp_path: Path, lookup: Callable[[SqliteStateStore], object], index: str
) -> None:
    with SqliteStateStore(tmp_path / "state.db") as store:
        store.put_links([link(number) for number in range(50)])
        conn = store._state().conn
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        lookup(store)
        conn.set_trace_callback(None)
        [select] = [sql for sql in statements if sql.startswith("SELECT")]
        plan = " ".join(str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {select}"))
    assert f"USING INDEX {index}" in plan, plan


def test_duplicate_lookups_still_answer_in_jde_key_order(tmp_path: Path) -> None:
    twins = [attrs.evolve(link(number), email="shared@example.com") for number in (30, 4, 12)]
    with SqliteStateStore(tmp_path / "state.db") as store:
        store.put_links(twins)
        found = store.find_links_by_email(Entity.CUSTOMER, ["Shared@Example.com"])
    assert [item.jde_key for item in found["shared@example.com"]] == ["12", "30", "4"]
