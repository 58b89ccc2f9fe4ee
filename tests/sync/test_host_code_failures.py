"""Host code that misbehaves: a mapper's unexpected exception fails its one record, not the batch or the run."""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

import pytest

from jde_zoho_sdk.sync import Canonical, DefaultMapper, MappingContext, SyncConfig, SyncEngine
from jde_zoho_sdk.sync.events import BatchWritten, RunFinished
from jde_zoho_sdk.sync.merge import Side
from jde_zoho_sdk.sync.model import Entity, JdeAggregate
from jde_zoho_sdk.testing import seed
from tests.sync.conftest import Systems

R = TypeVar("R", bound=Canonical)
ODD = "100003"  # a JDE customer (index 2: in both systems once seeded)


class BuggyMapper(DefaultMapper):
    """Raises a plain exception (a host's bug) on one customer, in one of its per-record methods."""

    def __init__(self, method: str) -> None:
        super().__init__()
        self.method = method

    def _odd(self, method: str, record: Canonical | JdeAggregate) -> bool:
        key = record.key if isinstance(record, JdeAggregate) else getattr(record, "name", "")
        return method == self.method and (key == ODD or key == self.odd_name)

    odd_name = ""

    def from_jde(self, aggregate: JdeAggregate) -> Canonical:
        if self._odd("from_jde", aggregate):
            raise KeyError("ALPH")
        return super().from_jde(aggregate)

    def normalize(self, record: R, side: Side) -> R:
        if self._odd("normalize", record):
            raise ZeroDivisionError("division by zero")
        return super().normalize(record, side)

    def to_zoho(
        self, record: Canonical, *, fields: Collection[str] | None = None, context: MappingContext
    ) -> dict[str, object]:
        if self._odd("to_zoho", record):
            raise ValueError("no such currency")
        return super().to_zoho(record, fields=fields, context=context)


def engine(systems: Systems, mapper: DefaultMapper | None = None) -> SyncEngine:
    return SyncEngine(
        ais=systems.ais,
        zoho=systems.zoho,
        store=systems.store,
        mapper=mapper,
        config=SyncConfig(batch_size=4),
        observers=[systems.observer],
        clock=systems.clock,
    )


@pytest.mark.parametrize(("method", "raised"), [("from_jde", "KeyError"), ("normalize", "ZeroDivisionError"),
                                               ("to_zoho", "ValueError")])  # fmt: skip
def test_a_mapper_bug_on_one_record_fails_that_record_and_the_rest_syncs(
    systems: Systems, method: str, raised: str
) -> None:
    data = seed.generate(customers=10, seed=3)
    systems.load(data)
    mapper = BuggyMapper(method)
    mapper.odd_name = next(str(row["ALPH"]) for row in data.jde["F0101"] if str(row["AN8"]) == ODD)

    report = engine(systems, mapper).run()

    # One failure per direction that met the record (it is in both systems), each naming the exception.
    failures = [f for f in systems.store.list_failures() if f.entity is Entity.CUSTOMER]
    assert failures
    # Its contacts wait for it (their parent is not linked); nothing else failed.
    waiting = [f for f in systems.store.list_failures() if f.entity is not Entity.CUSTOMER]
    assert all(f.entity is Entity.CONTACT and f.source_key.startswith(f"{ODD}-") for f in waiting)
    assert report.failed == len(failures) + len(waiting)
    for failure in failures:
        assert (failure.stage, ODD in (failure.source_key, failure.target_key)) == ("map", True)
        assert failure.message.startswith(f"{raised}: ")
    customers = {str(row["AN8"]) for row in data.jde["F0101"] if row["AT1"] == "C"}
    for key in sorted(customers - {ODD}):
        systems.account(key)  # every other customer reached Zoho, in the same batches as the odd one
    finished = [e for e in systems.observer.events if isinstance(e, RunFinished)]
    assert finished[-1].error == ""  # a record's failure is not the run's

    systems.clock.advance(60)
    engine(systems).replay()  # the mapper fixed
    assert systems.store.list_failures() == []
    systems.account(ODD)


class _Interrupt(BaseException):
    """Like KeyboardInterrupt: no handler of the engine catches it."""


def test_a_run_ended_by_an_unexpected_exception_is_not_reported_as_clean(systems: Systems) -> None:
    systems.load(seed.generate(customers=6, seed=3))
    sync = engine(systems)

    class InterruptAfterAWrite:
        def on_event(self, event: object) -> None:
            if isinstance(event, BatchWritten):
                raise _Interrupt("stopped by the operator")

    sync.observers = (*sync.observers, InterruptAfterAWrite())
    with pytest.raises(_Interrupt):
        sync.run()
    finished = [e for e in systems.observer.events if isinstance(e, RunFinished)]
    assert len(finished) == 1
    assert finished[0].error == "_Interrupt: stopped by the operator"
