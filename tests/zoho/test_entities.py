"""Typed Account, Contact and Vendor models: read from records, written back as API values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jde_zoho_sdk import MappingError
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import Account, Contact, CustomFieldNames, Lookup, Vendor, ZohoClient, ZohoRecord


def record(module: str, **values: object) -> ZohoRecord:
    return ZohoRecord(
        "4150868000000002175",
        module,
        datetime(2025, 1, 1, tzinfo=UTC),
        {"id": "4150868000000002175", **values},
    )


def test_account_reads_custom_fields_with_exact_money() -> None:
    account = Account.from_record(
        record(
            "Accounts",
            Account_Name="Zylker",
            JDE_Address_Number="4242",
            Credit_Limit=Decimal("5000.5"),
            Credit_Hold=True,
            Payment_Terms="Net 30",
            Owner={"name": "Patricia", "id": "1", "email": "p@example.com"},
            Created_Time="2024-12-31T16:00:00-08:00",
            Rating="Hot",
        )
    )
    assert account.account_name == "Zylker"
    assert account.credit_limit == Decimal("5000.5")
    assert account.credit_hold is True
    assert account.owner == Lookup("1", "Patricia", {"email": "p@example.com"})
    assert account.created_time == datetime(2025, 1, 1, tzinfo=UTC)
    assert account.extra == {"Rating": "Hot"}


def test_integer_money_becomes_decimal_never_float() -> None:
    account = Account.from_record(record("Accounts", Credit_Limit=5000))
    assert type(account.credit_limit) is Decimal


def test_custom_field_names_are_configurable() -> None:
    names = CustomFieldNames(jde_address_number="AN8__c", credit_limit="Limit__c")
    account = Account.from_record(record("Accounts", AN8__c="77", Limit__c=Decimal(10)), names)
    assert account.jde_address_number == "77"
    assert account.to_values(names) == {"AN8__c": "77", "Limit__c": Decimal(10), "id": "4150868000000002175"}


def test_contact_lookups_read_with_names_and_write_as_ids() -> None:
    contact = Contact.from_record(
        record(
            "Contacts",
            Last_Name="Boyle",
            Full_Name="Pat Boyle",
            Account_Name={"name": "Zylker", "id": "99"},
            Email_Opt_Out=False,
        )
    )
    assert contact.account == Lookup("99", "Zylker")
    values = contact.to_values()
    assert values["Account_Name"] == {"id": "99"}
    assert "Full_Name" not in values  # read-only
    assert values["Email_Opt_Out"] is False


def test_to_values_leaves_unset_fields_out_unless_asked() -> None:
    vendor = Vendor(vendor_name="Acme Supply", jde_address_number="5001")
    assert vendor.to_values() == {"Vendor_Name": "Acme Supply", "JDE_Address_Number": "5001"}
    cleared = vendor.to_values(include_none=True)
    assert cleared["Email"] is None
    assert "id" not in cleared


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"Credit_Limit": 12.5}, "Credit_Limit"),  # a float would have lost the exact amount already
        ({"Credit_Limit": "lots"}, "Credit_Limit"),
        ({"Credit_Hold": "yes"}, "Credit_Hold"),
        ({"Account_Name": ["a"]}, "Account_Name"),
        ({"Owner": 7.5}, "Owner"),
        ({"Created_Time": "yesterday"}, "Created_Time"),
    ],
)
def test_a_mistyped_value_is_a_mapping_error_naming_field_and_record(
    values: dict[str, object], field: str
) -> None:
    with pytest.raises(MappingError) as caught:
        Account.from_record(record("Accounts", **values))
    assert caught.value.field == field
    assert caught.value.record_key == "zoho:Accounts:4150868000000002175"


def test_models_round_trip_through_the_emulator(emulator: ZohoEmulator, zoho: ZohoClient) -> None:
    account = Account(
        account_name="Zylker Ltd",
        jde_address_number="4242",
        tax_id="GB123",
        email="ap@zylker.example",
        credit_limit=Decimal("25000.75"),
        payment_terms="Net 30",
        credit_hold=False,
        customer_category="Wholesale",
        billing_city="Leeds",
    )
    (landed,) = zoho.upsert("Accounts", [account.to_values()], duplicate_check_fields=["JDE_Address_Number"])
    assert landed.id is not None
    contact = Contact(
        last_name="Boyle", email="pat@zylker.example", account=Lookup(landed.id), jde_contact_key="4242-1"
    )
    zoho.upsert("Contacts", [contact.to_values()], duplicate_check_fields=["JDE_Contact_Key"])
    (read,) = zoho.get_records("Accounts", [landed.id], fields=list(account.to_values()))
    back = Account.from_record(read)
    assert (back.credit_limit, back.payment_terms, back.credit_hold, back.billing_city) == (
        Decimal("25000.75"),
        "Net 30",
        False,
        "Leeds",
    )
    (person,) = zoho.search("Contacts", email="pat@zylker.example")
    assert Contact.from_record(person).account == Lookup(landed.id, "Zylker Ltd")


VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.floats(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "name", "email", "x"]), inner, max_size=3)
    ),
    max_leaves=8,
)
ACCOUNT_FIELDS = [
    "Account_Name",
    "Credit_Limit",
    "Credit_Hold",
    "Owner",
    "Parent_Account",
    "Created_Time",
    "Email",
    "Tax_ID",
    "Other",
]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(ACCOUNT_FIELDS), VALUE, max_size=6))
def test_any_account_values_give_a_model_or_a_mapping_error(values: dict[str, object]) -> None:
    try:
        account = Account.from_record(record("Accounts", **values))
    except MappingError:
        return
    assert account.credit_limit is None or isinstance(account.credit_limit, Decimal)
    assert account.credit_hold in (None, True, False)
    assert account.created_time is None or account.created_time.utcoffset() is not None
    assert set(account.extra) <= {"Other"}
