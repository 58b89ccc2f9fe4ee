"""Typed Account, Contact and Vendor models over :class:`~jde_zoho_sdk.zoho.ZohoRecord`.

The standard fields have fixed API names. The fields the sync needs and Zoho lacks (JDE address number,
tax id, credit limit...) are custom fields whose API names are org-specific: :class:`CustomFieldNames`
holds them, with the defaults the emulator seeds and ``doctor`` checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final

import attrs

from jde_zoho_sdk.zoho._entity_values import Reader, reference, write_values
from jde_zoho_sdk.zoho.models import Lookup, ZohoRecord

__all__ = ["DEFAULT_CUSTOM_FIELDS", "Account", "Contact", "CustomFieldNames", "Vendor"]


@attrs.frozen(kw_only=True)
class CustomFieldNames:
    """API names of the custom fields the sync relies on (the defaults are what the emulator seeds).

    Attributes:
        jde_address_number: Accounts and Vendors: unique text field with the JDE address number (AN8).
        jde_contact_key: Contacts: unique text field with ``"<AN8>-<IDLN>"``.
        tax_id: Accounts (unique) and Vendors: the tax id.
        email: Accounts: unique e-mail field (Accounts have no standard e-mail).
        credit_limit: Accounts: currency field.
        payment_terms: Accounts: picklist.
        credit_hold: Accounts: boolean.
        customer_category: Accounts: picklist.
        audit_id: Every module: the last audit id the sync wrote.
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


DEFAULT_CUSTOM_FIELDS: Final = CustomFieldNames()
"""The default custom field API names."""


@attrs.frozen(kw_only=True)
class Account:
    """A Zoho Account (a JDE customer): standard fields plus the sync's custom fields.

    Every field is optional, since a read may ask for a subset. ``extra`` keeps the fields not modelled.

    Attributes:
        id: The record id (None for a record not created yet).
        account_name: ``Account_Name``.
        account_number: ``Account_Number``.
        account_type: ``Account_Type``.
        industry: ``Industry``.
        phone: ``Phone``.
        fax: ``Fax``.
        website: ``Website``.
        email: Custom field ``names.email`` (default ``Email``).
        billing_street: ``Billing_Street``.
        billing_city: ``Billing_City``.
        billing_state: ``Billing_State``.
        billing_code: ``Billing_Code``.
        billing_country: ``Billing_Country``.
        shipping_street: ``Shipping_Street``.
        shipping_city: ``Shipping_City``.
        shipping_state: ``Shipping_State``.
        shipping_code: ``Shipping_Code``.
        shipping_country: ``Shipping_Country``.
        description: ``Description``.
        currency: ``Currency``.
        owner: ``Owner``, a :class:`Lookup`.
        parent_account: ``Parent_Account``, a :class:`Lookup`.
        jde_address_number: Custom field ``names.jde_address_number`` (default ``JDE_Address_Number``).
        tax_id: Custom field ``names.tax_id`` (default ``Tax_ID``).
        credit_limit: Custom field ``names.credit_limit`` (default ``Credit_Limit``), a ``Decimal``.
        payment_terms: Custom field ``names.payment_terms`` (default ``Payment_Terms``).
        credit_hold: Custom field ``names.credit_hold`` (default ``Credit_Hold``), a boolean.
        customer_category: Custom field ``names.customer_category`` (default ``Customer_Category``).
        audit_id: Custom field ``names.audit_id`` (default ``Sync_Audit_ID``).
        created_time: ``Created_Time`` (set by Zoho).
        modified_time: ``Modified_Time`` (set by Zoho).
        extra: The record's other fields by API name (kept from a read, never written back).

    Example:
        >>> account = Account(account_name="Zylker", jde_address_number="4242", credit_limit=Decimal("50.5"))
        >>> account.to_values()
        {'Account_Name': 'Zylker', 'JDE_Address_Number': '4242', 'Credit_Limit': Decimal('50.5')}
    """

    id: str | None = None
    account_name: str | None = None
    account_number: str | None = None
    account_type: str | None = None
    industry: str | None = None
    phone: str | None = None
    fax: str | None = None
    website: str | None = None
    email: str | None = None
    billing_street: str | None = None
    billing_city: str | None = None
    billing_state: str | None = None
    billing_code: str | None = None
    billing_country: str | None = None
    shipping_street: str | None = None
    shipping_city: str | None = None
    shipping_state: str | None = None
    shipping_code: str | None = None
    shipping_country: str | None = None
    description: str | None = None
    currency: str | None = None
    owner: Lookup | None = None
    parent_account: Lookup | None = None
    jde_address_number: str | None = None
    tax_id: str | None = None
    credit_limit: Decimal | None = None
    payment_terms: str | None = None
    credit_hold: bool | None = None
    customer_category: str | None = None
    audit_id: str | None = None
    created_time: datetime | None = None
    modified_time: datetime | None = None
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: ZohoRecord, names: CustomFieldNames = DEFAULT_CUSTOM_FIELDS) -> Account:
        """Read an Accounts record.

        Args:
            record: The record, as the client read it.
            names: The API names of the org's custom fields.

        Returns:
            The typed record.

        Raises:
            MappingError: A value has the wrong type (naming the field and the record).
        """
        r = Reader(record)
        return cls(
            id=record.id,
            account_name=r.text("Account_Name"),
            account_number=r.text("Account_Number"),
            account_type=r.text("Account_Type"),
            industry=r.text("Industry"),
            phone=r.text("Phone"),
            fax=r.text("Fax"),
            website=r.text("Website"),
            email=r.text(names.email),
            billing_street=r.text("Billing_Street"),
            billing_city=r.text("Billing_City"),
            billing_state=r.text("Billing_State"),
            billing_code=r.text("Billing_Code"),
            billing_country=r.text("Billing_Country"),
            shipping_street=r.text("Shipping_Street"),
            shipping_city=r.text("Shipping_City"),
            shipping_state=r.text("Shipping_State"),
            shipping_code=r.text("Shipping_Code"),
            shipping_country=r.text("Shipping_Country"),
            description=r.text("Description"),
            currency=r.text("Currency"),
            owner=r.lookup("Owner"),
            parent_account=r.lookup("Parent_Account"),
            jde_address_number=r.text(names.jde_address_number),
            tax_id=r.text(names.tax_id),
            credit_limit=r.decimal(names.credit_limit),
            payment_terms=r.text(names.payment_terms),
            credit_hold=r.flag(names.credit_hold),
            customer_category=r.text(names.customer_category),
            audit_id=r.text(names.audit_id),
            created_time=r.moment("Created_Time"),
            modified_time=record.modified_time,
            extra=r.rest(),
        )

    def to_values(
        self, names: CustomFieldNames = DEFAULT_CUSTOM_FIELDS, *, include_none: bool = False
    ) -> dict[str, object]:
        """The write values by API name (lookups as ``{"id": ...}``; read-only and unset fields left out).

        Args:
            names: The custom field API names.
            include_none: Send unset fields as null (clearing them in Zoho).

        Returns:
            Values for :meth:`~jde_zoho_sdk.zoho.ZohoClient.upsert`.
        """
        values: dict[str, object] = {
            "Account_Name": self.account_name,
            "Account_Number": self.account_number,
            "Account_Type": self.account_type,
            "Industry": self.industry,
            "Phone": self.phone,
            "Fax": self.fax,
            "Website": self.website,
            names.email: self.email,
            "Billing_Street": self.billing_street,
            "Billing_City": self.billing_city,
            "Billing_State": self.billing_state,
            "Billing_Code": self.billing_code,
            "Billing_Country": self.billing_country,
            "Shipping_Street": self.shipping_street,
            "Shipping_City": self.shipping_city,
            "Shipping_State": self.shipping_state,
            "Shipping_Code": self.shipping_code,
            "Shipping_Country": self.shipping_country,
            "Description": self.description,
            "Currency": self.currency,
            "Owner": reference(self.owner),
            "Parent_Account": reference(self.parent_account),
            names.jde_address_number: self.jde_address_number,
            names.tax_id: self.tax_id,
            names.credit_limit: self.credit_limit,
            names.payment_terms: self.payment_terms,
            names.credit_hold: self.credit_hold,
            names.customer_category: self.customer_category,
            names.audit_id: self.audit_id,
        }
        return write_values(self.id, values, include_none)


@attrs.frozen(kw_only=True)
class Contact:
    """A Zoho Contact (a JDE who's-who contact person), linked to its Account or Vendor by lookup.

    Lookups read as ``Lookup(id, name)`` and are written as ``{"id": ...}``.

    Attributes:
        id: The record id (None for a record not created yet).
        first_name: ``First_Name``.
        last_name: ``Last_Name``.
        full_name: ``Full_Name``.
        salutation: ``Salutation``.
        email: ``Email``.
        secondary_email: ``Secondary_Email``.
        phone: ``Phone``.
        mobile: ``Mobile``.
        fax: ``Fax``.
        title: ``Title``.
        department: ``Department``.
        account: ``Account_Name``, a :class:`Lookup`.
        vendor: ``Vendor_Name``, a :class:`Lookup`.
        mailing_street: ``Mailing_Street``.
        mailing_city: ``Mailing_City``.
        mailing_state: ``Mailing_State``.
        mailing_zip: ``Mailing_Zip``.
        mailing_country: ``Mailing_Country``.
        email_opt_out: ``Email_Opt_Out``, a boolean.
        description: ``Description``.
        owner: ``Owner``, a :class:`Lookup`.
        jde_contact_key: Custom field ``names.jde_contact_key`` (default ``JDE_Contact_Key``).
        audit_id: Custom field ``names.audit_id`` (default ``Sync_Audit_ID``).
        created_time: ``Created_Time`` (set by Zoho).
        modified_time: ``Modified_Time`` (set by Zoho).
        extra: The record's other fields by API name (kept from a read, never written back).
    """

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    salutation: str | None = None
    email: str | None = None
    secondary_email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    fax: str | None = None
    title: str | None = None
    department: str | None = None
    account: Lookup | None = None
    vendor: Lookup | None = None
    mailing_street: str | None = None
    mailing_city: str | None = None
    mailing_state: str | None = None
    mailing_zip: str | None = None
    mailing_country: str | None = None
    email_opt_out: bool | None = None
    description: str | None = None
    owner: Lookup | None = None
    jde_contact_key: str | None = None
    audit_id: str | None = None
    created_time: datetime | None = None
    modified_time: datetime | None = None
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: ZohoRecord, names: CustomFieldNames = DEFAULT_CUSTOM_FIELDS) -> Contact:
        """Read a Contacts record.

        Args:
            record: The record, as the client read it.
            names: The API names of the org's custom fields.

        Returns:
            The typed record.

        Raises:
            MappingError: A value has the wrong type (naming the field and the record).
        """
        r = Reader(record)
        return cls(
            id=record.id,
            first_name=r.text("First_Name"),
            last_name=r.text("Last_Name"),
            full_name=r.text("Full_Name"),
            salutation=r.text("Salutation"),
            email=r.text("Email"),
            secondary_email=r.text("Secondary_Email"),
            phone=r.text("Phone"),
            mobile=r.text("Mobile"),
            fax=r.text("Fax"),
            title=r.text("Title"),
            department=r.text("Department"),
            account=r.lookup("Account_Name"),
            vendor=r.lookup("Vendor_Name"),
            mailing_street=r.text("Mailing_Street"),
            mailing_city=r.text("Mailing_City"),
            mailing_state=r.text("Mailing_State"),
            mailing_zip=r.text("Mailing_Zip"),
            mailing_country=r.text("Mailing_Country"),
            email_opt_out=r.flag("Email_Opt_Out"),
            description=r.text("Description"),
            owner=r.lookup("Owner"),
            jde_contact_key=r.text(names.jde_contact_key),
            audit_id=r.text(names.audit_id),
            created_time=r.moment("Created_Time"),
            modified_time=record.modified_time,
            extra=r.rest(),
        )

    def to_values(
        self, names: CustomFieldNames = DEFAULT_CUSTOM_FIELDS, *, include_none: bool = False
    ) -> dict[str, object]:
        """The write values by API name (``Full_Name`` is read-only and never sent).

        Args:
            names: The custom field API names.
            include_none: Send unset fields as null (clearing them in Zoho).

        Returns:
            Values for :meth:`~jde_zoho_sdk.zoho.ZohoClient.upsert`.
        """
        values: dict[str, object] = {
            "First_Name": self.first_name,
            "Last_Name": self.last_name,
            "Salutation": self.salutation,
            "Email": self.email,
            "Secondary_Email": self.secondary_email,
            "Phone": self.phone,
            "Mobile": self.mobile,
            "Fax": self.fax,
            "Title": self.title,
            "Department": self.department,
            "Account_Name": reference(self.account),
            "Vendor_Name": reference(self.vendor),
            "Mailing_Street": self.mailing_street,
            "Mailing_City": self.mailing_city,
            "Mailing_State": self.mailing_state,
            "Mailing_Zip": self.mailing_zip,
            "Mailing_Country": self.mailing_country,
            "Email_Opt_Out": self.email_opt_out,
            "Description": self.description,
            "Owner": reference(self.owner),
            names.jde_contact_key: self.jde_contact_key,
            names.audit_id: self.audit_id,
        }
        return write_values(self.id, values, include_none)


@attrs.frozen(kw_only=True)
class Vendor:
    """A Zoho Vendor (a JDE supplier): standard fields plus the sync's custom fields.

    Attributes:
        id: The record id (None for a record not created yet).
        vendor_name: ``Vendor_Name``.
        email: ``Email``.
        phone: ``Phone``.
        website: ``Website``.
        gl_account: ``GL_Account``.
        category: ``Category``.
        street: ``Street``.
        city: ``City``.
        state: ``State``.
        zip_code: ``Zip_Code``.
        country: ``Country``.
        description: ``Description``.
        currency: ``Currency``.
        owner: ``Owner``, a :class:`Lookup`.
        jde_address_number: Custom field ``names.jde_address_number`` (default ``JDE_Address_Number``).
        tax_id: Custom field ``names.tax_id`` (default ``Tax_ID``).
        audit_id: Custom field ``names.audit_id`` (default ``Sync_Audit_ID``).
        created_time: ``Created_Time`` (set by Zoho).
        modified_time: ``Modified_Time`` (set by Zoho).
        extra: The record's other fields by API name (kept from a read, never written back).
    """

    id: str | None = None
    vendor_name: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    gl_account: str | None = None
    category: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None
    country: str | None = None
    description: str | None = None
    currency: str | None = None
    owner: Lookup | None = None
    jde_address_number: str | None = None
    tax_id: str | None = None
    audit_id: str | None = None
    created_time: datetime | None = None
    modified_time: datetime | None = None
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: ZohoRecord, names: CustomFieldNames = DEFAULT_CUSTOM_FIELDS) -> Vendor:
        """Read a Vendors record.

        Args:
            record: The record, as the client read it.
            names: The API names of the org's custom fields.

        Returns:
            The typed record.

        Raises:
            MappingError: A value has the wrong type (naming the field and the record).
        """
        r = Reader(record)
        return cls(
            id=record.id,
            vendor_name=r.text("Vendor_Name"),
            email=r.text("Email"),
            phone=r.text("Phone"),
            website=r.text("Website"),
            gl_account=r.text("GL_Account"),
            category=r.text("Category"),
            street=r.text("Street"),
            city=r.text("City"),
            state=r.text("State"),
            zip_code=r.text("Zip_Code"),
            country=r.text("Country"),
            description=r.text("Description"),
            currency=r.text("Currency"),
            owner=r.lookup("Owner"),
            jde_address_number=r.text(names.jde_address_number),
            tax_id=r.text(names.tax_id),
            audit_id=r.text(names.audit_id),
            created_time=r.moment("Created_Time"),
            modified_time=record.modified_time,
            extra=r.rest(),
        )

    def to_values(
        self, names: CustomFieldNames = DEFAULT_CUSTOM_FIELDS, *, include_none: bool = False
    ) -> dict[str, object]:
        """The write values by API name.

        Args:
            names: The custom field API names.
            include_none: Send unset fields as null (clearing them in Zoho).

        Returns:
            Values for :meth:`~jde_zoho_sdk.zoho.ZohoClient.upsert`.
        """
        values: dict[str, object] = {
            "Vendor_Name": self.vendor_name,
            "Email": self.email,
            "Phone": self.phone,
            "Website": self.website,
            "GL_Account": self.gl_account,
            "Category": self.category,
            "Street": self.street,
            "City": self.city,
            "State": self.state,
            "Zip_Code": self.zip_code,
            "Country": self.country,
            "Description": self.description,
            "Currency": self.currency,
            "Owner": reference(self.owner),
            names.jde_address_number: self.jde_address_number,
            names.tax_id: self.tax_id,
            names.audit_id: self.audit_id,
        }
        return write_values(self.id, values, include_none)
