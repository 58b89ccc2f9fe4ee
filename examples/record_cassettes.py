"""Record the SDK's HTTP exchanges as VCR cassettes with every secret scrubbed, then replay them offline.

    python examples/record_cassettes.py                          # records the emulators into a temp dir
    python examples/record_cassettes.py --cassettes tests/cassettes/mine
        With the variables of connect.py set, records your own systems (reads only). Commit the cassette:
        it holds no password, token, refresh token or client secret, and replays with none.

Needs the ``test`` extra (vcrpy).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path

from connect import EMULATED_PASSWORD, systems

from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.testing.vcr import find_secrets, make_vcr
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth

CASSETTE = "customers.yaml"


def exercise(ais: AisClient, zoho: ZohoClient) -> list[str]:
    """The exchanges to record: two pages of customers (a next-page link carries the AIS token) and
    two pages of accounts."""
    names = [
        str(row["ALPH"]) for row in itertools.islice(ais.browse("F0101", ["AN8", "ALPH"], page_size=3), 5)
    ]
    records = zoho.iter_records("Accounts", ["Account_Name"], per_page=3)
    names += [str(record.get("Account_Name")) for record in itertools.islice(records, 5)]
    return names


def replay(cassettes: Path, ais_url: str, timezone: tzinfo, region: Region) -> list[str]:
    """The same calls, answered from the cassette: no network, and no real credential."""
    player = make_vcr(cassettes, record_mode="none")  # an unrecorded request fails instead of going out
    oauth = ZohoOAuth.from_refresh_token("1000.REPLAY", "not-a-secret", "1000.not-a-token", region)
    with (
        player.use_cassette(CASSETTE),
        AisClient(ais_url, AisCredentials("REPLAY", "not-a-password"), timezone=timezone) as ais,
        ZohoClient(oauth) as zoho,
    ):
        answers = exercise(ais, zoho)
        ais.close()  # the logout is answered from the cassette too
        return answers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the example.

    Args:
        argv: Command line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status: 1 when a secret was found in the cassette or the replay differed.
    """
    parser = argparse.ArgumentParser(description="Record scrubbed cassettes, then replay them.")
    parser.add_argument("--cassettes", type=Path, help="the cassette directory (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        cassettes: Path = args.cassettes or Path(scratch)
        recorder = make_vcr(cassettes, record_mode="once")  # records when the cassette is missing
        with systems() as connected:
            if connected.emulated:
                assert connected.zoho_emulator is not None
                secrets = [
                    EMULATED_PASSWORD,
                    connected.zoho_emulator.client_secret,
                    connected.zoho_emulator.refresh_token,
                ]
            else:
                secrets = [
                    os.environ[name] for name in ("JDE_PASSWORD", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN")
                ]
            with recorder.use_cassette(CASSETTE):
                recorded = exercise(connected.ais, connected.zoho)
                if connected.ais_emulator is not None:  # the session token the emulator issued
                    secrets += [session.token for session in connected.ais_emulator.sessions()]
                connected.ais.close()  # record the logout, so a replay closes cleanly
            ais_url, timezone, region = (
                connected.ais.base_url,
                connected.ais.timezone,
                connected.zoho.oauth.region,
            )
        leaked = find_secrets(cassettes / CASSETTE, secrets)
        print(f"recorded {len(recorded)} names into {CASSETTE}; secrets found in it: {len(leaked)}")
        replayed = replay(cassettes, ais_url, timezone, region)
        print(f"replayed offline: {'same answers' if replayed == recorded else 'DIFFERENT answers'}")
        return 1 if leaked or replayed != recorded else 0


if __name__ == "__main__":
    sys.exit(main())
