"""The demo's world: both emulators on loopback sockets, seeded, with the CLI's own systems pointed at them.

Only the standard library serves here (the demo needs the ``cli`` extra, not ``server``): the emulators
and the notification receiver run on :func:`~jde_zoho_sdk.testing._server.serve_wsgi`. One clock drives
the emulators, the clients and the engine, so each step of the demo has its own timestamp and a run is
never confused about which change came last; the clock moves only when the demo moves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import attrs

from jde_zoho_sdk import Secret
from jde_zoho_sdk._cli.config import LoadedConfig, Secrets
from jde_zoho_sdk._cli.config_model import AppConfig, JdeSection, SyncSection, ZohoSection
from jde_zoho_sdk._cli.receiver import NotificationReceiver
from jde_zoho_sdk._cli.systems import Systems, open_systems
from jde_zoho_sdk.sync import ChannelKeeper, LoggingObserver, RecordingObserver, SyncObserver
from jde_zoho_sdk.testing import seed as seed_data
from jde_zoho_sdk.testing._server import serve_wsgi
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.zoho import ZohoEmulator

__all__ = ["DemoClock", "World", "demo_world"]

JDE_ZONE: Final = "America/Chicago"
NOTIFY_PATH: Final = "/zoho/notify"
_USER: Final = "DEMO"
_UNUSED: Final = "UNUSED_IN_THE_DEMO"
# The emulators' own credentials: made up per run, never printed (and registered for redaction anyway).
_PASSWORD_LENGTH: Final = 24


class DemoClock:
    """The demo's "now": starts at the current minute and moves only when :meth:`advance` is called."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(second=0, microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 60) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)


@attrs.define
class World:
    """Everything the demo acts on.

    Attributes:
        clock: The shared clock.
        ais_emu: The JD Edwards emulator.
        zoho_emu: The Zoho CRM emulator.
        data: The seeded data set.
        systems: The CLI's clients, store and engine, configured for the emulators.
        keeper: The notification channel keeper (posting to ``receiver``).
        receiver: The notification endpoint.
        recorder: Every engine event (for the conflicts merged and the failures).
    """

    clock: DemoClock
    ais_emu: AisEmulator
    zoho_emu: ZohoEmulator
    data: seed_data.Dataset
    systems: Systems
    keeper: ChannelKeeper
    receiver: NotificationReceiver
    recorder: RecordingObserver

    def account_of(self, address_number: int) -> dict[str, object]:
        """The Zoho account that holds a JDE customer's key."""
        key = self.systems.config.zoho.fields.jde_address_number
        found = [a for a in self.zoho_emu.records("Accounts") if a.get(key) == str(address_number)]
        assert len(found) == 1, f"{len(found)} accounts hold JDE key {address_number}"
        return found[0]

    def settle(self) -> None:
        """Wait until the emulator has posted every notification (a bounded wait on its queue)."""
        if not self.zoho_emu.wait_for_deliveries(timeout=15):
            raise RuntimeError("the Zoho emulator could not deliver its notifications within 15 s")


def _config(ais_url: str, zoho: ZohoEmulator, state: Path) -> AppConfig:
    return AppConfig(
        # The *_env keys only name variables (the demo hands its secrets over directly; none is read).
        jde=JdeSection(base_url=ais_url, username=_USER, timezone=JDE_ZONE, password_env=_UNUSED),
        zoho=ZohoSection(
            client_id=zoho.client_id,
            accounts_url=zoho.url,
            api_domain=zoho.url,
            client_secret_env=_UNUSED,
            refresh_token_env=_UNUSED,
            edition="enterprise",
        ),
        sync=SyncSection(state=str(state)),
        source=state.parent / "demo.toml",
    )


@contextmanager
def demo_world(*, customers: int, seed: int, state: Path, verbose: bool = False) -> Iterator[World]:
    """Start, seed and connect everything; stop it all (threads, sockets) when the block ends.

    Args:
        customers: JDE customers to seed (accounts only in Zoho and suppliers are derived from it).
        seed: The data set's and the emulators' seed.
        state: The SQLite state file.
        verbose: Also log the engine's events (``-v``).

    Yields:
        The world.
    """
    import secrets  # noqa: PLC0415 - only the demo makes up credentials

    clock = DemoClock()
    password = secrets.token_urlsafe(_PASSWORD_LENGTH)
    data = seed_data.generate(customers=customers, seed=seed)
    ais = AisEmulator(users={_USER: password}, timezone=JDE_ZONE, clock=clock, seed=seed)
    zoho = ZohoEmulator(
        client_secret=secrets.token_urlsafe(_PASSWORD_LENGTH),
        refresh_token=f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}",
        edition="enterprise",
        clock=clock,
        seed=seed,
    )
    recorder = RecordingObserver()
    with ais.serve() as ais_served, zoho.serve():
        assert ais_served.url is not None
        seed_data.load(data, ais=ais, zoho=zoho)
        loaded = LoadedConfig(
            config=_config(ais_served.url, zoho, state),
            secrets=Secrets(
                jde_password=Secret(password),
                zoho_client_secret=Secret(zoho.client_secret),
                zoho_refresh_token=Secret(zoho.refresh_token),
            ),
        )
        observers: list[SyncObserver] = [recorder, LoggingObserver()] if verbose else [recorder]
        with open_systems(loaded, observers=observers, clock=clock) as systems:
            receiver = NotificationReceiver(None, systems.engine, path=NOTIFY_PATH)
            try:
                with serve_wsgi(receiver) as url:
                    keeper = systems.keeper(f"{url}{NOTIFY_PATH}", clock=clock)
                    receiver.keeper = keeper
                    yield World(clock, ais, zoho, data, systems, keeper, receiver, recorder)
                    zoho.wait_for_deliveries(timeout=15)
            finally:
                # Stop the callback thread (and its keep-alive connection to the receiver) first.
                zoho.close()
