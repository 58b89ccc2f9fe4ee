"""``python -m bench._serve CUSTOMERS``: both emulators, seeded and served on loopback sockets, on their own.

Prints one JSON line (the two base URLs and the Zoho OAuth client's credentials) once serving, and serves
until its standard input closes. The memory benchmark runs the sync in another process, so the emulators'
data never counts in the syncing process's memory.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta

from bench._world import JDE_ZONE, SEED
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.zoho import ZohoEmulator


class ServedClock:
    """Stands an hour before the real time while the data is seeded, then runs in real time.

    Seeded as in the in-process benchmarks (both systems stamped in one instant, so a record in both has
    no newer side), while the run itself sees time pass as it does in production, on the same time as the
    syncing process's own clock: the engine stops each Zoho poll at its own start time, so a server clock
    an hour or a season away from it would make the run read its own write-backs again in the same run.
    """

    def __init__(self) -> None:
        self._base = datetime.now(UTC) - timedelta(hours=1)
        self._origin: float | None = None

    def __call__(self) -> datetime:
        if self._origin is None:
            return self._base
        return self._base + timedelta(seconds=time.monotonic() - self._origin)

    def start(self) -> None:
        """Let time run, from now (an hour after the seeding's stamps)."""
        self._base = datetime.now(UTC)
        self._origin = time.monotonic()


def main(customers: int, latency: float = 0.0) -> None:
    """Seed, serve, say where, and wait for the parent to close our standard input."""
    clock = ServedClock()
    ais = AisEmulator(timezone=JDE_ZONE, clock=clock)
    zoho = ZohoEmulator(notify=False, latency=latency, clock=clock)
    seed.load(seed.generate(customers=customers, seed=SEED), ais=ais, zoho=zoho)
    clock.start()
    with ais.serve() as served_ais, zoho.serve() as served_zoho:
        where = {
            "ais": served_ais.url,
            "zoho": served_zoho.url,
            "client_id": zoho.client_id,
            "client_secret": zoho.client_secret,
            "refresh_token": zoho.refresh_token,
        }
        sys.stdout.write(json.dumps(where) + "\n")
        sys.stdout.flush()
        sys.stdin.read()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
