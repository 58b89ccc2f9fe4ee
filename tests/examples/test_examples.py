"""Every script in examples/ runs against the emulators, as a reader would run it, and does what the docs say."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jde_zoho_sdk.testing.vcr import find_secrets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
HELPERS = {"connect.py"}  # imported by the examples, not run on its own

# What each test below runs; a new example without a test fails test_every_example_is_run.
RUN = {
    "sync_once.py",
    "ais_alone.py",
    "zoho_alone.py",
    "custom_mapper.py",
    "etl_embed.py",
    "wsgi_receiver.py",
    "record_cassettes.py",
    "test_with_emulators.py",
    "test_store_contract.py",
}


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run a Python command from the repository root, never against a real system."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIS_", "JDE_", "ZOHO_"))}
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_every_example_is_run() -> None:
    scripts = {path.name for path in EXAMPLES.glob("*.py")} - HELPERS
    assert scripts == RUN


def test_sync_once_syncs_both_ways_and_exits_0() -> None:
    out = ok(run(EXAMPLES / "sync_once.py"))
    assert "jde_to_zoho  customer" in out
    assert "zoho_to_jde  customer" in out
    assert " written, 0 failed, " in out


def test_sync_once_dry_run_plans_field_by_field_and_writes_nothing() -> None:
    out = ok(run(EXAMPLES / "sync_once.py", "--dry-run"))
    assert "jde_to_zoho  customer  create" in out
    assert "    name: None -> " in out
    assert "writes planned; nothing was written" in out


def test_sync_once_keeps_its_state_where_asked(tmp_path: Path) -> None:
    state = tmp_path / "sync.db"
    ok(run(EXAMPLES / "sync_once.py", "--state", state))
    assert state.exists()


def test_ais_alone_reads_and_shows_a_business_error() -> None:
    out = ok(run(EXAMPLES / "ais_alone.py"))
    assert "session: ZOHOSYNC in JDV920" in out
    assert "orchestrations, such as JZ_CreateContact" in out
    assert "updated " in out
    assert "refused by JDE: 0004" in out


def test_zoho_alone_reads_upserts_and_reports_the_refused_record() -> None:
    out = ok(run(EXAMPLES / "zoho_alone.py"))
    assert "unique: Email, JDE_Address_Number, Tax_ID" in out
    assert "record 0: insert " in out
    assert "record 1: refused, INVALID_DATA on Payment_Terms" in out
    assert "sent again: update of " in out
    assert "matched on Tax_ID" in out


def test_custom_mapper_writes_the_custom_field_value_map_and_subclass_value() -> None:
    out = ok(run(EXAMPLES / "custom_mapper.py"))
    assert "Sales_Region='Northeast'" in out
    assert "Payment_Terms='Prepaid'" in out
    assert "Account_Type='Customer'" in out
    assert " written, 0 failed" in out


def test_etl_embed_prints_a_summary_and_exports_the_audit_trail(tmp_path: Path) -> None:
    audit = tmp_path / "audit.csv"
    out = ok(run(EXAMPLES / "etl_embed.py", "--audit-csv", audit, "--replay"))
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["failed"] == 0
    assert summary["written"] > 0
    assert summary["metrics"]["written.customer.jde_to_zoho"] > 0
    with audit.open(encoding="utf-8") as rows:
        events = list(csv.DictReader(rows))
    assert len(events) >= summary["written"]
    assert {event["outcome"] for event in events} == {"ok"}


def test_wsgi_receiver_gets_a_real_notification_into_jde() -> None:
    out = ok(run(EXAMPLES / "wsgi_receiver.py"))
    assert "watches Accounts.all, Contacts.all, Vendors.all" in out
    assert "phone now 608 555-0142" in out


def test_record_cassettes_scrubs_every_secret_and_replays(tmp_path: Path) -> None:
    out = ok(run(EXAMPLES / "record_cassettes.py", "--cassettes", tmp_path))
    assert "secrets found in it: 0" in out
    assert "replayed offline: same answers" in out
    assert find_secrets(tmp_path / "customers.yaml", ["emulated-pa55word", "emulator-client-secret"]) == []


@pytest.mark.parametrize("module", ["test_with_emulators.py", "test_store_contract.py"])
def test_example_test_modules_pass(module: str) -> None:
    out = ok(run("-m", "pytest", EXAMPLES / module, "-q", "-p", "no:cacheprovider"))
    assert " passed" in out
    assert "failed" not in out
