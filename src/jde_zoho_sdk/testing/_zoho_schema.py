"""Field metadata of the emulated Zoho CRM modules (Accounts, Contacts, Vendors), written from Zoho's docs.

Standard fields follow Zoho's documented API names; the custom fields are the ones the sync needs (the
defaults of ``jde_zoho_sdk.zoho.CustomFieldNames``). Lengths follow Zoho's "field types and length limits"
(single line 255, multi-line 32,000, e-mail 100, phone 30, currency 16 digits with 2 decimals, integer 9
digits); where a standard field's own length is not documented it is UNCONFIRMED.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import attrs

__all__ = [
    "DEFAULT_CUSTOMER_CATEGORIES",
    "DEFAULT_PAYMENT_TERMS",
    "MODULES",
    "NAME_FIELD",
    "SYSTEM_DUPLICATE_FIELD",
    "ZohoField",
    "build_schema",
    "field_json",
]


@attrs.frozen(kw_only=True)
class ZohoField:
    """One field of an emulated module.

    Attributes:
        api_name: The API name.
        data_type: ``text``, ``textarea``, ``email``, ``phone``, ``website``, ``picklist``, ``currency``,
            ``boolean``, ``integer``, ``double``, ``date``, ``datetime``, ``lookup`` or ``ownerlookup``.
        label: The label.
        length: Maximum characters (digits for numbers).
        unique: "Do not allow duplicate values" (user-defined unique field).
        mandatory: Required on every record.
        custom: Added by an admin.
        read_only: Set by Zoho only.
        picklist: The accepted values of a picklist.
        lookup_module: The module a lookup points to.
        decimal_place: Decimal places kept (currency).
    """

    api_name: str
    data_type: str
    label: str = ""
    length: int | None = None
    unique: bool = False
    mandatory: bool = False
    custom: bool = False
    read_only: bool = False
    picklist: tuple[str, ...] = ()
    lookup_module: str | None = None
    decimal_place: int | None = None


DEFAULT_PAYMENT_TERMS: Final = (
    "Due on Receipt",
    "Net 10",
    "Net 15",
    "Net 30",
    "Net 45",
    "Net 60",
    "2% 10 Net 30",
)
"""The emulated org's ``Payment_Terms`` picklist unless ``ZohoEmulator(payment_terms=...)`` gives another."""
DEFAULT_CUSTOMER_CATEGORIES: Final = ("Wholesale", "Retail", "Distributor", "OEM", "Government", "Other")
_CURRENCIES: Final = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "INR", "MXN", "CHF", "CNY")
_ACCOUNT_TYPES: Final = (
    "Analyst", "Competitor", "Customer", "Distributor", "Integrator", "Investor", "Other", "Partner",
    "Press", "Prospect", "Reseller", "Supplier", "Vendor",
)  # fmt: skip
_INDUSTRIES: Final = (
    "Communications", "Consulting", "Distribution", "Education", "Financial Services", "Government",
    "Healthcare", "Manufacturing", "Retail", "Technology", "Transportation", "Other",
)  # fmt: skip
_SALUTATIONS: Final = ("Mr.", "Mrs.", "Ms.", "Dr.", "Prof.")
_LEAD_SOURCES: Final = (
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "Partner",
    "Trade Show",
    "Web Download",
)

MODULES: Final = ("Accounts", "Contacts", "Vendors")

SYSTEM_DUPLICATE_FIELD: Final[Mapping[str, str]] = {
    "Accounts": "Account_Name",
    "Contacts": "Email",
    "Vendors": "Vendor_Name",
}
"""The system-defined duplicate check field of each module (upsert)."""

NAME_FIELD: Final[Mapping[str, str]] = {
    "Accounts": "Account_Name",
    "Contacts": "Full_Name",
    "Vendors": "Vendor_Name",
}
"""The field shown as a lookup's ``name``."""


def _text(
    name: str, length: int = 255, *, unique: bool = False, mandatory: bool = False, custom: bool = False,
    read_only: bool = False,
) -> ZohoField:  # fmt: skip
    return ZohoField(
        api_name=name, data_type="text", label=name.replace("_", " "), length=length, unique=unique,
        mandatory=mandatory, custom=custom, read_only=read_only,
    )  # fmt: skip


def _typed(
    name: str, data_type: str, length: int | None = None, *, unique: bool = False, custom: bool = False,
    read_only: bool = False, picklist: tuple[str, ...] = (), lookup_module: str | None = None,
    decimal_place: int | None = None,
) -> ZohoField:  # fmt: skip
    return ZohoField(
        api_name=name, data_type=data_type, label=name.replace("_", " "), length=length, unique=unique,
        custom=custom, read_only=read_only, picklist=picklist, lookup_module=lookup_module,
        decimal_place=decimal_place,
    )  # fmt: skip


def _system() -> list[ZohoField]:
    return [
        _typed("Owner", "ownerlookup"),
        _typed("Created_Time", "datetime", read_only=True),
        _typed("Modified_Time", "datetime", read_only=True),
        _typed("Created_By", "ownerlookup", read_only=True),
        _typed("Modified_By", "ownerlookup", read_only=True),
        _typed("Description", "textarea", 32000),
        _text("Sync_Audit_ID", 64, custom=True),
    ]


def _address(prefix: str, code: str) -> list[ZohoField]:
    return [
        _text(f"{prefix}Street", 250),
        _text(f"{prefix}City", 100),
        _text(f"{prefix}State", 100),
        _text(f"{prefix}{code}", 30),
        _text(f"{prefix}Country", 100),
    ]


def _accounts(payment_terms: Sequence[str], categories: Sequence[str]) -> list[ZohoField]:
    return [
        _text("Account_Name", 200, mandatory=True),
        _text("Account_Number", 40),
        _typed("Account_Type", "picklist", picklist=_ACCOUNT_TYPES),
        _text("Account_Site", 80),
        _typed("Industry", "picklist", picklist=_INDUSTRIES),
        _typed("Phone", "phone", 30),
        _typed("Fax", "phone", 30),
        _typed("Website", "website", 255),
        _typed("Annual_Revenue", "currency", 16, decimal_place=2),
        _typed("Employees", "integer", 9),
        _typed("Parent_Account", "lookup", lookup_module="Accounts"),
        _typed("Currency", "picklist", picklist=_CURRENCIES),
        *_address("Billing_", "Code"),
        *_address("Shipping_", "Code"),
        _text("JDE_Address_Number", 20, unique=True, custom=True),
        _text("Tax_ID", 30, unique=True, custom=True),
        _typed("Email", "email", 100, unique=True, custom=True),
        _typed("Credit_Limit", "currency", 16, decimal_place=2, custom=True),
        _typed("Payment_Terms", "picklist", picklist=tuple(payment_terms), custom=True),
        _typed("Credit_Hold", "boolean", custom=True),
        _typed("Customer_Category", "picklist", picklist=tuple(categories), custom=True),
        *_system(),
    ]


def _contacts() -> list[ZohoField]:
    return [
        _text("First_Name", 40),
        _text("Last_Name", 80, mandatory=True),
        _text("Full_Name", 121, read_only=True),
        _typed("Salutation", "picklist", picklist=_SALUTATIONS),
        _typed("Email", "email", 100),
        _typed("Secondary_Email", "email", 100),
        _typed("Phone", "phone", 30),
        _typed("Mobile", "phone", 30),
        _typed("Home_Phone", "phone", 30),
        _typed("Other_Phone", "phone", 30),
        _typed("Fax", "phone", 30),
        _text("Title", 100),
        _text("Department", 100),
        _typed("Account_Name", "lookup", lookup_module="Accounts"),
        _typed("Vendor_Name", "lookup", lookup_module="Vendors"),
        _typed("Reporting_To", "lookup", lookup_module="Contacts"),
        *_address("Mailing_", "Zip"),
        _typed("Email_Opt_Out", "boolean"),
        _typed("Date_of_Birth", "date"),
        _typed("Lead_Source", "picklist", picklist=_LEAD_SOURCES),
        _text("JDE_Contact_Key", 30, unique=True, custom=True),
        *_system(),
    ]


def _vendors() -> list[ZohoField]:
    return [
        _text("Vendor_Name", 120, mandatory=True),
        _typed("Email", "email", 100),
        _typed("Phone", "phone", 30),
        _typed("Website", "website", 255),
        # UNCONFIRMED: GL_Account is a picklist in Zoho's UI whose values are org-specific; text here.
        _text("GL_Account", 120),
        _text("Category", 120),
        _text("Street", 250),
        _text("City", 100),
        _text("State", 100),
        _text("Zip_Code", 30),
        _text("Country", 100),
        _typed("Currency", "picklist", picklist=_CURRENCIES),
        _text("JDE_Address_Number", 20, unique=True, custom=True),
        _text("Tax_ID", 30, custom=True),
        *_system(),
    ]


def build_schema(
    *,
    payment_terms: Sequence[str] = DEFAULT_PAYMENT_TERMS,
    customer_categories: Sequence[str] = DEFAULT_CUSTOMER_CATEGORIES,
    extra_fields: Mapping[str, Sequence[ZohoField]] | None = None,
) -> dict[str, dict[str, ZohoField]]:
    """The fields of each module by API name.

    Args:
        payment_terms: The values of the Accounts ``Payment_Terms`` picklist.
        customer_categories: The values of the Accounts ``Customer_Category`` picklist.
        extra_fields: More fields per module (a host's own custom fields).

    Returns:
        ``{module: {api_name: field}}``.
    """
    modules = {
        "Accounts": _accounts(payment_terms, customer_categories),
        "Contacts": _contacts(),
        "Vendors": _vendors(),
    }
    for module, fields in (extra_fields or {}).items():
        modules.setdefault(module, []).extend(fields)
    return {module: {field.api_name: field for field in fields} for module, fields in modules.items()}


def field_json(field: ZohoField, field_id: str) -> dict[str, object]:
    """A field as ``GET /settings/fields`` shows it (the documented keys the client reads, and a few more)."""
    json_types = {"boolean": "boolean", "currency": "double", "double": "double", "integer": "integer"}
    return {
        "api_name": field.api_name,
        "id": field_id,
        "field_label": field.label,
        "display_label": field.label,
        "data_type": field.data_type,
        "json_type": "jsonobject"
        if field.data_type in ("lookup", "ownerlookup")
        else json_types.get(field.data_type, "string"),
        "length": field.length,
        "decimal_place": field.decimal_place,
        # UNCONFIRMED: the shape of a unique field's "unique" object; {} for other fields is documented.
        "unique": {"casesensitive": False} if field.unique else {},
        "system_mandatory": field.mandatory,
        "read_only": field.read_only,
        "field_read_only": field.read_only,
        "custom_field": field.custom,
        "pick_list_values": [
            {"display_value": value, "actual_value": value, "sequence_number": number}
            for number, value in enumerate(field.picklist, start=1)
        ],
        "lookup": {"module": {"api_name": field.lookup_module}} if field.lookup_module else {},
        "visible": True,
        "searchable": True,
    }
