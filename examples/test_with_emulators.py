"""Test your own code against the shipped emulators: in-process (no socket), seeded, with faults.

    python -m pytest examples/test_with_emulators.py

Copy the fixtures into your conftest.py. Nothing here sleeps or needs a network: the clients talk to the
emulators through httpx transports, and the retry policy's ``sleep`` is replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.jde import AisClient, AisCredentials, Condition, Operator
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.faults import Fault
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth

ZONE = "America/Chicago"


# -- the code under test: your own, using the SDK's clients ---------------------------------------------


def credit_exposure(ais: AisClient, company: str = "00000") -> Decimal:
    """Sum of the credit limits of a company's customers (the kind of function a host writes)."""
    rows = ais.browse("F03012", ["AN8", "CO", "ACL"], where=Condition("CO", Operator.EQUAL, company))
    return sum((Decimal(str(row["ACL"] or 0)) for row in rows), Decimal(0))


def mark_as_customers(zoho: ZohoClient, ids: list[str]) -> int:
    """Set ``Account_Type`` to ``"Customer"``; returns how many accounts Zoho accepted."""
    results = zoho.update("Accounts", [{"id": record_id, "Account_Type": "Customer"} for record_id in ids])
    return sum(result.ok for result in results)


# -- fixtures ---------------------------------------------------------------------------------------------


def no_sleep(_seconds: float) -> None:
    """Retries wait for nothing in tests."""


@pytest.fixture
def ais_emulator() -> AisEmulator:
    emulator = AisEmulator(timezone=ZONE)
    seed.load(seed.generate(customers=10, seed=1), ais=emulator)
    return emulator


@pytest.fixture
def ais(ais_emulator: AisEmulator) -> Iterator[AisClient]:
    # Any base URL will do in-process; serve() gives a real socket when the code under test needs one.
    with AisClient(
        "https://ais.test",
        AisCredentials("JDE", "JDE"),  # the emulator's default user
        timezone=ZONE,
        transport=ais_emulator.transport(),
        retry=RetryPolicy(sleep=no_sleep),
    ) as client:
        yield client


@pytest.fixture
def zoho_emulator() -> Iterator[ZohoEmulator]:
    with ZohoEmulator(notify=False) as emulator:
        seed.load(seed.generate(customers=10, seed=1), zoho=emulator)
        yield emulator


@pytest.fixture
def zoho(zoho_emulator: ZohoEmulator) -> Iterator[ZohoClient]:
    region = Region.custom(zoho_emulator.url, zoho_emulator.url)
    oauth = ZohoOAuth.from_refresh_token(
        zoho_emulator.client_id, zoho_emulator.client_secret, zoho_emulator.refresh_token, region
    )
    with ZohoClient(oauth, transport=zoho_emulator.transport(), retry=RetryPolicy(sleep=no_sleep)) as client:
        yield client


# -- tests ------------------------------------------------------------------------------------------------


def test_credit_exposure_sums_the_company_customers(ais: AisClient, ais_emulator: AisEmulator) -> None:
    expected = sum(
        (Decimal(str(row["ACL"] or 0)) for row in ais_emulator.tables.rows("F03012", CO="00000")), Decimal(0)
    )
    assert credit_exposure(ais) == expected


def test_credit_exposure_survives_an_expired_session(ais: AisClient, ais_emulator: AisEmulator) -> None:
    credit_exposure(ais)
    ais_emulator.expire_sessions()  # the next call gets 444: the client logs in again once
    credit_exposure(ais)
    assert ais.logins == 2


def test_marking_retries_through_a_rate_limit(zoho: ZohoClient, zoho_emulator: ZohoEmulator) -> None:
    ids = [str(record["id"]) for record in zoho_emulator.records("Accounts")[:3]]
    zoho_emulator.faults.add(Fault(path=r"/crm/v8/Accounts$", method="PUT", status=429, times=2))
    assert mark_as_customers(zoho, ids) == 3
    assert zoho.stats.retries == 2
    types = {record["Account_Type"] for record in zoho_emulator.records("Accounts") if record["id"] in ids}
    assert types == {"Customer"}


def test_marking_reports_a_refused_record(zoho: ZohoClient, zoho_emulator: ZohoEmulator) -> None:
    record_id = str(zoho_emulator.records("Accounts")[0]["id"])
    assert mark_as_customers(zoho, [record_id, "1"]) == 1  # no account has id 1
