"""Which canonical fields each Zoho field and orchestration input is built from.

A partial write sends only what changed: when ``address_line2`` changed, the Zoho ``Billing_Street`` (built
from all four lines) is sent whole, and the orchestration gets ``AddressLine2``. Names starting with ``@``
are Zoho custom fields whose API name comes from :class:`~jde_zoho_sdk.sync.ZohoFieldNames`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

_LINES: Final = ("address_line1", "address_line2", "address_line3", "address_line4")

CUSTOMER_ZOHO: Final[Mapping[str, tuple[str, ...]]] = {
    "Account_Name": ("name",),
    "@tax_id": ("tax_id",),
    "@email": ("email",),
    "Phone": ("phone",),
    "Billing_Street": _LINES,
    "Billing_City": ("city",),
    "Billing_State": ("state",),
    "Billing_Code": ("postal_code",),
    "Billing_Country": ("country",),
    "@credit_limit": ("credit_limit",),
    "@payment_terms": ("payment_terms",),
    "@credit_hold": ("credit_hold",),
    "@customer_category": ("category",),
    "@currency": ("currency",),
}
SUPPLIER_ZOHO: Final[Mapping[str, tuple[str, ...]]] = {
    "Vendor_Name": ("name",),
    "@tax_id": ("tax_id",),
    "Email": ("email",),
    "Phone": ("phone",),
    "Street": _LINES,
    "City": ("city",),
    "State": ("state",),
    "Zip_Code": ("postal_code",),
    "Country": ("country",),
    "Category": ("category",),
    "@currency": ("currency",),
}
CONTACT_ZOHO: Final[Mapping[str, tuple[str, ...]]] = {
    "First_Name": ("first_name",),
    "Last_Name": ("last_name",),
    "Title": ("title",),
    "Email": ("email",),
    "Phone": ("phone",),
    "Mobile": ("mobile",),
    "Account_Name": ("parent_address_number",),
    "Vendor_Name": ("parent_address_number",),
}

_ENTITY_INPUTS: Final[Mapping[str, tuple[str, ...]]] = {
    "AlphaName": ("name",),
    "TaxId": ("tax_id",),
    "CategoryCode01": ("category",),
    "Email": ("email",),
    "PhoneAreaCode": ("phone",),
    "PhoneNumber": ("phone",),
    "AddressLine1": ("address_line1",),
    "AddressLine2": ("address_line2",),
    "AddressLine3": ("address_line3",),
    "AddressLine4": ("address_line4",),
    "City": ("city",),
    "State": ("state",),
    "PostalCode": ("postal_code",),
    "Country": ("country",),
}
CUSTOMER_INPUTS: Final[Mapping[str, tuple[str, ...]]] = {
    **_ENTITY_INPUTS,
    "CreditLimit": ("credit_limit",),
    "PaymentTerms": ("payment_terms",),
    "Currency": ("currency",),
    "HoldCode": ("credit_hold",),
}
SUPPLIER_INPUTS: Final[Mapping[str, tuple[str, ...]]] = {
    **_ENTITY_INPUTS,
    "PaymentTermsAP": ("payment_terms",),
    "Currency": ("currency",),
    "HoldPaymentCode": ("payment_hold",),
}
CONTACT_INPUTS: Final[Mapping[str, tuple[str, ...]]] = {
    "AddressNumber": ("parent_address_number",),
    "GivenName": ("first_name",),
    "Surname": ("last_name",),
    "ContactTitle": ("title",),
    "Email": ("email",),
    "PhoneAreaCode": ("phone",),
    "PhoneNumber": ("phone",),
    "MobileAreaCode": ("mobile",),
    "MobileNumber": ("mobile",),
}


def select(
    values: Mapping[str, object], sources: Mapping[str, tuple[str, ...]], fields: Collection[str] | None
) -> dict[str, object]:
    """Keep the values built from any of ``fields`` (all values when ``fields`` is None).

    A value whose name has no entry in ``sources`` is kept only when all values are asked for.
    """
    if fields is None:
        return dict(values)
    wanted = set(fields)
    return {name: value for name, value in values.items() if wanted.intersection(sources.get(name, ()))}
