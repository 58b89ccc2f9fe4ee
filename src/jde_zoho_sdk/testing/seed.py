"""A realistic distributor data set for both emulators, generated from a seed and a size.

The same ``(size, seed)`` always gives the same data. It has what makes a customer sync hard: customers
only in JDE, accounts only in Zoho, and customers in both (matching by e-mail or by tax id, with other fields
drifted apart); two JDE customers with the same name but different tax ids; contacts per customer with
and without e-mail; suppliers (some also Zoho vendors); long names, accents and empty values.

Example:
    >>> data = generate(customers=20, seed=1)
    >>> len(data.jde["F0101"]) > 20, len(data.zoho["Accounts"]) > 0
    (True, True)
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final, Protocol

import attrs

__all__ = ["Dataset", "generate", "load"]

_PREFIXES: Final = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Vandelay",
    "Hooli",
    "Dunder",
    "Pied Piper",
    "Gringotts",
    "Oceanic",
    "Massive Dynamic",
    "Nakatomi",
    "Monarch",
    "Aperture",
    "Zylker",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Adventure",
    "Blue Yonder",
    "Coho",
    "Wingtip",
    "Lucerne",
    "Proseware",
    "Müller",
    "Société",
    "Björk",
    "Niño",
    "São Paulo",
)
_MIDDLES: Final = (
    "Industrial",
    "Medical",
    "Food",
    "Electrical",
    "Plumbing",
    "Packaging",
    "Safety",
    "Office",
    "Auto",
    "Marine",
    "Agricultural",
    "Chemical",
    "Hardware",
    "Lighting",
    "Textile",
)
_SUFFIXES: Final = (
    "Supply",
    "Distribution",
    "Wholesale",
    "Traders",
    "Partners",
    "Group",
    "GmbH",
    "S.A.",
    "Inc.",
    "LLC",
)
_FIRST: Final = (
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Farid",
    "Grace",
    "Hiro",
    "Inés",
    "Jonas",
    "Kwame",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rafael",
    "Sofía",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Yusuf",
    "Zoë",
)
_LAST: Final = (
    "Adams",
    "Brown",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hansen",
    "Ito",
    "Jansen",
    "Kowalski",
    "López",
    "Müller",
    "Nguyen",
    "O'Brien",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Van der Berg",
)
_TITLES: Final = (
    "Purchasing Manager",
    "Accounts Payable",
    "Buyer",
    "Operations Director",
    "CFO",
    "Owner",
    "",
)
_STREETS: Final = (
    "Main St",
    "Industrial Pkwy",
    "Commerce Dr",
    "Harbor Rd",
    "Lakeview Ave",
    "Rue de la Paix",
    "Königstraße",
)
_CITIES: Final = (
    ("Chicago", "IL", "US", "606"),
    ("Milwaukee", "WI", "US", "532"),
    ("Houston", "TX", "US", "770"),
    ("Toronto", "ON", "CA", "M5V"),
    ("Monterrey", "NL", "MX", "640"),
    ("Denver", "CO", "US", "802"),
    ("Atlanta", "GA", "US", "303"),
    ("Columbus", "OH", "US", "432"),
)
PAYMENT_TERMS: Final = ("N30", "N45", "N60", "N15", "DUE", "2N1")
CATEGORIES: Final = ("DIS", "RET", "OEM", "GOV", "WHS")
CURRENCIES: Final = ("USD", "USD", "USD", "CAD", "EUR")
ZOHO_TERMS: Final = {
    "N30": "Net 30",
    "N45": "Net 45",
    "N60": "Net 60",
    "N15": "Net 15",
    "DUE": "Due on Receipt",
    "2N1": "2% 10 Net 30",
}
ZOHO_CATEGORIES: Final = {
    "DIS": "Distributor",
    "RET": "Retail",
    "OEM": "OEM",
    "GOV": "Government",
    "WHS": "Wholesale",
}
_FIRST_CUSTOMER: Final = 100_001
_FIRST_SUPPLIER: Final = 700_001


@attrs.define
class Dataset:
    """Rows for the AIS emulator's tables and records for the Zoho emulator's modules.

    Attributes:
        jde: Rows by table (``"F0101"``...), keyed by column alias.
        zoho: Records by module (``"Accounts"``...), keyed by field API name; contacts reference their
            account by ``Account_Name: {"ref": <index into Accounts>}`` until the records get ids.
        shared_by_email: JDE address numbers whose customer is also a Zoho account with the same e-mail.
        shared_by_tax_id: JDE address numbers whose customer is also a Zoho account with the same tax id.
        same_name: Pairs of JDE address numbers with one name and different tax ids.
    """

    jde: dict[str, list[dict[str, object]]] = attrs.field(factory=dict)
    zoho: dict[str, list[dict[str, object]]] = attrs.field(factory=dict)
    shared_by_email: list[int] = attrs.field(factory=list)
    shared_by_tax_id: list[int] = attrs.field(factory=list)
    same_name: list[tuple[int, int]] = attrs.field(factory=list)

    def add(self, table: str, row: dict[str, object]) -> None:
        """Append a JDE row.

        Args:
            table: The table (``"F0101"``).
            row: Column alias -> value.
        """
        self.jde.setdefault(table, []).append(row)

    def record(self, module: str, values: dict[str, object]) -> int:
        """Append a Zoho record; returns its index in the module.

        Args:
            module: The module (``"Accounts"``).
            values: Field API name -> value.
        """
        records = self.zoho.setdefault(module, [])
        records.append(values)
        return len(records) - 1


class _Maker:
    """Draws names, addresses and codes from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.stamp = datetime(2026, 1, 5, 14, 30, tzinfo=UTC)

    def company(self, index: int) -> str:
        r = self.random
        name = f"{r.choice(_PREFIXES)} {r.choice(_MIDDLES)} {r.choice(_SUFFIXES)}"
        if index % 97 == 0:
            name += " International Holdings of the Americas"  # longer than JDE's 40 characters
        return name

    def tax_id(self, index: int) -> str:
        return "" if index % 23 == 0 else f"{36 + index % 60:02d}-{1_000_000 + index * 7919 % 8_999_999:07d}"

    def email(self, name: str, index: int, role: str = "ap") -> str:
        if index % 17 == 0:
            return ""
        domain = "".join(ch for ch in name.lower().split(" ")[0] if ch.isascii() and ch.isalnum()) or "firm"
        return f"{role}{index}@{domain}{index % 1000}.example"

    def phone(self) -> tuple[str, str]:
        r = self.random
        return str(r.randint(201, 989)), f"555-{r.randint(0, 9999):04d}"

    def address(self) -> dict[str, str]:
        r = self.random
        city, state, country, postal = r.choice(_CITIES)
        line2 = f"Suite {r.randint(100, 999)}" if r.random() < 0.3 else ""
        return {
            "ADD1": f"{r.randint(1, 9999)} {r.choice(_STREETS)}",
            "ADD2": line2,
            "CTY1": city,
            "ADDS": state,
            "ADDZ": f"{postal}{r.randint(10, 99)}",
            "CTR": country,
        }

    def person(self) -> tuple[str, str, str]:
        r = self.random
        return r.choice(_FIRST), r.choice(_LAST), r.choice(_TITLES)


def _jde_customer(
    data: Dataset, maker: _Maker, number: int, *, index: int, name: str, tax: str, email: str
) -> None:
    r = maker.random
    data.add(
        "F0101",
        {"AN8": number, "ALPH": name, "TAX": tax, "AT1": "C", "AC01": r.choice(CATEGORIES), "ALKY": ""},
    )
    data.add("F0111", {"AN8": number, "IDLN": 0, "MLNM": name[:40], "GNNM": "", "SRNM": "", "TYC": ""})
    data.add("F0116", {"AN8": number, **maker.address()})
    data.add(
        "F03012",
        {
            "AN8": number,
            "CO": "00000",
            "ACL": Decimal(r.randint(2, 200) * 500),
            "TRAR": r.choice(PAYMENT_TERMS),
            "CRCD": r.choice(CURRENCIES),
            "HOLD": "C1" if index % 41 == 0 else "",
        },
    )
    if email:
        data.add("F01151", {"AN8": number, "IDLN": 0, "RCK7": 1, "ETP": "E", "EMAL": email})
    area, phone = maker.phone()
    data.add("F0115", {"AN8": number, "IDLN": 0, "RCK7": 1, "PHTP": "", "AR1": area, "PH1": phone})


def _jde_contacts(data: Dataset, maker: _Maker, number: int, count: int) -> None:
    for line in range(1, count + 1):
        first, last, title = maker.person()
        data.add(
            "F0111",
            {
                "AN8": number,
                "IDLN": line,
                "MLNM": f"{first} {last}",
                "GNNM": first,
                "SRNM": last,
                "ATTL": title,
                "TYC": "C",
            },
        )
        if (number + line) % 5:
            data.add(
                "F01151",
                {
                    "AN8": number,
                    "IDLN": line,
                    "RCK7": 1,
                    "ETP": "E",
                    "EMAL": f"{first[0]}.{last}.{number}-{line}@contacts.example".lower()
                    .replace(" ", "")
                    .replace("'", ""),
                },
            )
        area, phone = maker.phone()
        data.add("F0115", {"AN8": number, "IDLN": line, "RCK7": 1, "PHTP": "", "AR1": area, "PH1": phone})
        if line == 1:
            data.add(
                "F0115",
                {
                    "AN8": number,
                    "IDLN": line,
                    "RCK7": 2,
                    "PHTP": "CAR",
                    "AR1": "",
                    "PH1": f"{area} 555-{line:04d}",
                },
            )


def _zoho_account(maker: _Maker, name: str, tax: str, email: str, number: int | None) -> dict[str, object]:
    r = maker.random
    address = maker.address()
    area, phone = maker.phone()
    return {
        "Account_Name": name,
        "Tax_ID": tax or None,
        "Email": email or None,
        "Phone": f"{area} {phone}",
        "Billing_Street": address["ADD1"],
        "Billing_City": address["CTY1"],
        "Billing_State": address["ADDS"],
        "Billing_Code": address["ADDZ"],
        "Billing_Country": address["CTR"],
        "Credit_Limit": Decimal(r.randint(1, 100) * 250),
        "Payment_Terms": ZOHO_TERMS[r.choice(PAYMENT_TERMS)],
        "Credit_Hold": False,
        "Customer_Category": ZOHO_CATEGORIES[r.choice(CATEGORIES)],
        **({"JDE_Address_Number": str(number)} if number else {}),
    }


def _customers(data: Dataset, maker: _Maker, customers: int) -> None:
    r = maker.random
    for index in range(customers):
        number = _FIRST_CUSTOMER + index
        name = maker.company(index)
        tax = maker.tax_id(index)
        email = maker.email(name, index)
        if index % 50 == 7 and index > 0:
            # Same name as the previous customer, a different company (different tax id and e-mail).
            name = data.jde["F0101"][-1]["ALPH"]  # type: ignore[assignment]
            data.same_name.append((number - 1, number))
        _jde_customer(data, maker, number, index=index, name=name, tax=tax, email=email)
        _jde_contacts(data, maker, number, r.choice((0, 1, 1, 2, 3)))
        share = index % 5
        if share == 1 and email:
            data.shared_by_email.append(number)
            data.record("Accounts", _zoho_account(maker, name, "", email, None))
        elif share == 2 and tax:
            data.shared_by_tax_id.append(number)
            data.record("Accounts", _zoho_account(maker, f"{name} (CRM)", tax, "", None))


def _zoho_only(data: Dataset, maker: _Maker, accounts: int) -> None:
    for index in range(accounts):
        serial = 900_000 + index
        name = maker.company(serial)
        account = data.record(
            "Accounts",
            _zoho_account(maker, name, maker.tax_id(serial), maker.email(name, serial, "sales"), None),
        )
        first, last, title = maker.person()
        data.record(
            "Contacts",
            {
                "First_Name": first,
                "Last_Name": last,
                "Title": title,
                "Email": f"{first}.{last}.z{serial}@prospects.example".lower()
                .replace(" ", "")
                .replace("'", ""),
                "Phone": "312 555-0199",
                "Account_Name": {"ref": account},
            },
        )


def _suppliers(data: Dataset, maker: _Maker, suppliers: int) -> None:
    r = maker.random
    for index in range(suppliers):
        number = _FIRST_SUPPLIER + index
        name = maker.company(500_000 + index)
        tax = maker.tax_id(500_000 + index)
        email = maker.email(name, 500_000 + index, "orders")
        data.add("F0101", {"AN8": number, "ALPH": name, "TAX": tax, "AT1": "V", "AC01": "", "ALKY": ""})
        data.add("F0116", {"AN8": number, **maker.address()})
        data.add("F0401", {"AN8": number, "TRAP": r.choice(PAYMENT_TERMS), "CRRP": "USD", "HDPY": "N"})
        if email:
            data.add("F01151", {"AN8": number, "IDLN": 0, "RCK7": 1, "ETP": "E", "EMAL": email})
        if index % 4 == 0 and tax:
            data.record(
                "Vendors",
                {"Vendor_Name": name, "Tax_ID": tax, "Email": email or None, "Phone": "414 555-0100"},
            )
    for index in range(max(1, suppliers // 5)):
        name = maker.company(600_000 + index)
        data.record(
            "Vendors",
            {
                "Vendor_Name": name,
                "Tax_ID": maker.tax_id(600_000 + index) or None,
                "Email": maker.email(name, 600_000 + index, "sales") or None,
            },
        )


def generate(
    *, customers: int = 60, zoho_only: int | None = None, suppliers: int | None = None, seed: int = 0
) -> Dataset:
    """Generate the distributor data set.

    Args:
        customers: JDE customers (each with 0-3 contacts); 1 in 5 also exists in Zoho (by e-mail or tax id).
        zoho_only: Accounts only in Zoho (each with a contact); ``customers // 6`` by default.
        suppliers: JDE suppliers (1 in 4 also a Zoho vendor); ``customers // 5`` by default.
        seed: The generator's seed.

    Returns:
        The data, ready for :func:`load` or the emulators' seeding helpers.
    """
    maker = _Maker(seed)
    data = Dataset()
    _customers(data, maker, customers)
    _zoho_only(data, maker, customers // 6 if zoho_only is None else zoho_only)
    _suppliers(data, maker, customers // 5 if suppliers is None else suppliers)
    return data


class _AisTables(Protocol):
    def insert_many(self, table: str, rows: Iterable[Mapping[str, object]]) -> int: ...


class _AisLike(Protocol):
    @property
    def tables(self) -> _AisTables: ...


class _ZohoLike(Protocol):
    def insert_many(self, module: str, rows: Iterable[Mapping[str, object]]) -> list[str]: ...


def load(
    data: Dataset, *, ais: _AisLike | None = None, zoho: _ZohoLike | None = None
) -> dict[str, list[str]]:
    """Put the data set into the emulators (JDE tables, then Zoho Accounts, Vendors, Contacts).

    Args:
        data: What :func:`generate` made.
        ais: The :class:`~jde_zoho_sdk.testing.ais.AisEmulator` to fill.
        zoho: The :class:`~jde_zoho_sdk.testing.zoho.ZohoEmulator` to fill.

    Returns:
        The Zoho ids given to the records, by module, in data set order.
    """
    if ais is not None:
        for table, rows in data.jde.items():
            ais.tables.insert_many(table, rows)
    ids: dict[str, list[str]] = {}
    if zoho is None:
        return ids
    for module in ("Accounts", "Vendors"):
        ids[module] = zoho.insert_many(module, data.zoho.get(module, []))
    contacts = []
    for contact in data.zoho.get("Contacts", []):
        ref = contact.get("Account_Name")
        if isinstance(ref, Mapping) and "ref" in ref:
            contact = {**contact, "Account_Name": {"id": ids["Accounts"][int(str(ref["ref"]))]}}  # noqa: PLW2901
        contacts.append(contact)
    ids["Contacts"] = zoho.insert_many("Contacts", contacts)
    return ids
