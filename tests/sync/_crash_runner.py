"""Run one sync in a child process and SIGKILL it at a named step (used by test_crash_safety).

Usage: python tests/sync/_crash_runner.py AIS_URL ZOHO_URL DB_PATH STEP
STEP is "none", or "<event>:<direction>:<n>": kill at the n-th event of that type and direction
(``BatchWritten:jde_to_zoho:1`` = after Zoho accepted a batch, before its checkpoint).
"""

from __future__ import annotations

import os
import signal
import sys

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync.config import SyncConfig
from jde_zoho_sdk.sync.engine import SyncEngine
from jde_zoho_sdk.sync.events import SyncEvent
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth


class KillAt:
    """Kills this process (no cleanup at all) at the n-th matching event."""

    def __init__(self, step: str) -> None:
        self.kind, self.direction, count = step.split(":") if step != "none" else ("", "", "0")
        self.left = int(count)

    def on_event(self, event: SyncEvent) -> None:
        if type(event).__name__ != self.kind or str(getattr(event, "direction", "")) != self.direction:
            return
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)


def main() -> int:
    ais_url, zoho_url, db_path, step = sys.argv[1:5]
    defaults = ZohoEmulator()
    oauth = ZohoOAuth.from_refresh_token(
        defaults.client_id, defaults.client_secret, defaults.refresh_token, Region.custom(zoho_url, zoho_url)
    )
    retry = RetryPolicy(max_tries=2, sleep=lambda _s: None)
    with (
        AisClient(ais_url, AisCredentials("JDE", "JDE"), timezone="America/Chicago", retry=retry) as ais,
        ZohoClient(oauth, retry=retry) as zoho,
        SqliteStateStore(db_path) as store,
    ):
        engine = SyncEngine(
            ais=ais, zoho=zoho, store=store, config=SyncConfig(batch_size=10), observers=[KillAt(step)]
        )
        report = engine.run()
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
