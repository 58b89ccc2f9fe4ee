"""DefaultMapper: JDE rows <-> canonical <-> Zoho values and orchestration inputs, value maps, normalisation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jde_zoho_sdk.errors import MappingError
from jde_zoho_sdk.sync.mapping import DefaultMapper, UnlinkedParentError
from jde_zoho_sdk.sync.mapping_config import CustomField, MappingConfig, ValueMap, ZohoFieldNames
from jde_zoho_sdk.sync.model import ContactPerson, Customer, Entity, JdeAggregate, Supplier
from jde_zoho_sdk.sync.protocols import MappingContext
from jde_zoho_sdk.zoho import ZohoRecord

mapper = DefaultMapper()
NO_LINKS = MappingContext()


def customer_rows(**overrides: object) -> JdeAggregate:
    rows = {
        "F0101": (
            {"AN8": 4242, "ALPH": "Acme Industrial Supply", "TAX": "36-1234567", "AT1": "C", "AC01": "DIS"},
        ),
        "F03012": (
            {"AN8": 4242, "CO": "00000", "ACL": Decimal(25000), "TRAR": "N30", "CRCD": "USD", "HOLD": ""},
        ),
        "F0116": (
            {
                "AN8": 4242,
                "EFTB": date(2019, 1, 1),
                "ADD1": "1 Old Rd",
                "CTY1": "Gary",
                "ADDS": "IN",
                "CTR": "US",
            },
            {
                "AN8": 4242,
                "EFTB": date(2024, 1, 1),
                "ADD1": "100 Main St",
                "ADD2": "Suite 5",
                "CTY1": "Chicago",
                "ADDS": "IL",
                "ADDZ": "60601",
                "CTR": "US",
            },
        ),
        "F01151": (
            {"AN8": 4242, "IDLN": 0, "RCK7": 2, "ETP": "E", "EMAL": "second@acme.example"},
            {"AN8": 4242, "IDLN": 0, "RCK7": 1, "ETP": "E", "EMAL": "AP@Acme.Example"},
            {"AN8": 4242, "IDLN": 0, "RCK7": 3, "ETP": "I", "EMAL": "www.acme.example"},
        ),
        "F0115": ({"AN8": 4242, "IDLN": 0, "RCK7": 1, "PHTP": "", "AR1": "312", "PH1": "555-0100"},),
    }
    rows.update(overrides)  # type: ignore[arg-type]
    return JdeAggregate(entity=Entity.CUSTOMER, address_number=4242, rows=rows)


def test_customer_from_jde_reads_every_table() -> None:
    customer = mapper.from_jde(customer_rows())
    assert customer == Customer(
        name="Acme Industrial Supply",
        tax_id="36-1234567",
        email="ap@acme.example",
        phone="312 555-0100",
        address_line1="100 Main St",
        address_line2="Suite 5",
        city="Chicago",
        state="IL",
        postal_code="60601",
        country="US",
        credit_limit=Decimal(25000),
        payment_terms="N30",
        currency="USD",
        credit_hold=False,
        category="DIS",
    )


def test_the_address_in_force_is_used_not_a_future_one() -> None:
    future = {"AN8": 4242, "EFTB": date(2999, 1, 1), "ADD1": "1 Future Way", "CTY1": "Later"}
    rows = customer_rows().rows
    customer = mapper.from_jde(
        JdeAggregate(
            entity=Entity.CUSTOMER, address_number=4242, rows={**rows, "F0116": (*rows["F0116"], future)}
        )
    )
    assert isinstance(customer, Customer)
    assert customer.city == "Chicago"


def test_customer_without_optional_rows_maps_to_blanks() -> None:
    aggregate = JdeAggregate(
        entity=Entity.CUSTOMER, address_number=7, rows={"F0101": ({"AN8": 7, "ALPH": "Solo"},)}
    )
    customer = mapper.from_jde(aggregate)
    assert customer == Customer(name="Solo")


def test_customer_to_zoho_uses_value_maps_and_configured_field_names() -> None:
    values = mapper.to_zoho(mapper.from_jde(customer_rows()), context=NO_LINKS)
    assert values["Account_Name"] == "Acme Industrial Supply"
    assert values["Payment_Terms"] == "Net 30"
    assert values["Customer_Category"] == "Distributor"
    assert values["Billing_Street"] == "100 Main St\nSuite 5"
    assert values["Billing_Country"] == "United States"
    assert values["Credit_Limit"] == Decimal(25000)
    assert "Currency" not in values  # no currency field configured: a single-currency org


def test_partial_write_sends_only_fields_built_from_changed_ones() -> None:
    customer = mapper.from_jde(customer_rows())
    values = mapper.to_zoho(customer, fields={"address_line2", "credit_limit"}, context=NO_LINKS)
    assert set(values) == {"Billing_Street", "Credit_Limit"}
    inputs = mapper.to_jde(customer, fields={"phone", "city"}, context=NO_LINKS)
    assert inputs == {"PhoneAreaCode": "312", "PhoneNumber": "555-0100", "City": "Chicago"}


def test_round_trip_through_zoho_is_lossless() -> None:
    customer = mapper.normalize(mapper.from_jde(customer_rows()), "zoho")
    values = mapper.to_zoho(customer, context=NO_LINKS)
    back = mapper.from_zoho(
        Entity.CUSTOMER,
        ZohoRecord(id="1", module="Accounts", modified_time=None, values=values),
        context=NO_LINKS,
    )
    assert back == customer


def test_unknown_payment_terms_fail_the_record_with_the_field_named() -> None:
    record = ZohoRecord(
        id="9", module="Accounts", modified_time=None, values={"Account_Name": "X", "Payment_Terms": "Net 7"}
    )
    with pytest.raises(MappingError) as caught:
        mapper.from_zoho(Entity.CUSTOMER, record, context=NO_LINKS)
    assert caught.value.field == "payment_terms"
    assert "Net 7" in str(caught.value)
    assert "MappingConfig" in str(caught.value)


def test_bad_amount_is_a_mapping_error() -> None:
    record = ZohoRecord(
        id="9", module="Accounts", modified_time=None, values={"Account_Name": "X", "Credit_Limit": "lots"}
    )
    with pytest.raises(MappingError, match="credit_limit"):
        mapper.from_zoho(Entity.CUSTOMER, record, context=NO_LINKS)


def test_country_text_maps_to_code_and_short_codes_pass() -> None:
    for text, code in (("United States", "US"), ("canada", "CA"), ("de", "DE")):
        values = {"Account_Name": "X", "Billing_Country": text}
        record = ZohoRecord(id="1", module="Accounts", modified_time=None, values=values)
        customer = mapper.from_zoho(Entity.CUSTOMER, record, context=NO_LINKS)
        assert isinstance(customer, Customer)
        assert customer.country == code
    narnia = {"Account_Name": "X", "Billing_Country": "Narnia"}
    record = ZohoRecord(id="1", module="Accounts", modified_time=None, values=narnia)
    with pytest.raises(MappingError, match="country"):
        mapper.from_zoho(Entity.CUSTOMER, record, context=NO_LINKS)


def test_a_country_mapped_to_a_short_zoho_value_or_from_a_lower_case_code_round_trips() -> None:
    custom = DefaultMapper(
        MappingConfig(countries=ValueMap(name="country", pairs={"GB": "UK", "ch": "Switzerland"}))
    )
    for code, zoho in (("GB", "UK"), ("CH", "Switzerland")):
        assert custom.country_to_zoho(code) == zoho  # a key written in lower case matches too
        assert custom.country_from_zoho(zoho) == code  # "UK" is a mapped value, not the code UK
    assert custom.country_from_zoho("de") == "DE"  # an unmapped short value is still a code


@pytest.mark.parametrize(
    ("phone", "parts"),
    [("+44 20 7946 0000", ("+44", "20 7946 0000")), ("(312) 555-0100", ("312", "555-0100"))],
)
def test_an_area_code_written_with_a_plus_or_in_brackets_is_split_off(
    phone: str, parts: tuple[str, str]
) -> None:
    assert mapper.phone_to_jde(phone) == parts


def test_normalize_for_jde_applies_column_rules() -> None:
    customer = Customer(
        name="International Business Distribution Partners Of North America",
        credit_limit=Decimal("1234.56"),
        state="il",
        payment_terms="n30",
        email="AP@X.Example",
        phone="312 555-0100 ext 12345678901234",
    )
    jde = mapper.normalize(customer, "jde")
    assert jde.name == "International Business Distribution Part"
    assert len(jde.name) <= 40
    assert jde.credit_limit == Decimal(1235)
    assert (jde.state, jde.payment_terms, jde.email) == ("IL", "N30", "ap@x.example")
    assert jde.phone == "312 555-0100 ext 1234567"  # area code 312, number cut to PH1's 20 characters
    zoho = mapper.normalize(customer, "zoho")
    assert zoho.name == customer.name
    assert zoho.credit_limit == Decimal("1234.56")
    assert zoho.currency == ""


def test_supplier_terms_are_not_stored_in_zoho() -> None:
    supplier = Supplier(name="Parts Co", payment_terms="N45", payment_hold=True)
    zoho = mapper.normalize(supplier, "zoho")
    assert (zoho.payment_terms, zoho.payment_hold) == ("", False)
    assert mapper.to_jde(supplier, context=NO_LINKS)["HoldPaymentCode"] == "Y"


def test_contact_needs_its_parent_linked() -> None:
    contact = ContactPerson(
        parent_address_number=4242, first_name="Ana", last_name="López", email="ana@x.example"
    )
    with pytest.raises(UnlinkedParentError):
        mapper.to_zoho(contact, context=NO_LINKS)
    linked = MappingContext(parent_in_zoho=lambda number: ("Accounts", "555") if number == 4242 else None)
    values = mapper.to_zoho(contact, context=linked)
    assert values["Account_Name"] == {"id": "555"}
    assert values["Last_Name"] == "López"


def test_contact_from_zoho_resolves_parent_through_links() -> None:
    record = ZohoRecord(
        id="77",
        module="Contacts",
        modified_time=None,
        values={"Last_Name": "Ito", "Email": "HIRO@X.EXAMPLE", "Account_Name": {"name": "Acme", "id": "555"}},
    )
    linked = MappingContext(
        parent_in_jde=lambda module, zoho_id: 4242 if (module, zoho_id) == ("Accounts", "555") else None
    )
    contact = mapper.from_zoho(Entity.CONTACT, record, context=linked)
    assert contact == ContactPerson(parent_address_number=4242, last_name="Ito", email="hiro@x.example")
    with pytest.raises(UnlinkedParentError):
        mapper.from_zoho(Entity.CONTACT, record, context=NO_LINKS)


def test_contact_from_jde_uses_its_own_line() -> None:
    aggregate = JdeAggregate(
        entity=Entity.CONTACT,
        address_number=4242,
        line_number=2,
        rows={
            "F0111": ({"AN8": 4242, "IDLN": 2, "GNNM": "Ana", "SRNM": "López", "ATTL": "Buyer"},),
            "F01151": ({"AN8": 4242, "IDLN": 2, "RCK7": 1, "ETP": "E", "EMAL": "ana@x.example"},),
            "F0115": (
                {"AN8": 4242, "IDLN": 2, "RCK7": 1, "PHTP": "", "AR1": "312", "PH1": "555-0111"},
                {"AN8": 4242, "IDLN": 2, "RCK7": 2, "PHTP": "CAR", "AR1": "", "PH1": "312 555-0199"},
            ),
        },
    )
    assert mapper.from_jde(aggregate) == ContactPerson(
        parent_address_number=4242,
        first_name="Ana",
        last_name="López",
        title="Buyer",
        email="ana@x.example",
        phone="312 555-0111",
        mobile="312 555-0199",
    )
    assert aggregate.key == "4242-2"


def test_custom_field_is_mapped_by_data() -> None:
    region = CustomField(
        name="sales_region",
        entity=Entity.CUSTOMER,
        jde_table="F0101",
        jde_column="AC02",
        orchestration_input="CategoryCode02",
        zoho_field="Sales_Region",
        jde_length=3,
        value_map=ValueMap(name="sales region", pairs={"N": "North", "S": "South"}),
    )
    custom = DefaultMapper(MappingConfig(custom_fields=(region,)))
    rows = customer_rows()
    rows = JdeAggregate(
        entity=Entity.CUSTOMER,
        address_number=4242,
        rows={**rows.rows, "F0101": ({**rows.rows["F0101"][0], "AC02": "N"},)},
    )
    assert "AC02" in custom.jde_columns(Entity.CUSTOMER)["F0101"]
    customer = custom.from_jde(rows)
    assert customer.extra == {"sales_region": "N"}
    assert custom.to_zoho(customer, fields={"sales_region"}, context=NO_LINKS) == {"Sales_Region": "North"}
    assert custom.to_jde(customer, fields={"sales_region"}, context=NO_LINKS) == {"CategoryCode02": "N"}
    assert "Sales_Region" in custom.zoho_fields(Entity.CUSTOMER)


def test_fields_to_read_are_real_api_names() -> None:
    for entity in Entity:
        assert not [name for name in mapper.zoho_fields(entity) if not name or name.startswith("@")]
    assert "Currency" not in mapper.zoho_fields(Entity.CUSTOMER)
    multi = DefaultMapper(MappingConfig(zoho_fields=ZohoFieldNames(currency="Currency")))
    assert "Currency" in multi.zoho_fields(Entity.CUSTOMER)
    customer = Customer(name="X", currency="EUR")
    assert multi.to_zoho(customer, fields={"currency"}, context=NO_LINKS) == {"Currency": "EUR"}


def test_identity_and_duplicate_check_follow_field_names() -> None:
    renamed = DefaultMapper(
        MappingConfig(zoho_fields=ZohoFieldNames(jde_address_number="JDE_AN8", tax_id="VAT"))
    )
    identity = renamed.zoho_identity(Entity.CUSTOMER)
    assert identity.module == "Accounts"
    assert identity.duplicate_check_fields == ("JDE_AN8", "VAT", "Email")
    assert renamed.zoho_identity(Entity.SUPPLIER).duplicate_check_fields == ("JDE_AN8",)
    assert "VAT" in renamed.zoho_fields(Entity.CUSTOMER)
