"""AisClient against the AIS emulator over a real loopback socket: the behaviours the sync relies on."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest

from jde_zoho_sdk.jde import (
    AisClient,
    AisCredentials,
    AisPermissionDeniedError,
    Condition,
    Operator,
    OrchestrationError,
    Row,
)
from jde_zoho_sdk.testing.ais import AisEmulator
from tests.jde.conftest import FakeClock, no_wait_retry

pytestmark = pytest.mark.integration

ROWS = 2500


@pytest.fixture
def served(emulator: AisEmulator) -> Iterator[AisEmulator]:
    numbers = list(range(1, ROWS + 1))
    random.Random(3).shuffle(numbers)  # stored out of order: the key order must come from the query
    emulator.tables.insert_many("F0101", ({"AN8": n, "ALPH": f"Customer {n}", "AT1": "C"} for n in numbers))
    with emulator.serve() as running:
        yield running


def connect(emulator: AisEmulator, clock: FakeClock | None = None, **options: object) -> AisClient:
    assert emulator.url is not None
    return AisClient(
        emulator.url,
        AisCredentials("JDE", "JDE"),
        timezone="America/Chicago",
        clock=clock,
        retry=no_wait_retry(),
        **options,  # type: ignore[arg-type]
    )


def requests_to(emulator: AisEmulator, path: str) -> list[int]:
    return [record.status for record in emulator.request_log if record.path == path]


def numbers(rows: list[Row]) -> list[int]:
    return [int(row["AN8"]) for row in rows]  # type: ignore[call-overload]


def test_browse_streams_2500_rows_in_13_pages_each_row_once_in_order(served: AisEmulator) -> None:
    with connect(served) as ais:
        rows = list(ais.browse("F0101", ["AN8", "ALPH"], page_size=200))
    assert numbers(rows) == list(range(1, ROWS + 1))
    assert rows[41] == {"AN8": 42, "ALPH": "Customer 42"}
    pages = requests_to(served, "/jderest/v2/dataservice") + requests_to(
        served, "/jderest/v2/dataservice/next"
    )
    assert pages == [200] * 13
    assert requests_to(served, "/jderest/v2/tokenrequest") == [200]


def test_token_request_then_logout_on_close(served: AisEmulator) -> None:
    ais = connect(served)
    assert ais.session.username == "JDE"
    assert len(served.sessions()) == 1
    ais.close()
    assert served.sessions() == []
    assert requests_to(served, "/jderest/v2/tokenrequest/logout") == [200]


def test_proactive_refresh_requests_a_new_token_and_logs_the_old_one_out(served: AisEmulator) -> None:
    client_clock = FakeClock()
    with connect(served, client_clock, refresh_every=timedelta(minutes=25)) as ais:
        assert ais.session.username == "JDE"
        (first,) = served.sessions()
        client_clock.advance(minutes=26)
        list(ais.browse("F0101", ["AN8"], where=Condition("AN8", Operator.EQUAL, 7)))
        assert ais.logins == 2
        (current,) = served.sessions()
        assert current is not first
    assert requests_to(served, "/jderest/v2/tokenrequest/logout") == [200, 200]


def test_session_expired_mid_paging_is_renewed_and_the_chain_resumes_without_repeats(
    served: AisEmulator,
) -> None:
    with connect(served) as ais:
        chain = ais.browse("F0101", ["AN8"], page_size=200)
        rows = [next(chain) for _ in range(450)]  # three pages fetched
        assert served.expire_sessions() == 1
        rows.extend(chain)
        assert ais.logins == 2
    assert numbers(rows) == list(range(1, ROWS + 1))
    assert 444 in requests_to(served, "/jderest/v2/dataservice/next")


def test_result_set_expiry_is_recovered_without_duplicates_or_gaps(
    served: AisEmulator, clock: FakeClock
) -> None:
    with connect(served) as ais:
        chain = ais.browse("F0101", ["AN8"], page_size=200)
        rows = [next(chain) for _ in range(250)]
        served.expire_result_sets()
        rows.extend(next(chain) for _ in range(1000))
        clock.advance(seconds=61)  # the emulator's resultSetTimeout passes between two pages
        rows.extend(chain)
        assert ais.logins == 1
    assert numbers(rows) == list(range(1, ROWS + 1))
    assert requests_to(served, "/jderest/v2/dataservice/next").count(500) == 2


def test_token_renewal_in_the_middle_of_a_page_chain_is_survived(served: AisEmulator) -> None:
    client_clock = FakeClock()
    with connect(served, client_clock, refresh_every=timedelta(minutes=25)) as ais:
        chain = ais.browse("F0101", ["AN8"], page_size=200)
        rows = [next(chain) for _ in range(300)]
        client_clock.advance(minutes=30)
        ais.run_orchestration("JZ_UpdateCustomer", {"AddressNumber": 5, "TaxId": "12-3"}, idempotent=True)
        assert ais.logins == 2
        assert len(served.sessions()) == 2  # the chain still holds the session its next links belong to
        rows.extend(chain)
        assert len(served.sessions()) == 1  # released at the end of the chain and logged out
    assert numbers(rows) == list(range(1, ROWS + 1))
    assert 444 not in requests_to(served, "/jderest/v2/dataservice/next")


def test_permission_403_does_not_log_in_again(served: AisEmulator) -> None:
    served.deny("F0116")
    with connect(served) as ais:
        with pytest.raises(AisPermissionDeniedError, match="not authorized"):
            list(ais.browse("F0116"))
        assert ais.logins == 1
    assert requests_to(served, "/jderest/v2/dataservice") == [403]


def test_orchestration_success_and_error_body(served: AisEmulator) -> None:
    with connect(served) as ais:
        created = ais.run_orchestration(
            "JZ_CreateCustomer",
            {"ExternalReference": "5725767000003000064", "AlphaName": "Acme Industrial", "CreditLimit": 5000},
        )
        assert created.status == "SUCCESS"
        assert created.started_at is not None
        assert created.server_seconds is not None
        with pytest.raises(OrchestrationError) as caught:
            ais.run_orchestration(
                "JZ_CreateCustomer", {"ExternalReference": "z-2", "AlphaName": "Bad Co", "Currency": "XXX"}
            )
    error = caught.value
    assert error.orchestration == "JZ_CreateCustomer"
    assert [e.code for e in error.form_errors] == ["0004"]
    assert "Currency" in error.form_errors[0].title
    assert error.exception_id
    assert served.tables.rows("F0101", ALPH="Bad Co") == []
    assert served.orchestration_log[-1].status == "ERROR"


def test_repeated_create_returns_the_same_address_number(served: AisEmulator) -> None:
    inputs = {"ExternalReference": "5725767000003000064", "AlphaName": "Acme Industrial"}
    with connect(served) as ais:
        first = ais.run_orchestration("JZ_CreateCustomer", inputs)
        again = ais.run_orchestration("JZ_CreateCustomer", {**inputs, "AlphaName": "Renamed"})
    assert first.outputs == {"AddressNumber": ROWS + 1, "Existing": False}
    assert again.outputs == {"AddressNumber": ROWS + 1, "Existing": True}
    assert len(served.tables.rows("F0101", ALKY="5725767000003000064")) == 1
    assert served.tables.get("F0101", {"AN8": ROWS + 1})["ALPH"] == "Acme Industrial"  # type: ignore[index]
