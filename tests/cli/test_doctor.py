"""doctor: passes against the emulators, fails (exit 1) naming the fix, and never writes anything."""

from __future__ import annotations

from tests.cli.conftest import ENV, Invoke, Setup, assert_no_secret

WIDE = {**ENV, "COLUMNS": "400"}  # one table row per line


def row(stdout: str, check: str) -> list[str]:
    """The cells of the table row whose check name starts with ``check`` (wrapped lines joined)."""
    found: list[str] | None = None
    for line in stdout.splitlines():
        if not line.startswith("│"):
            if found is not None:
                break
            continue
        cells = [cell.strip() for cell in line.rstrip()[1:-1].split("│")]
        if found is None and cells[0].startswith(check):
            found = cells
        elif found is not None and not cells[0]:
            found = [" ".join(part for part in pair if part) for pair in zip(found, cells, strict=True)]
        elif found is not None:
            break
    assert found is not None, f"no row {check!r} in:\n{stdout}"
    return found


def writes(setup: Setup) -> list[str]:
    zoho = [
        f"{r.method} {r.path}"
        for r in setup.served.zoho.request_log
        if r.method != "GET" and r.path.startswith("/crm/")
    ]
    return zoho + [record.name for record in setup.served.ais.orchestration_log]


def test_doctor_passes_against_the_emulators_and_writes_nothing(setup: Setup, invoke: Invoke) -> None:
    result = invoke("doctor", "--config", str(setup.config()))
    assert result.exit_code == 0, result.stdout
    assert "All checks passed." in result.stdout
    for check in ("AIS reachable", "AIS login", "JDE table F0101", "JDE table F03012", "JDE orchestration",
                  "JZ_CreateCustomer", "Zoho token", "Zoho API domain", "Zoho module Accounts: fields",
                  "Zoho module Contacts: fields", "Zoho module Vendors: fields", "Zoho notifications",
                  "Zoho edition limits"):  # fmt: skip
        assert check in result.stdout
    assert "FAIL" not in result.stdout
    assert writes(setup) == []
    assert not setup.state.exists()  # not even the state file is created
    assert_no_secret(result.stdout, result.stderr)


def test_a_missing_orchestration_fails_and_names_the_fix(setup: Setup, invoke: Invoke) -> None:
    config = setup.config({"jde": {"orchestrations": {"create_customer": "JZ_NewCustomer"}}})
    result = invoke("doctor", "--config", str(config), env=WIDE)
    assert result.exit_code == 1
    cells = row(result.stdout, "JDE orchestration JZ_NewCustomer")
    assert cells[1] == "FAIL"
    assert "jde.orchestrations.create_customer" in cells[2]
    assert "1 check(s) failed." in result.stdout


def test_a_missing_custom_field_fails_and_names_the_fix(setup: Setup, invoke: Invoke) -> None:
    config = setup.config({"zoho": {"fields": {"tax_id": "Tax_Number"}}})
    result = invoke("doctor", "--config", str(config), env=WIDE)
    assert result.exit_code == 1
    accounts = row(result.stdout, "Zoho module Accounts: fields")
    assert accounts[1] == "FAIL"
    assert "Tax_Number is missing: create a unique text field Tax_Number in Accounts" in accounts[2]
    assert "zoho.fields.tax_id" in accounts[2]


def test_a_field_of_the_wrong_type_fails(setup: Setup, invoke: Invoke) -> None:
    config = setup.config({"zoho": {"fields": {"credit_hold": "Billing_City"}}})
    result = invoke("doctor", "--config", str(config), env=WIDE)
    assert result.exit_code == 1
    assert "Billing_City is text, expected boolean" in row(result.stdout, "Zoho module Accounts: fields")[2]


def test_wrong_credentials_fail_the_login_rows_without_showing_the_secret(
    setup: Setup, invoke: Invoke
) -> None:
    wrong = {
        **WIDE,
        "JDE_PASSWORD": "not-the-password-1234",
        "ZOHO_REFRESH_TOKEN": "1000.revoked-refresh-token",
    }
    result = invoke("doctor", "--config", str(setup.config()), env=wrong)
    assert result.exit_code == 1
    flat = result.stdout
    login = row(flat, "AIS login")
    assert login[1] == "FAIL"
    assert "jde.password_env" in login[2]
    assert row(flat, "Zoho token")[1] == "FAIL"
    assert "not-the-password-1234" not in result.output
    assert "1000.revoked-refresh-token" not in result.output


def test_an_unreachable_ais_is_one_failed_row_and_the_rest_skipped(setup: Setup, invoke: Invoke) -> None:
    config = setup.config({"jde": {"base_url": "http://127.0.0.1:9"}})
    result = invoke("doctor", "--config", str(config), env=WIDE)
    assert result.exit_code == 1
    flat = result.stdout
    reach = row(flat, "AIS reachable")
    assert reach[1] == "FAIL"
    assert "check jde.base_url" in reach[2]
    assert row(flat, "AIS login, tables, orchestrations")[1] == "SKIP"
    assert row(flat, "Zoho token")[1] == "PASS"
