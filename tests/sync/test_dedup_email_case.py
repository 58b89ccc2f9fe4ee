"""Zoho-born records find their JDE twins by e-mail whatever the letter case JDE keeps it in.

JDE keeps e-mails as typed and AIS compares them as the database does (case sensitively on Oracle and DB2,
as the emulator does): a lookup by the lower-cased e-mail alone created twins of ``Orders@Acme.example``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from jde_zoho_sdk.sync._jde_gateway import JdeGateway
from jde_zoho_sdk.sync.model import Entity
from tests.sync.conftest import CUSTOMER, Systems


def _jde_party(systems: Systems, number: int, name: str, search_type: str, email: str) -> None:
    tables = systems.ais_emu.tables
    tables.insert(
        "F0101", {"AN8": number, "ALPH": name, "TAX": "", "AT1": search_type, "AC01": "", "ALKY": ""}
    )
    tables.insert(
        "F0116", {"AN8": number, "ADD1": "1 Main St", "CTY1": "Chicago", "ADDZ": "60601", "CTR": "US"}
    )
    if search_type == "C":
        tables.insert(
            "F03012",
            {"AN8": number, "CO": "00000", "ACL": Decimal(1000), "TRAR": "N30", "CRCD": "USD", "HOLD": ""},
        )
    else:
        tables.insert("F0401", {"AN8": number, "TRAP": "N30", "CRRP": "USD", "HDPY": "N"})
    tables.insert("F01151", {"AN8": number, "IDLN": 0, "RCK7": 1, "ETP": "E", "EMAL": email})


@pytest.mark.parametrize(
    ("search_type", "module", "name_field", "key_field"),
    [
        ("C", "Accounts", "Account_Name", "JDE_Address_Number"),
        ("V", "Vendors", "Vendor_Name", "JDE_Address_Number"),
    ],
)
def test_a_zoho_record_links_to_the_jde_record_whose_email_has_capitals(
    systems: Systems, search_type: str, module: str, name_field: str, key_field: str
) -> None:
    _jde_party(systems, 4242, "Acme Supply", search_type, "Orders@Acme.example")
    zoho_id = systems.zoho_emu.insert(module, {name_field: "Acme Supply", "Email": "orders@acme.example"})

    report = systems.engine().run()

    assert report.failed == 0, systems.store.list_failures()
    assert [row["AN8"] for row in systems.ais_emu.tables.rows("F0101") if row["ALPH"] == "Acme Supply"] == [
        4242
    ]
    assert [record["id"] for record in systems.zoho_emu.records(module)] == [zoho_id]
    assert systems.zoho_emu.get(module, zoho_id)[key_field] == "4242"  # type: ignore[index]


def test_a_zoho_contact_links_to_its_parents_line_whose_email_has_capitals(synced: Systems) -> None:
    tables = synced.ais_emu.tables
    tables.insert("F0111", {"AN8": CUSTOMER, "IDLN": 7, "MLNM": "Ana Ruiz", "GNNM": "Ana", "SRNM": "Ruiz"})
    tables.insert(
        "F01151", {"AN8": CUSTOMER, "IDLN": 7, "RCK7": 1, "ETP": "E", "EMAL": "Ana.Ruiz@Acme.example"}
    )
    account = synced.account(CUSTOMER)
    # Entered in Zoho before the JDE line reached it: the two must become one, not two lines in JDE.
    contact_id = synced.zoho_emu.insert(
        "Contacts",
        {"First_Name": "Ana", "Last_Name": "Ruiz", "Email": "ana.ruiz@acme.example", "Account_Name": {"id": account["id"]}},
    )  # fmt: skip
    synced.clock.advance(60)

    report = synced.engine().run()

    assert report.failed == 0, synced.store.list_failures()
    assert [row["IDLN"] for row in tables.rows("F0111", AN8=CUSTOMER) if row["SRNM"] == "Ruiz"] == [7]
    assert synced.zoho_emu.get("Contacts", contact_id)["JDE_Contact_Key"] == f"{CUSTOMER}-7"  # type: ignore[index]
    assert [c["id"] for c in synced.zoho_emu.records("Contacts") if c.get("Last_Name") == "Ruiz"] == [
        contact_id
    ]


def test_the_address_books_emails_are_read_once_a_run_and_only_when_a_record_needs_them(
    systems: Systems, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real = JdeGateway.mixed_case_emails

    def counted(gateway: JdeGateway) -> dict[str, list[int]]:
        reads.append(1)
        return real(gateway)

    monkeypatch.setattr(JdeGateway, "mixed_case_emails", counted)
    for number in range(4300, 4306):
        _jde_party(systems, number, f"Party {number}", "C", f"Buyer{number}@Example.com")
        systems.zoho_emu.insert(
            "Accounts", {"Account_Name": f"Party {number}", "Email": f"buyer{number}@example.com"}
        )

    report = systems.engine(batch_size=2).run()  # three batches of Zoho accounts to match

    assert report.failed == 0
    assert reads == [1]
    links = systems.store.get_links_by_jde(Entity.CUSTOMER, [str(n) for n in range(4300, 4306)])
    assert len(links) == 6
    systems.clock.advance(60)
    systems.engine().run()  # nothing Zoho-born to match: no read
    assert reads == [1]


def test_matching_by_the_lower_case_spelling_alone_reads_no_address_book(
    systems: Systems, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        JdeGateway, "mixed_case_emails", lambda _gateway: pytest.fail("read the address book")
    )
    _jde_party(systems, 4242, "Acme Supply", "C", "orders@acme.example")
    zoho_id = systems.zoho_emu.insert(
        "Accounts", {"Account_Name": "Acme Supply", "Email": "Orders@Acme.example"}
    )

    report = systems.engine(jde_emails_any_case=False).run()

    assert report.failed == 0
    assert systems.zoho_emu.get("Accounts", zoho_id)["JDE_Address_Number"] == "4242"  # type: ignore[index]
