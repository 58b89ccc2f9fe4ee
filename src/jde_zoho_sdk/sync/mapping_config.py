"""The data the :class:`~jde_zoho_sdk.sync.DefaultMapper` maps with: value maps, field names, lengths.

Everything a site usually changes is data here, not code: payment terms codes and their Zoho picklist
values, category codes, country codes, the API names of Zoho's custom fields, column lengths, and the
host's own extra fields (:class:`CustomField`). Subclass the mapper only for logic.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from jde_zoho_sdk.errors import MappingError
from jde_zoho_sdk.sync.model import Entity

__all__ = ["CustomField", "MappingConfig", "ValueMap", "ZohoFieldNames"]


def _frozen_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class ValueMap:
    """A two-way map between JDE codes and Zoho values (picklist entries, country names...).

    Matching is case-insensitive on both sides; blank maps to blank. A value with no entry raises
    :class:`~jde_zoho_sdk.errors.MappingError` naming the map, unless ``passthrough`` is set, in which case
    it crosses unchanged (codes upper-cased on the way to JDE).

    Attributes:
        name: What the map holds, for error messages (``"payment terms"``).
        pairs: JDE code -> Zoho value.
        passthrough: Let unmapped values through instead of failing the record.

    Example:
        >>> terms = ValueMap(name="payment terms", pairs={"N30": "Net 30"})
        >>> terms.to_zoho("n30"), terms.to_jde("NET 30")
        ('Net 30', 'N30')
    """

    name: str
    pairs: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map)
    passthrough: bool = False
    _to_zoho: Mapping[str, str] = attrs.field(init=False, repr=False, eq=False)
    _to_jde: Mapping[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_to_zoho", {code.upper(): value for code, value in self.pairs.items()})
        object.__setattr__(
            self, "_to_jde", {value.casefold(): code.upper() for code, value in self.pairs.items()}
        )

    def has_code(self, code: str) -> bool:
        """Whether the map has an entry for a JDE code (in any case).

        Args:
            code: The JDE code.
        """
        return code.strip().upper() in self._to_zoho

    def has_value(self, value: str) -> bool:
        """Whether the map has an entry for a Zoho value (in any case).

        Args:
            value: The Zoho value.
        """
        return value.strip().casefold() in self._to_jde

    def to_zoho(self, code: str, *, field: str | None = None) -> str:
        """The Zoho value for a JDE code.

        Args:
            code: The JDE code.
            field: The canonical field, named in the error.

        Raises:
            MappingError: The code has no entry and the map is not ``passthrough``.
        """
        code = code.strip()
        if not code:
            return ""
        found = self._to_zoho.get(code.upper())
        if found is not None:
            return found
        if self.passthrough:
            return code
        raise MappingError(
            f"JDE {self.name} code {code!r} has no Zoho value",
            field=field,
            hint=f"add it to the {self.name} value map in MappingConfig",
        )

    def to_jde(self, value: str, *, field: str | None = None) -> str:
        """The JDE code for a Zoho value.

        Args:
            value: The Zoho value.
            field: The canonical field, named in the error.

        Raises:
            MappingError: The value has no entry and the map is not ``passthrough``.
        """
        value = value.strip()
        if not value:
            return ""
        found = self._to_jde.get(value.casefold())
        if found is not None:
            return found
        if self.passthrough:
            return value.upper()
        raise MappingError(
            f"Zoho {self.name} {value!r} has no JDE code",
            field=field,
            hint=f"add it to the {self.name} value map in MappingConfig",
        )


@attrs.frozen(kw_only=True)
class ZohoFieldNames:
    """API names of the Zoho fields the sync relies on (custom fields are org-specific; these are defaults).

    Attributes:
        jde_address_number: Accounts and Vendors: unique field holding the JDE address number.
        jde_contact_key: Contacts: unique field holding ``"<AN8>-<IDLN>"``.
        tax_id: Accounts and Vendors: unique field holding the tax id.
        email: Accounts: unique e-mail field.
        credit_limit: Accounts: currency field.
        payment_terms: Accounts: picklist.
        credit_hold: Accounts: boolean.
        customer_category: Accounts: picklist.
        audit_id: Every module: the last audit id written by the sync.
        jde_deleted: A boolean field ``reconcile`` sets on a record whose JDE twin is gone (with
            ``SyncConfig.flag_zoho_on_jde_delete``).
        currency: The currency field of multi-currency orgs, or None to not sync the currency to Zoho.
    """

    jde_address_number: str = "JDE_Address_Number"
    jde_contact_key: str = "JDE_Contact_Key"
    tax_id: str = "Tax_ID"
    email: str = "Email"
    credit_limit: str = "Credit_Limit"
    payment_terms: str = "Payment_Terms"
    credit_hold: str = "Credit_Hold"
    customer_category: str = "Customer_Category"
    audit_id: str = "Sync_Audit_ID"
    jde_deleted: str = "JDE_Deleted"
    currency: str | None = None


@attrs.frozen(kw_only=True)
class CustomField:
    """A canonical field of the host's own, mapped by data (no subclass needed).

    Attributes:
        name: The canonical name (kept in the record's ``extra``).
        entity: The entity it belongs to.
        jde_table: The JDE table it is read from (``"F0101"``).
        jde_column: The column alias (``"AC02"``).
        orchestration_input: The input name the create/update orchestrations take for it.
        zoho_field: The Zoho field API name.
        jde_length: The column's length (values are cut to it), if text.
        zoho_length: The Zoho field's length, if text.
        value_map: Maps JDE codes to Zoho values, if coded.

    Example:
        >>> region = CustomField(
        ...     name="sales_region", entity=Entity.CUSTOMER, jde_table="F0101", jde_column="AC02",
        ...     orchestration_input="CategoryCode02", zoho_field="Sales_Region", jde_length=3,
        ... )
    """

    name: str
    entity: Entity
    jde_table: str
    jde_column: str
    orchestration_input: str
    zoho_field: str
    jde_length: int | None = None
    zoho_length: int | None = None
    value_map: ValueMap | None = None


_PAYMENT_TERMS: Final = {
    "N10": "Net 10",
    "N15": "Net 15",
    "N30": "Net 30",
    "N45": "Net 45",
    "N60": "Net 60",
    "N90": "Net 90",
    "DUE": "Due on Receipt",
    "COD": "Cash on Delivery",
    "2N1": "2% 10 Net 30",
}
_CUSTOMER_CATEGORIES: Final = {
    "DIS": "Distributor",
    "RET": "Retail",
    "OTH": "Other",
    "OEM": "OEM",
    "GOV": "Government",
    "WHS": "Wholesale",
}
_COUNTRIES: Final = {
    "US": "United States",
    "CA": "Canada",
    "MX": "Mexico",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "ES": "Spain",
    "IT": "Italy",
    "NL": "Netherlands",
    "AU": "Australia",
    "JP": "Japan",
    "IN": "India",
    "BR": "Brazil",
}

# Column lengths of the JDE side (F0101, F0116, F01151, F0115, F0111), from the orchestration contract.
JDE_LENGTHS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "name": 40,
        "tax_id": 20,
        "email": 256,
        "address_line1": 40,
        "address_line2": 40,
        "address_line3": 40,
        "address_line4": 40,
        "city": 25,
        "state": 3,
        "postal_code": 12,
        "country": 3,
        "payment_terms": 3,
        "currency": 3,
        "category": 3,
        "first_name": 25,
        "last_name": 25,
        "title": 40,
        "phone_area": 6,
        "phone_number": 20,
    }
)
# Lengths of Zoho's fields (standard single-line fields hold 255; the standard modules document less for
# some); the engine can refresh them from the fields metadata API.
ZOHO_LENGTHS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "name": 200,
        "supplier.name": 120,
        "tax_id": 30,
        "email": 100,
        "phone": 30,
        "mobile": 30,
        "street": 250,
        "city": 100,
        "state": 100,
        "postal_code": 30,
        "country": 100,
        "first_name": 40,
        "last_name": 80,
        "title": 100,
        "category": 100,
    }
)


@attrs.frozen(kw_only=True)
class MappingConfig:
    """Value maps, Zoho field names, lengths and custom fields for the :class:`DefaultMapper`.

    Attributes:
        payment_terms: JDE payment terms codes <-> Zoho ``Payment_Terms`` picklist values.
        customer_categories: F0101.AC01 codes <-> Zoho ``Customer_Category`` picklist values.
        supplier_categories: F0101.AC01 codes <-> Zoho Vendor ``Category`` text (passthrough by default).
        countries: JDE country codes <-> Zoho country text (unmapped codes of up to 3 letters pass through).
        zoho_fields: API names of Zoho's custom fields.
        credit_hold_code: The F03012 hold code written when Zoho puts an account on credit hold.
        payment_hold_code: The F0401 hold payment code written when a vendor is put on hold.
        mobile_phone_type: The F0115 phone type of mobile numbers (UDC 01/PH).
        email_type: The F01151 electronic address type of e-mail (UDC 01/ET).
        jde_lengths: Canonical field -> JDE column length (values longer are cut, as JDE does).
        zoho_lengths: Canonical field -> Zoho field length (``"supplier.name"`` for one entity only).
        custom_fields: The host's own fields.

    Example:
        >>> config = MappingConfig(payment_terms=ValueMap(name="payment terms", pairs={"N30": "Net 30"}))
    """

    payment_terms: ValueMap = ValueMap(name="payment terms", pairs=_PAYMENT_TERMS)
    customer_categories: ValueMap = ValueMap(name="customer category", pairs=_CUSTOMER_CATEGORIES)
    supplier_categories: ValueMap = ValueMap(name="supplier category", pairs={}, passthrough=True)
    countries: ValueMap = ValueMap(name="country", pairs=_COUNTRIES)
    zoho_fields: ZohoFieldNames = ZohoFieldNames()
    credit_hold_code: str = "C1"
    payment_hold_code: str = "Y"
    mobile_phone_type: str = "CAR"
    email_type: str = "E"
    jde_lengths: Mapping[str, int] = JDE_LENGTHS
    zoho_lengths: Mapping[str, int] = ZOHO_LENGTHS
    custom_fields: tuple[CustomField, ...] = ()

    def custom_fields_of(self, entity: Entity) -> tuple[CustomField, ...]:
        """The custom fields of one entity.

        Args:
            entity: The kind of record.
        """
        if not self.custom_fields:  # the common case, asked on every normalisation
            return ()
        return tuple(field for field in self.custom_fields if field.entity is entity)
