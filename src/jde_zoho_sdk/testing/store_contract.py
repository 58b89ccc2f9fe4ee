"""A pytest suite any :class:`~jde_zoho_sdk.sync.protocols.StateStore` runs to prove it honours the protocol.

Subclass :class:`StateStoreContract` in one of your test modules and give it a ``store`` fixture that makes
a fresh, empty store for each test (and closes it afterwards); pytest then runs every check below against
it::

    import pytest
    from jde_zoho_sdk.testing.store_contract import StateStoreContract

    class TestPostgresStateStore(StateStoreContract):
        @pytest.fixture
        def store(self, postgres_dsn):
            store = PostgresStateStore(postgres_dsn, schema=f"contract_{uuid.uuid4().hex}")
            yield store
            store.close()

The checks cover every protocol method and what its docstring promises: round trips of each model (Decimal
values in snapshots, aware datetimes, secret tokens), link lookups and Zoho-id takeover, keyset paging, the
notification queue (collapse, sequence, leases, acknowledgement after a re-enqueue), audit queries, the
failure upsert, channels, locks, atomic transactions, and several threads writing at once. Times are always
passed explicitly: nothing sleeps. Thread checks sequence their threads with events and give up after
``THREAD_TIMEOUT`` seconds instead of hanging when a store deadlocks.

This module imports pytest: import it from tests only.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Final, TypeVar

import attrs
import pytest

from jde_zoho_sdk._redact import Secret
from jde_zoho_sdk.sync.model import (
    AuditAction,
    AuditEvent,
    ChannelState,
    Direction,
    Entity,
    Failure,
    Link,
    Outcome,
    PendingWrite,
    QueuedChange,
)
from jde_zoho_sdk.sync.protocols import StateStore

__all__ = ["THREAD_TIMEOUT", "StateStoreContract"]

THREAD_TIMEOUT: Final = 20.0
"""Seconds a thread check waits for another thread before failing (a deadlocked store fails, not hangs)."""

_T = TypeVar("_T")

T0: Final = datetime(2026, 11, 27, 10, 15, 30, 123456, tzinfo=UTC)
_MINUTE: Final = timedelta(minutes=1)
_ELSEWHERE: Final = timezone(timedelta(hours=-5), "EST")

_SNAPSHOT: Final[dict[str, object]] = {
    "name": "Société Générale d'Équipement — 東京 Ltd.",
    "credit_limit": Decimal("125000.50"),
    "tiny": Decimal("0.000001"),
    "scaled": Decimal("1E+3"),
    "negative": Decimal("-7.10"),
    "credit_hold": False,
    "line_count": 3,
    "ratio": 0.25,
    "currency": None,
    "tags": ["key account", "export"],
    "nested": {"amount": Decimal("42.00"), "values": [Decimal("1.0"), 2, "three", None, True]},
}


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _link(
    jde_key: str,
    zoho_id: str | None = None,
    *,
    entity: Entity = Entity.CUSTOMER,
    email: str = "",
    tax_id: str = "",
    deleted_in: str = "",
    name: str = "",
) -> Link:
    return Link(
        entity=entity,
        jde_key=jde_key,
        zoho_id=zoho_id if zoho_id is not None else f"z{jde_key}",
        jde_snapshot={"name": name or f"Customer {jde_key}"},
        zoho_snapshot={"name": name or f"Customer {jde_key}"},
        synced_at=T0,
        email=email,
        tax_id=tax_id,
        deleted_in=deleted_in,
        deleted_at=T0 if deleted_in else None,
    )


def _change(
    zoho_id: str, *, module: str = "Accounts", operation: str = "update", at: float = 0
) -> QueuedChange:
    return QueuedChange(module=module, zoho_id=zoho_id, operation=operation, server_time=_at(at))


def _event(
    audit_id: str,
    *,
    at: float = 0,
    run_id: str = "run-1",
    jde_key: str = "",
    zoho_id: str = "",
    direction: Direction = Direction.JDE_TO_ZOHO,
) -> AuditEvent:
    return AuditEvent(
        audit_id=audit_id,
        run_id=run_id,
        at=_at(at),
        entity=Entity.CUSTOMER,
        direction=direction,
        action=AuditAction.UPDATE,
        outcome=Outcome.OK,
        jde_key=jde_key,
        zoho_id=zoho_id,
    )


def _failure(
    failure_id: str,
    source_key: str,
    *,
    at: float = 0,
    run_id: str = "run-1",
    entity: Entity = Entity.CUSTOMER,
    direction: Direction = Direction.JDE_TO_ZOHO,
    message: str = "Credit_Limit: invalid",
) -> Failure:
    return Failure(
        failure_id=failure_id,
        run_id=run_id,
        entity=entity,
        direction=direction,
        source_key=source_key,
        stage="write",
        error_code="INVALID_DATA",
        message=message,
        created_at=_at(at),
        last_attempt_at=_at(at),
        payload={"credit_limit": Decimal("10.50")},
    )


_TOKEN: Final = "verify-token-0123456789"  # noqa: S105 - a test value, not a credential


def _channel(channel_id: str, *, token: str = _TOKEN) -> ChannelState:
    return ChannelState(
        channel_id=channel_id,
        events=("Accounts.all", "Contacts.all"),
        notify_url="https://sync.example.com/zoho/notify",
        token=Secret(token),
        expires_at=_at(86400),
    )


def _keys(changes: Sequence[QueuedChange]) -> list[str]:
    return [change.zoho_id for change in changes]


def _is_utc(value: datetime | None) -> bool:
    return value is not None and value.utcoffset() == timedelta(0)


class _RollbackError(Exception):
    """Raised inside a transaction to make it roll back."""


def _raise_inside_transaction(store: StateStore, body: Callable[[], object]) -> None:
    with store.transaction():
        body()
        raise _RollbackError


def _in_thread(function: Callable[[], _T]) -> _T:
    """Run ``function`` on another thread and return its result (or raise its exception)."""
    results: list[_T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(function())
        except BaseException as exc:  # handed back to the calling thread
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(THREAD_TIMEOUT)
    assert not thread.is_alive(), "the other thread did not finish: is the store waiting on a transaction?"
    if errors:
        raise errors[0]
    return results[0]


class StateStoreContract:
    """The protocol checks, as pytest tests; subclass it and override the :meth:`store` fixture.

    Example:
        >>> class TestMyStore(StateStoreContract):  # doctest: +SKIP
        ...     @pytest.fixture
        ...     def store(self, tmp_path):
        ...         return MyStore(tmp_path / "state")
    """

    @pytest.fixture
    def store(self) -> StateStore:
        """A fresh, empty store for one test; a subclass must override this fixture."""
        raise NotImplementedError("override the `store` fixture to return a fresh, empty StateStore")

    # -- the protocol ------------------------------------------------------------------------------------

    def test_store_implements_the_protocol(self, store: StateStore) -> None:
        """The store has every method of the StateStore protocol."""
        assert isinstance(store, StateStore)

    # -- cursors -----------------------------------------------------------------------------------------

    def test_cursor_is_none_until_set(self, store: StateStore) -> None:
        """An unknown stream has no cursor."""
        assert store.get_cursor("jde:F0101") is None

    def test_cursor_round_trips_as_aware_utc_and_is_overwritten(self, store: StateStore) -> None:
        """A cursor comes back as the same instant in UTC, with microseconds; setting it again replaces it."""
        store.set_cursor("jde:F0101", T0)
        assert store.get_cursor("jde:F0101") == T0
        later = _at(3600).astimezone(_ELSEWHERE)
        store.set_cursor("jde:F0101", later)
        got = store.get_cursor("jde:F0101")
        assert got == later
        assert _is_utc(got)

    def test_cursors_are_kept_per_stream(self, store: StateStore) -> None:
        """Setting one stream leaves the others alone."""
        store.set_cursor("jde:F0101", T0)
        store.set_cursor("zoho:Accounts", _at(60))
        assert store.get_cursor("jde:F0101") == T0
        assert store.get_cursor("zoho:Accounts") == _at(60)
        assert store.get_cursor("jde:F03012") is None

    # -- links: round trips and lookups ------------------------------------------------------------------

    def test_link_round_trips_every_field(self, store: StateStore) -> None:
        """Snapshots (with Decimal, nested values and accents), keys, dates and the delete mark survive."""
        link = Link(
            entity=Entity.CONTACT,
            jde_key="4242-3",
            zoho_id="5725767000003000064",
            jde_snapshot=_SNAPSHOT,
            zoho_snapshot={**_SNAPSHOT, "credit_limit": Decimal("125000.5")},
            synced_at=_at(5).astimezone(_ELSEWHERE),
            email="ana.lopez@example.com",
            tax_id="ESB12345678",
            jde_updated_at=_at(1),
            zoho_modified_at=_at(2),
            deleted_in="zoho",
            deleted_at=_at(3),
        )
        store.put_links([link])
        got = store.get_links_by_jde(Entity.CONTACT, ["4242-3"])["4242-3"]
        assert got == link
        for value in (got.synced_at, got.jde_updated_at, got.zoho_modified_at, got.deleted_at):
            assert _is_utc(value)

    def test_a_journaled_write_round_trips_and_is_cleared_by_the_next_put(self, store: StateStore) -> None:
        """``Link.pending`` (a write journaled before it is sent) is kept whole, Decimals included."""
        pending = PendingWrite(
            jde_snapshot={**_SNAPSHOT, "city": "Skokie"},
            zoho_snapshot={"city": "Skokie", "credit_limit": Decimal("125000.50")},
            to_jde=frozenset(),
            to_zoho=frozenset({"city", "credit_limit"}),
        )
        store.put_links([attrs.evolve(_link("1"), pending=pending)])
        got = store.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"]
        assert got.pending == pending
        assert got.pending is not None
        assert str(got.pending.zoho_snapshot["credit_limit"]) == "125000.50"
        store.put_links([_link("1")])
        assert store.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"].pending is None

    def test_snapshot_decimals_come_back_as_decimals_with_their_digits(self, store: StateStore) -> None:
        """Money is never turned into a float, and keeps its scale (125000.50 stays 125000.50)."""
        store.put_links([attrs.evolve(_link("1"), jde_snapshot=_SNAPSHOT, zoho_snapshot=_SNAPSHOT)])
        snapshot = store.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"].jde_snapshot
        for name in ("credit_limit", "tiny", "scaled", "negative"):
            value = snapshot[name]
            assert isinstance(value, Decimal), name
            assert str(value) == str(_SNAPSHOT[name])
        nested = snapshot["nested"]
        assert isinstance(nested, dict)
        assert str(nested["amount"]) == "42.00"
        assert [type(value) for value in nested["values"]] == [Decimal, int, str, type(None), bool]
        assert isinstance(snapshot["ratio"], float)
        assert isinstance(snapshot["line_count"], int)

    def test_link_with_default_fields_round_trips(self, store: StateStore) -> None:
        """Empty e-mail and tax id, no dates, not deleted: all come back as given."""
        link = Link(
            entity=Entity.SUPPLIER,
            jde_key="7001",
            zoho_id="z7001",
            jde_snapshot={},
            zoho_snapshot={},
            synced_at=T0,
        )
        store.put_links([link])
        assert store.get_links_by_zoho(Entity.SUPPLIER, ["z7001"]) == {"z7001": link}

    def test_get_links_returns_only_the_asked_keys_deleted_ones_too(self, store: StateStore) -> None:
        """Batch lookups by JDE key and by Zoho id; unknown keys are absent; deleted links are included."""
        store.put_links([_link("1"), _link("2", deleted_in="zoho"), _link("3")])
        by_jde = store.get_links_by_jde(Entity.CUSTOMER, ["1", "2", "404"])
        assert sorted(by_jde) == ["1", "2"]
        assert by_jde["2"].deleted
        by_zoho = store.get_links_by_zoho(Entity.CUSTOMER, ["z2", "z3", "z404"])
        assert sorted(by_zoho) == ["z2", "z3"]
        assert by_zoho["z3"].jde_key == "3"

    def test_get_links_with_no_keys_returns_nothing(self, store: StateStore) -> None:
        """An empty batch is valid and finds nothing."""
        store.put_links([_link("1")])
        assert store.get_links_by_jde(Entity.CUSTOMER, []) == {}
        assert store.get_links_by_zoho(Entity.CUSTOMER, set()) == {}

    def test_links_are_kept_per_entity(self, store: StateStore) -> None:
        """The same JDE key and Zoho id may exist for different entities without touching each other."""
        customer = _link("4242", "z1", name="as customer")
        supplier = _link("4242", "z1", entity=Entity.SUPPLIER, name="as supplier")
        store.put_links([customer, supplier])
        assert store.get_links_by_jde(Entity.CUSTOMER, ["4242"]) == {"4242": customer}
        assert store.get_links_by_zoho(Entity.SUPPLIER, ["z1"]) == {"z1": supplier}
        assert store.get_links_by_jde(Entity.CONTACT, ["4242"]) == {}

    def test_large_batches_are_looked_up_whole(self, store: StateStore) -> None:
        """Lookups of more keys than a database takes in one query still return every link."""
        links = [_link(f"{number:05d}") for number in range(1200)]
        store.put_links(links)
        wanted = [link.jde_key for link in links[::2]] + ["missing"]
        assert len(store.get_links_by_jde(Entity.CUSTOMER, wanted)) == 600
        assert len(store.get_links_by_zoho(Entity.CUSTOMER, [link.zoho_id for link in links])) == 1200

    def test_put_links_replaces_a_link_by_jde_key(self, store: StateStore) -> None:
        """A second put of the same JDE key replaces the link, Zoho id included; the old id is gone."""
        store.put_links([_link("1", "z-old", name="old")])
        store.put_links([_link("1", "z-new", name="new")])
        assert store.get_links_by_jde(Entity.CUSTOMER, ["1"])["1"].jde_snapshot == {"name": "new"}
        assert store.get_links_by_zoho(Entity.CUSTOMER, ["z-old"]) == {}
        assert store.count_links(Entity.CUSTOMER) == 1

    def test_link_taking_a_zoho_id_replaces_the_link_that_held_it(self, store: StateStore) -> None:
        """A Zoho id belongs to one link of an entity: the link that takes it replaces the other one."""
        store.put_links([_link("1", "z1"), _link("2", "z2")])
        store.put_links([_link("3", "z1")])
        assert store.get_links_by_jde(Entity.CUSTOMER, ["1", "2", "3"]).keys() == {"2", "3"}
        assert store.get_links_by_zoho(Entity.CUSTOMER, ["z1"])["z1"].jde_key == "3"
        assert store.count_links(Entity.CUSTOMER) == 2

    def test_zoho_id_takeover_stays_within_the_entity(self, store: StateStore) -> None:
        """A supplier link with the same Zoho id does not replace a customer link."""
        store.put_links([_link("1", "z1")])
        store.put_links([_link("2", "z1", entity=Entity.SUPPLIER)])
        assert store.get_links_by_zoho(Entity.CUSTOMER, ["z1"])["z1"].jde_key == "1"
        assert store.get_links_by_zoho(Entity.SUPPLIER, ["z1"])["z1"].jde_key == "2"

    def test_find_links_by_email_ignores_case_and_deleted_links(self, store: StateStore) -> None:
        """E-mails match lower-cased, results are keyed by the lower-cased e-mail; deleted links don't."""
        store.put_links(
            [
                _link("1", email="buyer@acme.example"),
                _link("2", email="buyer@acme.example"),
                _link("3", email="buyer@acme.example", deleted_in="jde"),
                _link("4", email="other@acme.example"),
                _link("5", email="buyer@acme.example", entity=Entity.SUPPLIER),
            ]
        )
        found = store.find_links_by_email(Entity.CUSTOMER, ["BUYER@Acme.example", "nobody@acme.example"])
        assert list(found) == ["buyer@acme.example"]
        assert sorted(link.jde_key for link in found["buyer@acme.example"]) == ["1", "2"]

    def test_empty_email_and_tax_id_never_match(self, store: StateStore) -> None:
        """Records without an e-mail or tax id are not duplicates of each other."""
        store.put_links([_link("1"), _link("2")])
        assert store.find_links_by_email(Entity.CUSTOMER, [""]) == {}
        assert store.find_links_by_tax_id(Entity.CUSTOMER, [""]) == {}

    def test_find_links_by_tax_id_matches_live_links_exactly(self, store: StateStore) -> None:
        """Tax ids match exactly, by entity, live links only."""
        store.put_links(
            [
                _link("1", tax_id="B12345678"),
                _link("2", tax_id="B12345678", deleted_in="zoho"),
                _link("3", tax_id="B87654321"),
                _link("4", tax_id="B12345678", entity=Entity.SUPPLIER),
            ]
        )
        found = store.find_links_by_tax_id(Entity.CUSTOMER, ["B12345678", "X0"])
        assert {tax_id: [link.jde_key for link in links] for tax_id, links in found.items()} == {
            "B12345678": ["1"]
        }

    def test_page_links_walks_every_link_once_in_text_order(self, store: StateStore) -> None:
        """Keyset paging returns each link once, in JDE key text order ("10" before "9"), deleted ones too."""
        keys = [str(number) for number in range(1, 26)] + ["4242-1", "4242-10", "4242-2"]
        store.put_links([_link(key, deleted_in="zoho" if key == "7" else "") for key in keys])
        store.put_links([_link("1", entity=Entity.SUPPLIER)])
        seen: list[str] = []
        after = ""
        while page := store.page_links(Entity.CUSTOMER, after_jde_key=after, limit=7):
            assert len(page) <= 7
            seen.extend(link.jde_key for link in page)
            after = page[-1].jde_key
        assert seen == sorted(keys)

    def test_page_links_starts_after_the_given_key(self, store: StateStore) -> None:
        """``after_jde_key`` is exclusive and need not be a stored key."""
        store.put_links([_link("1"), _link("2"), _link("3")])
        assert [link.jde_key for link in store.page_links(Entity.CUSTOMER, after_jde_key="1")] == ["2", "3"]
        assert [link.jde_key for link in store.page_links(Entity.CUSTOMER, after_jde_key="15")] == ["2", "3"]
        assert store.page_links(Entity.CUSTOMER, after_jde_key="3") == []

    def test_count_links_counts_live_and_deleted_per_entity(self, store: StateStore) -> None:
        """count_links counts every link of the entity and only that entity."""
        assert store.count_links(Entity.CUSTOMER) == 0
        store.put_links([_link("1"), _link("2", deleted_in="jde"), _link("3", entity=Entity.CONTACT)])
        assert store.count_links(Entity.CUSTOMER) == 2
        assert store.count_links(Entity.CONTACT) == 1
        assert store.count_links(Entity.SUPPLIER) == 0

    # -- notification queue ------------------------------------------------------------------------------

    def test_enqueue_returns_how_many_records_were_not_queued(self, store: StateStore) -> None:
        """Only records new to the queue count; a record twice in one batch counts once."""
        assert store.enqueue([_change("1"), _change("2"), _change("1", module="Contacts")]) == 3
        assert store.enqueue([_change("2"), _change("3"), _change("3", at=1)]) == 1
        assert store.enqueue([]) == 0
        assert store.queue_depth() == 4

    def test_claimed_item_round_trips(self, store: StateStore) -> None:
        """A claimed item carries its module, id, operation and server time (aware UTC)."""
        server_time = _at(10).astimezone(_ELSEWHERE)
        store.enqueue(
            [QueuedChange(module="Vendors", zoho_id="88", operation="insert", server_time=server_time)]
        )
        (item,) = store.claim("worker", limit=10, lease=_MINUTE, now=T0)
        assert (item.module, item.zoho_id, item.operation) == ("Vendors", "88", "insert")
        assert item.server_time == server_time
        assert _is_utc(item.server_time)

    def test_queued_again_collapses_keeping_newest_time_and_operation(self, store: StateStore) -> None:
        """A record notified twice is one item, with the newest server time and operation."""
        store.enqueue([_change("1", operation="update", at=1)])
        store.enqueue([_change("2")])
        store.enqueue([_change("1", operation="delete", at=5)])
        assert store.queue_depth() == 2
        first = store.claim("worker", limit=1, lease=_MINUTE, now=T0)
        assert [(item.zoho_id, item.operation, item.server_time) for item in first] == [
            ("1", "delete", _at(5))
        ]

    def test_a_late_older_notification_does_not_hide_a_newer_one(self, store: StateStore) -> None:
        """Notifications may arrive out of order: an older update arriving late keeps the newer delete."""
        store.enqueue([_change("1", operation="delete", at=5)])
        store.enqueue([_change("1", operation="update", at=1)])
        (item,) = store.claim("worker", limit=1, lease=_MINUTE, now=T0)
        assert (item.operation, item.server_time) == ("delete", _at(5))

    def test_claim_is_oldest_first_by_first_enqueue_up_to_the_limit(self, store: StateStore) -> None:
        """Items come out in the order they were first queued; queuing one again keeps its place."""
        for zoho_id in ("a", "b", "c"):
            store.enqueue([_change(zoho_id)])
        store.enqueue([_change("d"), _change("e")])
        store.enqueue([_change("a", at=9)])
        assert _keys(store.claim("w1", limit=3, lease=_MINUTE, now=T0)) == ["a", "b", "c"]
        assert _keys(store.claim("w2", limit=10, lease=_MINUTE, now=T0)) == ["d", "e"]

    def test_claim_skips_items_leased_to_another_owner(self, store: StateStore) -> None:
        """What one owner holds under an unexpired lease, another owner does not get."""
        store.enqueue([_change("1"), _change("2"), _change("3")])
        assert _keys(store.claim("w1", limit=2, lease=_MINUTE, now=T0)) == ["1", "2"]
        assert _keys(store.claim("w2", limit=10, lease=_MINUTE, now=_at(30))) == ["3"]
        assert store.claim("w3", limit=10, lease=_MINUTE, now=_at(59)) == []
        assert store.queue_depth() == 3

    def test_expired_lease_is_claimed_again_by_another_owner(self, store: StateStore) -> None:
        """A worker that died does not lose its items: once its lease ran out, another owner claims them."""
        store.enqueue([_change("1")])
        store.claim("dead-worker", limit=10, lease=_MINUTE, now=T0)
        assert _keys(store.claim("w2", limit=10, lease=_MINUTE, now=_at(61))) == ["1"]

    def test_a_lease_ending_exactly_now_has_expired(self, store: StateStore) -> None:
        """A lease holds *until* its end: at that very instant another owner may claim or lock."""
        store.enqueue([_change("1")])
        store.claim("a", limit=1, lease=_MINUTE, now=T0)
        assert _keys(store.claim("b", limit=1, lease=_MINUTE, now=_at(60))) == ["1"]
        assert store.acquire_lock("run", "a", lease=_MINUTE, now=T0)
        assert store.acquire_lock("run", "b", lease=_MINUTE, now=_at(60))

    def test_claim_on_an_empty_queue_returns_nothing(self, store: StateStore) -> None:
        """Nothing queued, nothing claimed."""
        assert store.claim("worker", limit=10, lease=_MINUTE, now=T0) == []

    def test_ack_removes_processed_items(self, store: StateStore) -> None:
        """Acknowledged items leave the queue; the others stay."""
        store.enqueue([_change("1"), _change("2"), _change("3")])
        claimed = store.claim("worker", limit=2, lease=_MINUTE, now=T0)
        store.ack(claimed)
        assert store.queue_depth() == 1
        assert _keys(store.claim("other", limit=10, lease=_MINUTE, now=_at(120))) == ["3"]

    def test_sequence_grows_each_time_a_record_is_queued_again(self, store: StateStore) -> None:
        """Every enqueue of a queued record gives it a greater sequence."""
        store.enqueue([_change("1")])
        (first,) = store.claim("w1", limit=1, lease=_MINUTE, now=T0)
        store.enqueue([_change("1", at=1)])
        (second,) = store.claim("w2", limit=1, lease=_MINUTE, now=_at(120))
        assert second.sequence > first.sequence

    def test_ack_after_the_record_was_queued_again_keeps_it_for_processing(self, store: StateStore) -> None:
        """A notification arriving while its record is being processed is not lost.

        The ack keeps the item and lets it be claimed again at once, with the newer notification's operation.
        """
        store.enqueue([_change("1", operation="update")])
        claimed = store.claim("w1", limit=10, lease=_MINUTE, now=T0)
        store.enqueue([_change("1", operation="delete", at=1)])
        store.ack(claimed)
        assert store.queue_depth() == 1
        again = store.claim("w2", limit=10, lease=_MINUTE, now=_at(1))
        assert [(item.zoho_id, item.operation) for item in again] == [("1", "delete")]
        store.ack(again)
        assert store.queue_depth() == 0

    def test_late_ack_of_an_expired_claim_does_not_remove_a_newer_item(self, store: StateStore) -> None:
        """An ack arriving after the claim expired does not drop a newer notification of the record.

        Here a slow worker's lease ran out, another worker processed the item, then the record was notified
        again: the slow worker's late ack must leave the new item queued.
        """
        store.enqueue([_change("1")])
        slow = store.claim("slow", limit=10, lease=_MINUTE, now=T0)
        fast = store.claim("fast", limit=10, lease=_MINUTE, now=_at(120))
        store.ack(fast)
        store.enqueue([_change("1", at=130)])
        store.ack(slow)
        assert store.queue_depth() == 1

    def test_late_ack_does_not_release_the_claim_of_the_new_owner(self, store: StateStore) -> None:
        """An ack of an old claim leaves alone the claim another owner holds now."""
        store.enqueue([_change("1")])
        slow = store.claim("slow", limit=10, lease=_MINUTE, now=T0)
        store.enqueue([_change("1", at=1)])
        assert _keys(store.claim("fast", limit=10, lease=_MINUTE, now=_at(120))) == ["1"]
        store.ack(slow)
        assert store.claim("third", limit=10, lease=_MINUTE, now=_at(121)) == []
        assert store.queue_depth() == 1

    def test_queue_depth_counts_claimed_and_unclaimed_items(self, store: StateStore) -> None:
        """Claiming does not shrink the queue; only acknowledging does."""
        assert store.queue_depth() == 0
        store.enqueue([_change("1"), _change("2")])
        store.claim("worker", limit=1, lease=_MINUTE, now=T0)
        assert store.queue_depth() == 2

    # -- audit -------------------------------------------------------------------------------------------

    def test_audit_event_round_trips_every_field(self, store: StateStore) -> None:
        """Every field of an audit event survives, the time as aware UTC."""
        event = AuditEvent(
            audit_id="a-1",
            run_id="run-7",
            at=_at(1).astimezone(_ELSEWHERE),
            entity=Entity.SUPPLIER,
            direction=Direction.ZOHO_TO_JDE,
            action=AuditAction.MERGE,
            outcome=Outcome.SKIPPED,
            jde_key="4242",
            zoho_id="z4242",
            fields=("credit_limit", "payment_terms"),
            message="merged: credit_limit from JDE, payment_terms from Zoho — «ok»",
        )
        store.append_audit([event])
        (got,) = store.query_audit()
        assert got == event
        assert _is_utc(got.at)

    def test_appending_an_audit_id_again_keeps_one_event(self, store: StateStore) -> None:
        """A batch retried after a crash appends its events again: the trail keeps each audit id once."""
        store.append_audit([_event("a-1")])
        store.append_audit([_event("a-1")])
        assert [event.audit_id for event in store.query_audit()] == ["a-1"]

    def test_query_audit_is_oldest_first(self, store: StateStore) -> None:
        """Events come back by time, whatever order they were appended in."""
        store.append_audit([_event("late", at=30), _event("early", at=10)])
        store.append_audit([_event("middle", at=20)])
        assert [event.audit_id for event in store.query_audit()] == ["early", "middle", "late"]

    def test_query_audit_by_record_key_matches_jde_key_or_zoho_id(self, store: StateStore) -> None:
        """A record key finds events naming it as JDE key or as Zoho id, whichever the direction."""
        store.append_audit(
            [
                _event("by-jde", at=1, jde_key="4242", zoho_id="z1"),
                _event("by-zoho", at=2, jde_key="", zoho_id="4242", direction=Direction.ZOHO_TO_JDE),
                _event("other", at=3, jde_key="4243", zoho_id="z2"),
            ]
        )
        assert [event.audit_id for event in store.query_audit(record_key="4242")] == ["by-jde", "by-zoho"]
        assert [event.audit_id for event in store.query_audit(record_key="z2")] == ["other"]
        assert store.query_audit(record_key="nothing") == []

    def test_query_audit_by_run(self, store: StateStore) -> None:
        """A run id selects that run's events."""
        store.append_audit(
            [_event("1", run_id="r1"), _event("2", run_id="r2", at=1), _event("3", run_id="r1", at=2)]
        )
        assert [event.audit_id for event in store.query_audit(run_id="r1")] == ["1", "3"]

    def test_query_audit_since_is_inclusive_and_until_exclusive(self, store: StateStore) -> None:
        """``since`` keeps events at that very time, ``until`` drops them."""
        store.append_audit([_event(str(second), at=second) for second in range(5)])
        window = store.query_audit(since=_at(1), until=_at(3))
        assert [event.audit_id for event in window] == ["1", "2"]
        assert [event.audit_id for event in store.query_audit(since=_at(4).astimezone(_ELSEWHERE))] == ["4"]
        assert [event.audit_id for event in store.query_audit(until=_at(1))] == ["0"]

    def test_query_audit_limit_keeps_the_oldest(self, store: StateStore) -> None:
        """The limit cuts the newest events off."""
        store.append_audit([_event(str(second), at=second) for second in range(10)])
        assert [event.audit_id for event in store.query_audit(limit=3)] == ["0", "1", "2"]

    def test_query_audit_filters_combine(self, store: StateStore) -> None:
        """Record, run and time filters apply together."""
        store.append_audit(
            [
                _event("hit", at=5, run_id="r1", jde_key="1"),
                _event("other-run", at=5, run_id="r2", jde_key="1"),
                _event("other-record", at=5, run_id="r1", jde_key="2"),
                _event("too-early", at=1, run_id="r1", jde_key="1"),
            ]
        )
        found = store.query_audit(record_key="1", run_id="r1", since=_at(2), until=_at(10))
        assert [event.audit_id for event in found] == ["hit"]

    # -- failures ----------------------------------------------------------------------------------------

    def test_failure_round_trips_every_field(self, store: StateStore) -> None:
        """Every field of a failure survives, Decimal payload values included."""
        failure = Failure(
            failure_id="f-1",
            run_id="run-1",
            entity=Entity.CONTACT,
            direction=Direction.ZOHO_TO_JDE,
            source_key="5725767000003000064",
            target_key="4242-3",
            stage="map",
            error_code="MappingError",
            message="field 'country': no JDE code for 'Atlantis'",
            payload=_SNAPSHOT,
            created_at=_at(1).astimezone(_ELSEWHERE),
            last_attempt_at=_at(2),
        )
        store.add_failures([failure])
        (got,) = store.list_failures()
        assert got == failure
        assert isinstance(got.payload["credit_limit"], Decimal)
        assert _is_utc(got.created_at)

    def test_failing_again_updates_the_open_failure(self, store: StateStore) -> None:
        """Failing again keeps the failure's id and first time, takes the rest, and counts the attempt."""
        store.add_failures([_failure("f-1", "4242", at=0, run_id="r1", message="first")])
        again = attrs.evolve(
            _failure("f-2", "4242", at=60, run_id="r2", message="second"),
            target_key="z4242",
            stage="dedup",
            error_code="DUPLICATE_DATA",
            payload={"credit_limit": Decimal("99.90")},
        )
        store.add_failures([again])
        (got,) = store.list_failures()
        assert (got.failure_id, got.created_at, got.attempts) == ("f-1", T0, 2)
        assert (got.run_id, got.message, got.stage, got.error_code) == (
            "r2",
            "second",
            "dedup",
            "DUPLICATE_DATA",
        )
        assert (got.target_key, got.last_attempt_at, got.payload) == (
            "z4242",
            _at(60),
            {"credit_limit": Decimal("99.90")},
        )
        store.add_failures([_failure("f-3", "4242", at=120)])
        assert store.list_failures()[0].attempts == 3

    def test_failures_are_kept_per_entity_direction_and_source_key(self, store: StateStore) -> None:
        """Failures of other records, entities or directions are separate rows."""
        store.add_failures(
            [
                _failure("f-1", "1"),
                _failure("f-2", "2", at=1),
                _failure("f-3", "1", at=2, entity=Entity.SUPPLIER),
                _failure("f-4", "1", at=3, direction=Direction.ZOHO_TO_JDE),
            ]
        )
        failures = store.list_failures()
        assert [failure.failure_id for failure in failures] == ["f-1", "f-2", "f-3", "f-4"]
        assert {failure.attempts for failure in failures} == {1}

    def test_list_failures_is_oldest_first_and_open_only_by_default(self, store: StateStore) -> None:
        """Resolved failures are listed only when asked for."""
        store.add_failures(
            [_failure("late", "1", at=20), _failure("early", "2", at=10), _failure("done", "3", at=5)]
        )
        store.resolve_failures(
            Entity.CUSTOMER, Direction.JDE_TO_ZOHO, ["3"], resolved_at=_at(30), resolution="synced"
        )
        assert [failure.failure_id for failure in store.list_failures()] == ["early", "late"]
        everything = store.list_failures(include_resolved=True)
        assert [failure.failure_id for failure in everything] == ["done", "early", "late"]
        assert (everything[0].resolved_at, everything[0].resolution) == (_at(30), "synced")

    def test_list_failures_by_ids_and_limit(self, store: StateStore) -> None:
        """Ids select failures, oldest first (not in id or insertion order); the limit keeps the oldest."""
        store.add_failures(
            [_failure("f-c", "3", at=2), _failure("f-a", "1", at=1), _failure("f-b", "2", at=0)]
        )

        def listed(ids: list[str] | None = None, limit: int | None = None) -> list[str]:
            return [failure.failure_id for failure in store.list_failures(ids=ids, limit=limit)]

        assert listed(ids=["f-a", "f-b", "nope"]) == ["f-b", "f-a"]
        assert listed(limit=2) == ["f-b", "f-a"]
        assert listed(ids=["f-c", "f-a", "f-b"], limit=2) == ["f-b", "f-a"]
        assert listed(ids=[]) == []

    def test_list_failures_by_ids_skips_resolved_ones(self, store: StateStore) -> None:
        """A replay of given ids replays open failures only."""
        store.add_failures([_failure("f-1", "1")])
        store.resolve_failures(
            Entity.CUSTOMER, Direction.JDE_TO_ZOHO, ["1"], resolved_at=_at(1), resolution="synced"
        )
        assert store.list_failures(ids=["f-1"]) == []

    def test_resolve_failures_counts_the_open_ones_it_resolved(self, store: StateStore) -> None:
        """Only open failures of that entity and direction are resolved; resolving twice counts zero."""
        store.add_failures(
            [
                _failure("f-1", "1"),
                _failure("f-2", "2"),
                _failure("f-3", "1", direction=Direction.ZOHO_TO_JDE),
                _failure("f-4", "1", entity=Entity.CONTACT),
            ]
        )
        resolve = store.resolve_failures
        assert (
            resolve(
                Entity.CUSTOMER, Direction.JDE_TO_ZOHO, ["1", "9"], resolved_at=_at(5), resolution="replayed"
            )
            == 1
        )
        assert (
            resolve(Entity.CUSTOMER, Direction.JDE_TO_ZOHO, ["1"], resolved_at=_at(6), resolution="replayed")
            == 0
        )
        assert [failure.failure_id for failure in store.list_failures()] == ["f-2", "f-3", "f-4"]

    def test_failing_after_resolution_opens_a_new_failure(self, store: StateStore) -> None:
        """Once resolved, a failure stays as it was; the next failure of the record is a new one."""
        store.add_failures([_failure("f-1", "1")])
        store.resolve_failures(
            Entity.CUSTOMER, Direction.JDE_TO_ZOHO, ["1"], resolved_at=_at(5), resolution="synced"
        )
        store.add_failures([_failure("f-2", "1", at=10)])
        (open_failure,) = store.list_failures()
        assert (open_failure.failure_id, open_failure.attempts) == ("f-2", 1)
        assert len(store.list_failures(include_resolved=True)) == 2

    # -- channels ----------------------------------------------------------------------------------------

    def test_channel_round_trips_with_its_token_secret(self, store: StateStore) -> None:
        """Channels come back whole; the token is a Secret holding the same value."""
        channel = _channel("1000000068001")
        store.put_channel(channel)
        (got,) = store.list_channels()
        assert got == channel
        assert isinstance(got.token, Secret)
        assert got.token.reveal() == _TOKEN
        assert _is_utc(got.expires_at)

    def test_put_channel_replaces_by_id_and_delete_forgets(self, store: StateStore) -> None:
        """Putting a channel id again replaces it; deleting an unknown id is harmless."""
        store.put_channel(_channel("1"))
        store.put_channel(_channel("2"))
        store.put_channel(_channel("1", token="renewed-token-9876543210"))  # noqa: S106 - a test value
        assert sorted(channel.channel_id for channel in store.list_channels()) == ["1", "2"]
        renewed = next(channel for channel in store.list_channels() if channel.channel_id == "1")
        assert renewed.token.reveal() == "renewed-token-9876543210"
        store.delete_channel("2")
        store.delete_channel("404")
        assert [channel.channel_id for channel in store.list_channels()] == ["1"]

    # -- locks -------------------------------------------------------------------------------------------

    def test_free_lock_is_acquired(self, store: StateStore) -> None:
        """Nobody holds it: the first owner gets it."""
        assert store.acquire_lock("run", "host-a", lease=_MINUTE, now=T0)

    def test_lock_held_by_another_owner_is_refused(self, store: StateStore) -> None:
        """While the lease runs, another owner is refused."""
        assert store.acquire_lock("run", "host-a", lease=_MINUTE, now=T0)
        assert not store.acquire_lock("run", "host-b", lease=_MINUTE, now=_at(59))

    def test_expired_lock_is_taken_over(self, store: StateStore) -> None:
        """A holder that died frees the lock when its lease runs out."""
        assert store.acquire_lock("run", "host-a", lease=_MINUTE, now=T0)
        assert store.acquire_lock("run", "host-b", lease=_MINUTE, now=_at(61))
        assert not store.acquire_lock("run", "host-a", lease=_MINUTE, now=_at(62))

    def test_owner_renews_its_lock(self, store: StateStore) -> None:
        """The holder may take its lock again, which moves the lease end."""
        assert store.acquire_lock("run", "host-a", lease=_MINUTE, now=T0)
        assert store.acquire_lock("run", "host-a", lease=_MINUTE, now=_at(50))
        assert not store.acquire_lock("run", "host-b", lease=_MINUTE, now=_at(100))
        assert store.acquire_lock("run", "host-b", lease=_MINUTE, now=_at(111))

    def test_release_by_another_owner_does_nothing(self, store: StateStore) -> None:
        """Only the holder releases the lock."""
        store.acquire_lock("run", "host-a", lease=_MINUTE, now=T0)
        store.release_lock("run", "host-b")
        assert not store.acquire_lock("run", "host-b", lease=_MINUTE, now=_at(1))

    def test_released_lock_is_free(self, store: StateStore) -> None:
        """After its holder releases it, anyone may take the lock; releasing a free lock is harmless."""
        store.acquire_lock("run", "host-a", lease=_MINUTE, now=T0)
        store.release_lock("run", "host-a")
        store.release_lock("run", "host-a")
        assert store.acquire_lock("run", "host-b", lease=_MINUTE, now=_at(1))

    def test_lock_holder_names_the_owner_and_lease_end(self, store: StateStore) -> None:
        """The holder and its lease end are visible (an expired holder too) until it releases the lock."""
        assert store.lock_holder("run") is None
        store.acquire_lock("run", "host-a:42:run-1", lease=_MINUTE, now=T0)
        assert store.lock_holder("run") == ("host-a:42:run-1", T0 + _MINUTE)
        store.acquire_lock("run", "host-a:42:run-1", lease=_MINUTE, now=_at(30))
        assert store.lock_holder("run") == ("host-a:42:run-1", _at(30) + _MINUTE)
        store.release_lock("run", "host-a:42:run-1")
        assert store.lock_holder("run") is None

    def test_locks_are_kept_per_name(self, store: StateStore) -> None:
        """Two names are two locks."""
        assert store.acquire_lock("run", "host-a", lease=_MINUTE, now=T0)
        assert store.acquire_lock("reconcile", "host-b", lease=_MINUTE, now=T0)

    # -- transactions ------------------------------------------------------------------------------------

    def test_transaction_commits_every_write_together(self, store: StateStore) -> None:
        """What a block writes is there after it exits."""
        with store.transaction():
            store.put_links([_link("1")])
            store.append_audit([_event("a-1", jde_key="1")])
            store.set_cursor("jde:F0101", T0)
            assert store.get_links_by_jde(Entity.CUSTOMER, ["1"])  # the block sees its own writes
        assert store.count_links(Entity.CUSTOMER) == 1
        assert len(store.query_audit()) == 1
        assert store.get_cursor("jde:F0101") == T0

    def test_exception_in_a_transaction_rolls_back_every_new_write(self, store: StateStore) -> None:
        """Nothing a failed block wrote remains, whatever the kind of write, and the exception goes on."""

        def write_everything() -> None:
            store.set_cursor("jde:F0101", T0)
            store.put_links([_link("1", email="a@example.com", tax_id="B1")])
            store.enqueue([_change("1")])
            store.append_audit([_event("a-1", jde_key="1")])
            store.add_failures([_failure("f-1", "1")])
            store.put_channel(_channel("1"))
            store.acquire_lock("run", "host-a", lease=_MINUTE, now=T0)

        with pytest.raises(_RollbackError):
            _raise_inside_transaction(store, write_everything)
        assert store.get_cursor("jde:F0101") is None
        assert store.count_links(Entity.CUSTOMER) == 0
        assert store.find_links_by_email(Entity.CUSTOMER, ["a@example.com"]) == {}
        assert store.find_links_by_tax_id(Entity.CUSTOMER, ["B1"]) == {}
        assert store.queue_depth() == 0
        assert store.query_audit() == []
        assert store.list_failures(include_resolved=True) == []
        assert store.list_channels() == []
        assert store.acquire_lock("run", "host-b", lease=_MINUTE, now=T0)

    def test_exception_in_a_transaction_restores_what_it_changed(self, store: StateStore) -> None:
        """Updates and deletes made by a failed block are undone too."""
        store.set_cursor("jde:F0101", T0)
        store.put_links([_link("1", "z1", name="before"), _link("2", "z2")])
        store.enqueue([_change("q1"), _change("q2")])
        store.add_failures([_failure("f-1", "1")])
        store.put_channel(_channel("1"))
        store.acquire_lock("run", "host-a", lease=_MINUTE, now=T0)
        (claimed,) = store.claim("worker", limit=1, lease=_MINUTE, now=T0)

        def change_everything() -> None:
            store.set_cursor("jde:F0101", _at(60))
            store.put_links([_link("1", "z1", name="after"), _link("3", "z2")])
            store.ack([claimed])
            store.claim("thief", limit=10, lease=_MINUTE, now=T0)
            store.add_failures([_failure("f-2", "1", at=5)])
            store.resolve_failures(
                Entity.CUSTOMER, Direction.JDE_TO_ZOHO, ["1"], resolved_at=_at(6), resolution="x"
            )
            store.delete_channel("1")
            store.release_lock("run", "host-a")

        with pytest.raises(_RollbackError):
            _raise_inside_transaction(store, change_everything)
        assert store.get_cursor("jde:F0101") == T0
        links = store.get_links_by_jde(Entity.CUSTOMER, ["1", "2", "3"])
        assert sorted(links) == ["1", "2"]
        assert links["1"].jde_snapshot == {"name": "before"}
        assert store.queue_depth() == 2
        assert _keys(store.claim("w2", limit=10, lease=_MINUTE, now=_at(1))) == ["q2"]
        (failure,) = store.list_failures()
        assert (failure.failure_id, failure.attempts, failure.resolved_at) == ("f-1", 1, None)
        assert [channel.channel_id for channel in store.list_channels()] == ["1"]
        assert not store.acquire_lock("run", "host-b", lease=_MINUTE, now=_at(1))

    def test_nested_transaction_commits_only_with_the_outer_one(self, store: StateStore) -> None:
        """An inner block that completed is still rolled back when the outer block fails."""

        def inner_then_fail() -> None:
            store.set_cursor("outer", T0)
            with store.transaction():
                store.set_cursor("inner", T0)
                store.put_links([_link("1")])

        with pytest.raises(_RollbackError):
            _raise_inside_transaction(store, inner_then_fail)
        assert store.get_cursor("inner") is None
        assert store.get_cursor("outer") is None
        assert store.count_links(Entity.CUSTOMER) == 0

    def test_an_inner_block_that_raises_undoes_only_its_own_writes(self, store: StateStore) -> None:
        """An inner block whose exception is caught inside the outer one rolls back to where it began."""
        with store.transaction():
            store.set_cursor("outer", T0)
            with contextlib.suppress(_RollbackError), store.transaction():
                store.set_cursor("inner", T0)
                raise _RollbackError
        assert store.get_cursor("outer") == T0
        assert store.get_cursor("inner") is None

    def test_nested_transactions_commit_together(self, store: StateStore) -> None:
        """Writes of nested blocks are all there after the outer block exits normally."""
        with store.transaction():
            store.set_cursor("outer", T0)
            with store.transaction():
                store.set_cursor("inner", _at(1))
        assert (store.get_cursor("outer"), store.get_cursor("inner")) == (T0, _at(1))

    def test_writes_outside_a_transaction_are_visible_to_other_threads(self, store: StateStore) -> None:
        """A write made outside any block commits on its own."""
        store.set_cursor("jde:F0101", T0)
        store.put_links([_link("1")])
        assert _in_thread(lambda: store.get_cursor("jde:F0101")) == T0
        assert _in_thread(lambda: store.count_links(Entity.CUSTOMER)) == 1

    def test_other_threads_see_a_transaction_only_once_it_commits(self, store: StateStore) -> None:
        """Another thread reads without waiting for the block, and does not see its writes before the end."""
        with store.transaction():
            store.put_links([_link("1")])
            store.set_cursor("jde:F0101", T0)
            assert _in_thread(lambda: store.get_links_by_jde(Entity.CUSTOMER, ["1"])) == {}
            assert _in_thread(lambda: store.get_cursor("jde:F0101")) is None
        assert _in_thread(lambda: sorted(store.get_links_by_jde(Entity.CUSTOMER, ["1"]))) == ["1"]

    # -- threads -----------------------------------------------------------------------------------------

    def test_concurrent_enqueues_lose_nothing_while_a_transaction_is_open(self, store: StateStore) -> None:
        """Several threads enqueue at once, some while another thread holds a transaction: all items land."""
        workers, batches, per_batch = 4, 10, 4
        transaction_open = threading.Event()
        started = [threading.Event() for _ in range(workers)]
        new_counts: list[int] = []
        errors: list[BaseException] = []

        def work(worker: int) -> None:
            try:
                if worker % 2:  # the odd workers start only once the transaction is open
                    assert transaction_open.wait(THREAD_TIMEOUT)
                started[worker].set()
                for batch in range(batches):
                    changes = [_change(f"{worker}-{batch}-{item}", at=batch) for item in range(per_batch)]
                    new_counts.append(store.enqueue(changes))
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(worker,), daemon=True) for worker in range(workers)]
        with store.transaction():
            store.set_cursor("jde:F0101", T0)
            for thread in threads:
                thread.start()
            transaction_open.set()
            assert all(event.wait(THREAD_TIMEOUT) for event in started)
        for thread in threads:
            thread.join(THREAD_TIMEOUT)
        assert not any(thread.is_alive() for thread in threads), "an enqueue never finished"
        assert errors == []
        assert sum(new_counts) == workers * batches * per_batch
        assert store.queue_depth() == workers * batches * per_batch
        assert store.get_cursor("jde:F0101") == T0

    def test_rollback_in_one_thread_keeps_what_other_threads_wrote(self, store: StateStore) -> None:
        """A thread's failed block undoes its own writes only; another thread's enqueue meanwhile stays."""
        in_transaction = threading.Event()
        other_started = threading.Event()

        def other() -> int:
            assert in_transaction.wait(THREAD_TIMEOUT)
            other_started.set()
            return store.enqueue([_change("from-other-thread")])

        results: list[int] = []
        thread = threading.Thread(target=lambda: results.append(other()), daemon=True)
        thread.start()

        def write_then_wait() -> None:
            store.set_cursor("jde:F0101", T0)
            store.enqueue([_change("from-failed-block")])
            in_transaction.set()
            assert other_started.wait(THREAD_TIMEOUT)

        with pytest.raises(_RollbackError):
            _raise_inside_transaction(store, write_then_wait)
        thread.join(THREAD_TIMEOUT)
        assert results == [1]
        assert store.get_cursor("jde:F0101") is None
        assert _keys(store.claim("worker", limit=10, lease=_MINUTE, now=T0)) == ["from-other-thread"]

    def test_concurrent_claims_never_hand_out_an_item_twice(self, store: StateStore) -> None:
        """Threads claiming at the same moment get disjoint items, and together all of them."""
        workers, per_worker = 4, 5
        store.enqueue([_change(str(number)) for number in range(workers * per_worker)])
        barrier = threading.Barrier(workers, timeout=THREAD_TIMEOUT)
        claims: list[list[str]] = []
        errors: list[BaseException] = []

        def work(worker: int) -> None:
            try:
                barrier.wait()
                claims.append(_keys(store.claim(f"w{worker}", limit=per_worker, lease=_MINUTE, now=T0)))
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(worker,), daemon=True) for worker in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(THREAD_TIMEOUT)
        assert errors == []
        claimed = [key for keys in claims for key in keys]
        assert sorted(claimed, key=int) == [str(number) for number in range(workers * per_worker)]
