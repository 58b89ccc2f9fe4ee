"""The state store's lookups go through an index, so a batch's lookups cost the same at any store size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from jde_zoho_sdk.sync.model import Direction, Entity, Failure, Link, QueuedChange
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


def failure(number: int) -> Failure:
    return Failure(
        failure_id=f"f{number}",
        run_id="r1",
        entity=Entity.CUSTOMER,
        direction=Direction.JDE_TO_ZOHO,
        source_key=str(number),
        stage="write",
        error_code="INVALID_DATA",
        message="refused",
        created_at=T0,
        last_attempt_at=T0,
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


# Lookup sizes around every padded length, and across the 500-key chunk.
SIZES = [*range(1, 20), 31, 32, 33, 127, 128, 129, 255, 256, 257, 499, 500, 501, 1000, 1203]


def test_lookups_of_any_size_answer_exactly_the_keys_asked(tmp_path: Path) -> None:
    with SqliteStateStore(tmp_path / "state.db") as store:
        store.put_links([link(number) for number in range(0, 2400, 2)])  # even numbers only
        for size in SIZES:
            asked = [str(number) for number in range(size)]
            found = store.get_links_by_jde(Entity.CUSTOMER, asked)
            assert sorted(found, key=int) == [key for key in asked if int(key) % 2 == 0], size
            emails = [f"AP{number}@example.com" for number in range(size)]
            by_email = store.find_links_by_email(Entity.CUSTOMER, emails)
            # Each e-mail found once, and only those asked (padding must not reach outside its chunk).
            assert {email: [link.jde_key for link in links] for email, links in by_email.items()} == {
                f"ap{number}@example.com": [str(number)] for number in range(0, size, 2)
            }, size


def test_counts_and_updates_over_padded_lists_count_each_record_once(tmp_path: Path) -> None:
    ids = [str(number) for number in range(1203)]  # three chunks, the last one padded
    with SqliteStateStore(tmp_path / "state.db") as store:
        store.add_failures([failure(number) for number in range(0, 1203, 3)])
        listed = store.list_failures(ids=[f"f{key}" for key in ids])
        many = store.enqueue(
            [QueuedChange(module="Vendors", zoho_id=key, operation="update", server_time=T0) for key in ids]
        )
        known = store.enqueue(
            [QueuedChange(module="Vendors", zoho_id=key, operation="update", server_time=T0) for key in ids]
        )
    assert [item.failure_id for item in listed] == [f"f{number}" for number in range(0, 1203, 3)]
    assert (many, known) == (1203, 0)
    with SqliteStateStore(tmp_path / "small.db") as store:
        queued = store.enqueue(
            [
                QueuedChange(module="Accounts", zoho_id=str(number), operation="update", server_time=T0)
                for number in range(3)
            ]
        )
        # 3 known + 7 new ids: the list of 10 is padded to 16 with the last id repeated.
        again = store.enqueue(
            [
                QueuedChange(module="Accounts", zoho_id=str(number), operation="update", server_time=T0)
                for number in range(10)
            ]
        )
        store.add_failures([failure(number) for number in range(5)])
        resolved = store.resolve_failures(
            Entity.CUSTOMER,
            Direction.JDE_TO_ZOHO,
            [str(number) for number in range(5)],
            resolved_at=T0,
            resolution="synced",
        )
    assert (queued, again, resolved) == (3, 7, 5)


def test_lookups_of_every_size_prepare_a_bounded_number_of_statements(tmp_path: Path) -> None:
    """Each distinct SQL text is a prepared statement the connection caches; one per size grew with the data."""
    with SqliteStateStore(tmp_path / "state.db") as store:
        store.put_links([link(number) for number in range(600)])
        conn = store._state().conn
        statements: set[str] = set()
        conn.set_trace_callback(statements.add)
        for size in range(1, 601):
            store.get_links_by_jde(Entity.CUSTOMER, [str(number) for number in range(size)])
        conn.set_trace_callback(None)
    sizes = {sql.split(" IN (", 1)[1].split(")", 1)[0].count(",") + 1 for sql in statements if " IN (" in sql}
    assert max(sizes) == 500
    assert len(sizes) <= 10, sorted(sizes)
