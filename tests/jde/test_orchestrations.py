"""The orchestrations of the sync contract (docs/jde-orchestrations.md), run by the client on the emulator."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import pytest

from jde_zoho_sdk import NotFoundError, PermissionDeniedError, ValidationError
from jde_zoho_sdk.jde import AisClient, OrchestrationError
from jde_zoho_sdk.testing.ais import AisEmulator, FormErrorSpec, OrchestrationCall, OrchestrationFailure
from tests.jde.conftest import FakeClock, client_for

CUSTOMER = {
    "ExternalReference": "5725767000003000064",
    "AlphaName": "Acme Industrial Supply Company of the Greater Chicago Area",
    "TaxId": "36-1234567",
    "CategoryCode01": "dis",
    "AddressLine1": "100 Main St",
    "City": "Chicago",
    "State": "IL",
    "PostalCode": "60601",
    "Country": "US",
    "Email": "ap@acme.example",
    "PhoneAreaCode": "312",
    "PhoneNumber": "555-0100",
    "CreditLimit": Decimal("1234.56"),
    "PaymentTerms": "n30",
    "Currency": "USD",
    "AuditId": "0d4c6f5e-audit",
}


def create(ais: AisClient, name: str = "JZ_CreateCustomer", /, **inputs: object) -> Mapping[str, object]:
    return ais.run_orchestration(name, inputs).outputs


def failure(ais: AisClient, name: str, /, **inputs: object) -> OrchestrationError:
    with pytest.raises(OrchestrationError) as caught:
        ais.run_orchestration(name, inputs)
    return caught.value


def test_create_customer_writes_every_table_the_way_jde_stores_it(
    ais: AisClient, emulator: AisEmulator
) -> None:
    an8 = create(ais, **CUSTOMER)["AddressNumber"]
    tables = emulator.tables
    master = tables.get("F0101", {"AN8": an8})
    assert master is not None
    assert master["ALPH"] == CUSTOMER["AlphaName"][:40]  # type: ignore[index]
    assert (master["AT1"], master["AC01"], master["ALKY"], master["ATR"]) == (
        "C",
        "DIS",
        "5725767000003000064",
        "Y",
    )
    assert (master["USER"], master["UPMJ"], master["UPMT"]) == ("JDE", date(2024, 7, 1), 93000)
    assert tables.get("F0111", {"AN8": an8, "IDLN": 0})["MLNM"] == master["ALPH"]  # type: ignore[index]
    assert tables.get("F0116", {"AN8": an8, "EFTB": None})["CTY1"] == "Chicago"  # type: ignore[index]
    assert tables.get("F01151", {"AN8": an8, "IDLN": 0, "RCK7": 1})["EMAL"] == "ap@acme.example"  # type: ignore[index]
    assert tables.get("F0115", {"AN8": an8, "IDLN": 0, "RCK7": 1})["PH1"] == "555-0100"  # type: ignore[index]
    terms = tables.get("F03012", {"AN8": an8, "CO": "00000"})
    assert (terms["ACL"], terms["TRAR"], terms["CRCD"]) == (1235, "N30", "USD")  # type: ignore[index]


def test_create_supplier_uses_the_supplier_search_type_and_f0401(
    ais: AisClient, emulator: AisEmulator
) -> None:
    an8 = create(ais, "JZ_CreateSupplier", ExternalReference="v-1", AlphaName="Parts Inc", PaymentTermsAP="N45",
                 HoldPaymentCode="N", Currency="CAD")["AddressNumber"]  # fmt: skip
    assert emulator.tables.get("F0101", {"AN8": an8})["AT1"] == "V"  # type: ignore[index]
    supplier = emulator.tables.get("F0401", {"AN8": an8})
    assert (supplier["TRAP"], supplier["HDPY"], supplier["CRRP"]) == ("N45", "N", "CAD")  # type: ignore[index]
    assert emulator.tables.rows("F03012", AN8=an8) == []


def test_search_types_and_reference_column_are_settings(clock: FakeClock) -> None:
    emulator = AisEmulator(clock=clock, customer_search_type="CU", external_reference_column="TX2")
    with client_for(emulator) as ais:
        first = create(ais, ExternalReference="ref-9", AlphaName="A")
        again = create(ais, ExternalReference="ref-9", AlphaName="A")
    assert again == {"AddressNumber": first["AddressNumber"], "Existing": True}
    row = emulator.tables.get("F0101", {"AN8": first["AddressNumber"]})
    assert (row["AT1"], row["TX2"], row["ALKY"]) == ("CU", "ref-9", "")  # type: ignore[index]


def test_update_leaves_absent_inputs_and_clears_empty_ones(
    ais: AisClient, emulator: AisEmulator, clock: FakeClock
) -> None:
    an8 = create(ais, **CUSTOMER)["AddressNumber"]
    clock.advance(minutes=5)
    result = ais.run_orchestration(
        "JZ_UpdateCustomer",
        {"AddressNumber": an8, "TaxId": "", "City": "Evanston", "HoldCode": "c1"},
        idempotent=True,
    )
    assert result.outputs == {"AddressNumber": an8}
    master = emulator.tables.get("F0101", {"AN8": an8})
    assert (master["TAX"], master["ALPH"], master["UPMT"]) == ("", CUSTOMER["AlphaName"][:40], 93500)  # type: ignore[index]
    address = emulator.tables.get("F0116", {"AN8": an8, "EFTB": None})
    assert (address["CTY1"], address["ADD1"]) == ("Evanston", "100 Main St")  # type: ignore[index]
    assert emulator.tables.get("F03012", {"AN8": an8, "CO": "00000"})["HOLD"] == "C1"  # type: ignore[index]
    assert emulator.tables.get("F01151", {"AN8": an8, "IDLN": 0, "RCK7": 1})["UPMT"] == 93000  # type: ignore[index]


def test_update_changes_the_address_in_force_not_a_new_row(ais: AisClient, emulator: AisEmulator) -> None:
    emulator.tables.insert("F0101", {"AN8": 5150, "ALPH": "Dated Address Co", "AT1": "C"})
    emulator.tables.insert("F0116", {"AN8": 5150, "EFTB": date(2019, 1, 1), "CTY1": "Gary"})
    emulator.tables.insert("F0116", {"AN8": 5150, "EFTB": date(2024, 1, 1), "CTY1": "Chicago"})
    emulator.tables.insert("F0116", {"AN8": 5150, "EFTB": date(2099, 1, 1), "CTY1": "Future City"})
    ais.run_orchestration("JZ_UpdateCustomer", {"AddressNumber": 5150, "City": "Skokie"}, idempotent=True)
    cities = {row["EFTB"]: row["CTY1"] for row in emulator.tables.rows("F0116", AN8=5150)}
    assert cities == {date(2019, 1, 1): "Gary", date(2024, 1, 1): "Skokie", date(2099, 1, 1): "Future City"}


def test_business_errors_come_back_as_form_errors(ais: AisClient, emulator: AisEmulator) -> None:
    missing = failure(ais, "JZ_CreateCustomer", ExternalReference="x")
    assert [(e.code, e.title) for e in missing.form_errors] == [("0001", "Error: AlphaName is required")]
    bad_codes = failure(
        ais, "JZ_CreateCustomer", ExternalReference="x", AlphaName="A", State="ZZ", Country="XX"
    )
    assert [e.code for e in bad_codes.form_errors] == ["0004", "0004"]
    assert "00/S" in bad_codes.form_errors[0].title
    unknown = failure(ais, "JZ_UpdateCustomer", AddressNumber=999999)
    assert unknown.code == "0002"
    assert isinstance(unknown, ValidationError)
    assert emulator.tables.count("F0101") == 0


def test_contacts_get_the_next_line_and_are_idempotent_within_their_parent(
    ais: AisClient, emulator: AisEmulator
) -> None:
    an8 = create(ais, **CUSTOMER)["AddressNumber"]
    first = create(ais, "JZ_CreateContact", AddressNumber=an8, ExternalReference="c-1", GivenName="Ann",
                   Surname="Lee", ContactTitle="Buyer", Email="ann@acme.example", MobileNumber="312 555-0199")  # fmt: skip
    second = create(ais, "JZ_CreateContact", AddressNumber=an8, ExternalReference="c-2", Surname="Kim")
    repeat = create(ais, "JZ_CreateContact", AddressNumber=an8, ExternalReference="c-1", Surname="Other")
    assert (first["LineNumber"], second["LineNumber"]) == (1, 2)
    assert repeat == {"AddressNumber": an8, "LineNumber": 1, "Existing": True}
    line = emulator.tables.get("F0111", {"AN8": an8, "IDLN": 1})
    assert (line["MLNM"], line["TYC"], line["REM1"], line["ATTL"]) == ("Ann Lee", "C", "c-1", "Buyer")  # type: ignore[index]
    assert emulator.tables.get("F0115", {"AN8": an8, "IDLN": 1, "RCK7": 2})["PHTP"] == "CAR"  # type: ignore[index]
    ais.run_orchestration("JZ_UpdateContact", {"AddressNumber": an8, "LineNumber": 2, "GivenName": "Jo"})
    assert emulator.tables.get("F0111", {"AN8": an8, "IDLN": 2})["GNNM"] == "Jo"  # type: ignore[index]
    assert failure(ais, "JZ_UpdateContact", AddressNumber=an8, LineNumber=7).code == "0002"


def test_flag_deleted_marks_and_deletes_nothing(ais: AisClient, emulator: AisEmulator) -> None:
    an8 = create(ais, **CUSTOMER)["AddressNumber"]
    create(ais, "JZ_CreateContact", AddressNumber=an8, ExternalReference="c-1", Surname="Lee")
    ais.run_orchestration("JZ_FlagDeleted", {"AddressNumber": an8, "Reason": "deleted in Zoho"})
    ais.run_orchestration("JZ_FlagDeleted", {"AddressNumber": an8, "LineNumber": 1})
    assert emulator.tables.get("F0101", {"AN8": an8})["AC30"] == "DEL"  # type: ignore[index]
    assert emulator.tables.get("F0111", {"AN8": an8, "IDLN": 1})["W010"] == "DEL"  # type: ignore[index]


def test_registered_callables_and_jde_standard_inputs(ais: AisClient, emulator: AisEmulator) -> None:
    def lookup(call: OrchestrationCall) -> Mapping[str, object]:
        if call.inputs.get("Item") == "none":
            raise OrchestrationFailure(
                FormErrorSpec(code="0052", title="Error: Item Invalid"), form="fs_P4101_W4101A"
            )
        return {"Echo": call.inputs, "User": call.username}

    emulator.register_orchestration(
        "X_Lookup", lookup, input_format="JDE Standard", inputs=[("Item", "String")]
    )
    result = ais.run_orchestration(
        "X_Lookup", {"Item": 42, "Qty": Decimal("1.5")}, input_format="jde_standard"
    )
    assert result["Echo"] == {"Item": "42", "Qty": "1.5"}
    assert result["User"] == "JDE"
    with pytest.raises(OrchestrationError) as caught:
        ais.run_orchestration("X_Lookup", {"Item": "none"}, input_format="jde_standard")
    error = caught.value
    assert (error.code, error.form_errors[0].title) == ("0052", "Error: Item Invalid")
    (described,) = ais.discover("X_Lookup")
    assert (described.input_format, described.inputs[0].name) == ("JDE Standard", "Item")
    assert {o.name for o in ais.discover()} >= {"JZ_CreateCustomer", "JZ_UpdateContact", "X_Lookup"}


def test_error_answer_with_http_200_is_still_an_error(clock: FakeClock) -> None:
    emulator = AisEmulator(clock=clock, orchestration_error_status=200)
    with client_for(emulator) as ais:
        assert failure(ais, "JZ_UpdateCustomer", AddressNumber=1).status == 200


def test_unknown_and_forbidden_orchestrations(ais: AisClient, emulator: AisEmulator) -> None:
    with pytest.raises(NotFoundError):
        ais.run_orchestration("JZ_Nope", {})
    emulator.deny("JZ_CreateCustomer", username="jde")
    with pytest.raises(PermissionDeniedError):
        ais.run_orchestration("JZ_CreateCustomer", CUSTOMER)
    assert ais.logins == 1


def test_orchestration_log_records_runs_without_secrets(ais: AisClient, emulator: AisEmulator) -> None:
    create(ais, **CUSTOMER, password="hunter2-secret")
    record = emulator.orchestration_log[-1]
    assert (record.name, record.status, record.username) == ("JZ_CreateCustomer", "SUCCESS", "JDE")
    assert record.inputs["AuditId"] == "0d4c6f5e-audit"
    assert record.inputs["password"] == "REDACTED"
    assert record.outputs == {"AddressNumber": 1001, "Existing": False}
