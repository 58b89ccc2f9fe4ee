"""Fixtures for the Zoho client and emulator tests: a clock that only moves when told, emulators, clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class Clock:
    """A clock that moves only when told (or by ``step`` on each reading, to give records distinct times)."""

    def __init__(self, start: datetime = START, step: timedelta = timedelta(0)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.step
        return current

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def no_sleep_retry(**overrides: object) -> RetryPolicy:
    """The default policy, but waits are recorded instead of slept."""
    return RetryPolicy(sleep=lambda _seconds: None, random=lambda: 0.0, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emulator(clock: Clock) -> Iterator[ZohoEmulator]:
    with ZohoEmulator(clock=clock) as emu:
        yield emu


def oauth_for(emu: ZohoEmulator, clock: Callable[[], datetime] | None = None) -> ZohoOAuth:
    """An OAuth flow with the emulator's credentials, pointed at its URL."""
    region = Region.custom(emu.url, emu.url)
    return ZohoOAuth.from_refresh_token(
        emu.client_id, emu.client_secret, emu.refresh_token, region, clock=clock
    )


def in_process_client(
    emu: ZohoEmulator, clock: Callable[[], datetime] | None = None, **options: object
) -> ZohoClient:
    """A client talking to the emulator in-process (no socket)."""
    return ZohoClient(oauth_for(emu, clock), transport=emu.transport(), retry=no_sleep_retry(), **options)  # type: ignore[arg-type]


def socket_client(
    emu: ZohoEmulator, clock: Callable[[], datetime] | None = None, **options: object
) -> ZohoClient:
    """A client talking to a served emulator over its loopback socket."""
    return ZohoClient(oauth_for(emu, clock), retry=no_sleep_retry(), **options)  # type: ignore[arg-type]


@pytest.fixture
def zoho(emulator: ZohoEmulator, clock: Clock) -> Iterator[ZohoClient]:
    with in_process_client(emulator, clock) as client:
        yield client
