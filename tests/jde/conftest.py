"""Fixtures of the AIS tests: one fake clock for client and emulator, an emulator, clients on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.testing.ais import AisEmulator

START = datetime(2024, 7, 1, 14, 30, tzinfo=UTC)
BASE = "https://ais.test"


class FakeClock:
    """An aware clock that moves only when told to."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def no_wait_retry() -> RetryPolicy:
    """The default retry policy without real sleeping."""
    return RetryPolicy(sleep=lambda _seconds: None, max_tries=3)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> AisEmulator:
    return AisEmulator(users={"JDE": "JDE"}, clock=clock, timezone="America/Chicago")


def client_for(emulator: AisEmulator, clock: FakeClock | None = None, **options: object) -> AisClient:
    """A client on the emulator in-process."""
    return AisClient(
        BASE,
        AisCredentials("JDE", "JDE"),
        transport=emulator.transport(),
        timezone="America/Chicago",
        clock=clock,
        retry=no_wait_retry(),
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def ais(emulator: AisEmulator, clock: FakeClock) -> Iterator[AisClient]:
    with client_for(emulator, clock) as client:
        yield client
