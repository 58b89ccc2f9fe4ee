"""Prove that a StateStore honours the protocol, with the contract suite the SDK ships.

    python -m pytest examples/test_store_contract.py

Put this in your tests and return *your* store from the fixture (a fresh, empty one per test, closed
afterwards); here it is the SDK's own SqliteStateStore. Every protocol method is checked: round trips,
lookups, paging, the notification queue's leases, audit queries, the failure upsert, locks, atomic and
nested transactions, and several threads at once. Nothing sleeps; a deadlocked store fails in
``THREAD_TIMEOUT`` seconds instead of hanging.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jde_zoho_sdk.sync import SqliteStateStore, StateStore
from jde_zoho_sdk.testing.store_contract import StateStoreContract


class TestMyStateStore(StateStoreContract):
    """Every check of the contract, run against the store the fixture makes."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[StateStore]:
        """A fresh, empty store for each test.

        Args:
            tmp_path: pytest's temporary directory for the test.

        Yields:
            The store; closed after the test.
        """
        store = SqliteStateStore(tmp_path / "state.db")  # <- your store here
        yield store
        store.close()
