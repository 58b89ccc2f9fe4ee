"""Crash safety with a real kill: the engine runs in a child process SIGKILLed at a named step, then again.

After the second run, whatever the crash point: no twin in either system, and no change lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.zoho import ZohoEmulator

RUNNER = Path(__file__).with_name("_crash_runner.py")
ROOT = Path(__file__).parents[2]

pytestmark = pytest.mark.integration


@pytest.fixture
def emulators() -> Iterator[tuple[AisEmulator, ZohoEmulator]]:
    with AisEmulator(timezone="America/Chicago").serve() as ais, ZohoEmulator(notify=False).serve() as zoho:
        seed.load(seed.generate(customers=40, seed=8), ais=ais, zoho=zoho)
        yield ais, zoho


def run(ais: AisEmulator, zoho: ZohoEmulator, db: Path, step: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(ais.url), str(zoho.url), str(db), step],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 1, -signal.SIGKILL), done.stderr.decode()[-2000:]
    return done.returncode


def _record_writes(zoho: ZohoEmulator) -> int:
    return len([r for r in zoho.request_log if r.method in ("POST", "PUT") and r.path.startswith("/crm/")])


def assert_converged(ais: AisEmulator, zoho: ZohoEmulator) -> None:
    accounts = zoho.records("Accounts")
    keys = Counter(str(a.get("JDE_Address_Number") or "") for a in accounts)
    assert keys[""] == 0, "an account never got its JDE key"
    assert max(keys.values()) == 1, "a JDE customer has twins in Zoho"
    references = Counter(r["ALKY"] for r in ais.tables.rows("F0101") if r["ALKY"])
    assert not references or max(references.values()) == 1, "a Zoho record was created twice in JDE"
    contact_keys = Counter(str(c.get("JDE_Contact_Key") or "") for c in zoho.records("Contacts"))
    assert max(contact_keys.values()) == 1
    customers = {str(r["AN8"]) for r in ais.tables.rows("F0101") if r["AT1"] == "C"}
    assert set(keys) == customers


@pytest.mark.parametrize(
    "step",
    [
        "BatchWritten:jde_to_zoho:1",  # Zoho accepted a batch; its links were never recorded
        "BatchWritten:zoho_to_jde:1",  # JDE created customers; their links were never recorded
        "BatchWritten:jde_to_zoho:3",  # later, mid-way through the JDE pages
        "PageRead:jde_to_zoho:2",  # mid-page: a JDE page read, nothing of it written
        "CheckpointCommitted:jde_to_zoho:2",  # right after a checkpoint, before the cursor moved
    ],
)
def test_killed_run_then_rerun_converges_without_twins_or_lost_changes(
    emulators: tuple[AisEmulator, ZohoEmulator], tmp_path: Path, step: str
) -> None:
    ais, zoho = emulators
    db = tmp_path / "state.db"
    # A change on each side before the run that will be killed.
    ais.tables.update("F03012", {"AN8": 100_004, "CO": "00000"}, {"ACL": Decimal(77_000)})
    prospect = zoho.insert("Accounts", {"Account_Name": "Late Prospect", "Email": "late@prospect.example"})

    assert run(ais, zoho, db, step) == -signal.SIGKILL
    assert run(ais, zoho, db, "none") == 0

    assert_converged(ais, zoho)
    [account] = [a for a in zoho.records("Accounts") if a.get("JDE_Address_Number") == "100004"]
    assert account["Credit_Limit"] == Decimal(77_000)
    assert [r for r in ais.tables.rows("F0101") if r["ALKY"] == prospect]
    # And a third run has nothing left to do.
    writes = _record_writes(zoho)
    orchestrations = len(ais.orchestration_log)
    assert run(ais, zoho, db, "none") == 0
    assert _record_writes(zoho) == writes
    assert len(ais.orchestration_log) == orchestrations
