"""The Zoho half of the DefaultMapper: canonical records <-> Zoho field values."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

import attrs

from jde_zoho_sdk.errors import MappingError
from jde_zoho_sdk.sync._fields import CONTACT_ZOHO, CUSTOMER_ZOHO, SUPPLIER_ZOHO, select
from jde_zoho_sdk.sync._map_values import ADDRESS_LINES, MODULES, decimal, text
from jde_zoho_sdk.sync.mapping_config import MappingConfig
from jde_zoho_sdk.sync.model import AddressFields, Canonical, ContactPerson, Customer, Entity, Supplier
from jde_zoho_sdk.sync.protocols import MappingContext, ZohoIdentity

if TYPE_CHECKING:
    from jde_zoho_sdk.zoho import ZohoRecord

__all__ = ["UnlinkedParentError", "ZohoMapping"]


class UnlinkedParentError(MappingError):
    """A contact's customer or supplier is not linked between the systems (yet)."""


class ZohoMapping:
    """Canonical records <-> Zoho field values (a half of :class:`DefaultMapper`)."""

    config: MappingConfig

    def zoho_fields(self, entity: Entity) -> tuple[str, ...]:
        """Zoho fields to read for ``entity``.

        Args:
            entity: The kind of record.

        Returns:
            Field API names (the key, audit and lookup fields, custom fields and ``Created_Time``, which
            tells a first link after a crashed create, included).
        """
        table = {Entity.CUSTOMER: CUSTOMER_ZOHO, Entity.CONTACT: CONTACT_ZOHO, Entity.SUPPLIER: SUPPLIER_ZOHO}
        fields = [self._zoho_name(field) for field in table[entity]]
        identity = self.zoho_identity(entity)
        fields += [identity.key_field, identity.audit_field, "Modified_Time", "Created_Time"]
        if entity is Entity.CONTACT:
            fields += ["Account_Name", "Vendor_Name"]
        fields += [custom.zoho_field for custom in self.config.custom_fields_of(entity)]
        return tuple(dict.fromkeys(field for field in fields if field))

    def zoho_identity(self, entity: Entity) -> ZohoIdentity:
        """Module, key field, audit field and duplicate check of ``entity``.

        Args:
            entity: The kind of record.
        """
        names = self.config.zoho_fields
        if entity is Entity.CONTACT:
            return ZohoIdentity(
                module="Contacts",
                key_field=names.jde_contact_key,
                audit_field=names.audit_id,
                duplicate_check_fields=(names.jde_contact_key,),
                deleted_flag_field=names.jde_deleted,
            )
        # Only unique fields may be duplicate checks: Accounts' tax id and e-mail are unique custom fields;
        # a Vendor is matched on its JDE key alone (pre-existing vendors are linked by the JDE lookup).
        duplicate_check: tuple[str, ...] = (names.jde_address_number,)
        unique: tuple[str, ...] = ()
        if entity is Entity.CUSTOMER:
            duplicate_check = (names.jde_address_number, names.tax_id, names.email)
            unique = ("tax_id", "email")
        return ZohoIdentity(
            module=MODULES[entity],
            key_field=names.jde_address_number,
            audit_field=names.audit_id,
            duplicate_check_fields=duplicate_check,
            unique=unique,
            deleted_flag_field=names.jde_deleted,
        )

    def _zoho_name(self, generic: str) -> str:
        """Resolve the configurable custom field names used in the field tables."""
        names = self.config.zoho_fields
        custom = {
            "@tax_id": names.tax_id,
            "@email": names.email,
            "@credit_limit": names.credit_limit,
            "@payment_terms": names.payment_terms,
            "@credit_hold": names.credit_hold,
            "@customer_category": names.customer_category,
            "@currency": names.currency or "",
        }
        return custom.get(generic, generic)

    # -- canonical -> Zoho -------------------------------------------------------------------------------

    def to_zoho(
        self, record: Canonical, *, fields: Collection[str] | None = None, context: MappingContext
    ) -> dict[str, object]:
        """Zoho field values for ``record`` (only those derived from ``fields`` when given).

        Args:
            record: The canonical record.
            fields: The canonical fields that changed (None: all values, as for a create).
            context: Links to other records, and the audit id of the write.

        Returns:
            Field API name -> value.

        Raises:
            MappingError: A value has no Zoho equivalent (a code missing from a value map).
        """
        if isinstance(record, Customer):
            values, sources = self.customer_to_zoho(record, context), CUSTOMER_ZOHO
        elif isinstance(record, Supplier):
            values, sources = self.supplier_to_zoho(record, context), SUPPLIER_ZOHO
        else:
            values, sources = self.contact_to_zoho(record, context), CONTACT_ZOHO
        resolved = {self._zoho_name(name): origin for name, origin in sources.items()}
        for custom in self.config.custom_fields_of(record.entity):
            raw = str(record.extra.get(custom.name, "") or "")
            values[custom.zoho_field] = (
                custom.value_map.to_zoho(raw, field=custom.name) if custom.value_map else raw
            )
            resolved[custom.zoho_field] = (custom.name,)
        return select(values, resolved, fields)

    def customer_to_zoho(self, record: Customer, context: MappingContext) -> dict[str, object]:
        """:class:`Customer` -> Zoho Account values.

        Args:
            record: The canonical customer.
            context: Links to other records, and the audit id of the write.
        """
        config = self.config
        names = config.zoho_fields
        values: dict[str, object] = {
            "Account_Name": record.name,
            names.tax_id: record.tax_id,
            names.email: record.email,
            "Phone": record.phone,
            **self.address_to_zoho(record, "Billing_"),
            names.credit_limit: record.credit_limit,
            names.payment_terms: config.payment_terms.to_zoho(record.payment_terms, field="payment_terms"),
            names.credit_hold: record.credit_hold,
            names.customer_category: config.customer_categories.to_zoho(record.category, field="category"),
        }
        if names.currency:
            values[names.currency] = record.currency
        return values

    def supplier_to_zoho(self, record: Supplier, context: MappingContext) -> dict[str, object]:
        """:class:`Supplier` -> Zoho Vendor values.

        Args:
            record: The canonical supplier.
            context: Links to other records, and the audit id of the write.
        """
        names = self.config.zoho_fields
        values: dict[str, object] = {
            "Vendor_Name": record.name,
            names.tax_id: record.tax_id,
            "Email": record.email,
            "Phone": record.phone,
            **self.address_to_zoho(record, ""),
            "Category": self.config.supplier_categories.to_zoho(record.category, field="category"),
        }
        if names.currency:
            values[names.currency] = record.currency
        return values

    def contact_to_zoho(self, record: ContactPerson, context: MappingContext) -> dict[str, object]:
        """:class:`ContactPerson` -> Zoho Contact values (with the lookup to its Account or Vendor).

        Args:
            record: The canonical contact.
            context: Resolves the contact's customer or supplier to its Zoho record.

        Raises:
            UnlinkedParentError: The contact's customer or supplier is not linked to Zoho (yet).
        """
        parent = context.parent_in_zoho(record.parent_address_number)
        if parent is None:
            raise UnlinkedParentError(
                f"customer or supplier {record.parent_address_number} is not linked to Zoho",
                field="parent_address_number",
                hint="sync or replay the parent record first",
            )
        module, parent_id = parent
        lookup = "Vendor_Name" if module == "Vendors" else "Account_Name"
        return {
            "First_Name": record.first_name,
            "Last_Name": record.last_name,
            "Title": record.title,
            "Email": record.email,
            "Phone": record.phone,
            "Mobile": record.mobile,
            lookup: {"id": parent_id},
        }

    def address_to_zoho(self, record: Customer | Supplier, prefix: str) -> dict[str, object]:
        """Address fields -> Zoho ``{prefix}Street`` (lines joined), City, State, Code, Country.

        Args:
            record: The canonical customer or supplier.
            prefix: ``"Billing_"`` for Accounts, ``""`` for Vendors.
        """
        street = "\n".join(line for line in (getattr(record, name) for name in ADDRESS_LINES) if line)
        code_field = f"{prefix}Code" if prefix else "Zip_Code"
        return {
            f"{prefix}Street": street,
            f"{prefix}City": record.city,
            f"{prefix}State": record.state,
            code_field: record.postal_code,
            f"{prefix}Country": self.country_to_zoho(record.country),
        }

    def country_to_zoho(self, code: str) -> str:
        """A JDE country code -> Zoho text (unmapped codes cross as they are).

        Args:
            code: The JDE country code.
        """
        countries = self.config.countries
        return countries.to_zoho(code) if countries.has_code(code) else code

    def country_from_zoho(self, text: str) -> str:
        """Zoho country text -> JDE code; a short unmapped value is taken as a code.

        The map is asked first: a short Zoho value can be mapped too (``GB`` -> ``UK``).

        Args:
            text: The Zoho country text.

        Raises:
            MappingError: The text is neither mapped nor a code of at most 3 letters.
        """
        text = text.strip()
        countries = self.config.countries
        if len(text) <= 3 and not countries.has_value(text):
            return text.upper()
        return countries.to_jde(text, field="country")

    # -- Zoho -> canonical -------------------------------------------------------------------------------

    def from_zoho(self, entity: Entity, record: ZohoRecord, *, context: MappingContext) -> Canonical:
        """Map a Zoho record to the canonical record of ``entity``.

        Args:
            entity: The kind of record.
            record: The Zoho record.
            context: Links to other records (a contact's Account or Vendor).

        Returns:
            The canonical record.

        Raises:
            MappingError: A value has no JDE equivalent, or a contact's parent is not linked.
        """
        values = record.values
        extra = {
            custom.name: (
                custom.value_map.to_jde(text(values, custom.zoho_field), field=custom.name)
                if custom.value_map
                else text(values, custom.zoho_field)
            )
            for custom in self.config.custom_fields_of(entity)
        }
        if entity is Entity.CUSTOMER:
            return attrs.evolve(self.customer_from_zoho(values), extra=extra)
        if entity is Entity.SUPPLIER:
            return attrs.evolve(self.supplier_from_zoho(values), extra=extra)
        return attrs.evolve(self.contact_from_zoho(values, context), extra=extra)

    def customer_from_zoho(self, values: Mapping[str, object]) -> Customer:
        """Zoho Account values -> :class:`Customer`.

        Args:
            values: The Account's field values by API name.
        """
        config = self.config
        names = config.zoho_fields
        return Customer(
            name=text(values, "Account_Name"),
            tax_id=text(values, names.tax_id),
            email=text(values, names.email).lower(),
            phone=text(values, "Phone"),
            **self.address_from_zoho(values, "Billing_"),
            credit_limit=decimal(values.get(names.credit_limit), "credit_limit"),
            payment_terms=config.payment_terms.to_jde(
                text(values, names.payment_terms), field="payment_terms"
            ),
            currency=text(values, names.currency) if names.currency else "",
            credit_hold=values.get(names.credit_hold) is True,
            category=config.customer_categories.to_jde(
                text(values, names.customer_category), field="category"
            ),
        )

    def supplier_from_zoho(self, values: Mapping[str, object]) -> Supplier:
        """Zoho Vendor values -> :class:`Supplier`.

        Args:
            values: The Vendor's field values by API name.
        """
        names = self.config.zoho_fields
        return Supplier(
            name=text(values, "Vendor_Name"),
            tax_id=text(values, names.tax_id),
            email=text(values, "Email").lower(),
            phone=text(values, "Phone"),
            **self.address_from_zoho(values, ""),
            currency=text(values, names.currency) if names.currency else "",
            category=self.config.supplier_categories.to_jde(text(values, "Category"), field="category"),
        )

    def contact_from_zoho(self, values: Mapping[str, object], context: MappingContext) -> ContactPerson:
        """Zoho Contact values -> :class:`ContactPerson` (its parent resolved through the links).

        Args:
            values: The Contact's field values by API name.
            context: Resolves the contact's Account or Vendor to its JDE address number.

        Raises:
            UnlinkedParentError: The contact's Account (or Vendor) is not linked to a JDE record.
        """
        parent: int | None = None
        for lookup, module in (("Account_Name", "Accounts"), ("Vendor_Name", "Vendors")):
            ref = values.get(lookup)
            if isinstance(ref, Mapping) and ref.get("id"):
                parent = context.parent_in_jde(module, str(ref["id"]))
                if parent is not None:
                    break
        if parent is None:
            raise UnlinkedParentError(
                "the contact's Account (or Vendor) is not linked to a JDE customer or supplier",
                field="parent_address_number",
                hint="link the contact to a synced Account, or sync the Account first",
            )
        return ContactPerson(
            parent_address_number=parent,
            first_name=text(values, "First_Name"),
            last_name=text(values, "Last_Name"),
            title=text(values, "Title"),
            email=text(values, "Email").lower(),
            phone=text(values, "Phone"),
            mobile=text(values, "Mobile"),
        )

    def address_from_zoho(self, values: Mapping[str, object], prefix: str) -> AddressFields:
        """Zoho street (split on newlines into up to 4 lines), city, state, code and country.

        Args:
            values: The record's field values by API name.
            prefix: ``"Billing_"`` for Accounts, ``""`` for Vendors.
        """
        lines = [line.strip() for line in text(values, f"{prefix}Street").splitlines() if line.strip()]
        if len(lines) > len(ADDRESS_LINES):
            lines = [*lines[:3], " ".join(lines[3:])]
        lines += [""] * (len(ADDRESS_LINES) - len(lines))
        code_field = f"{prefix}Code" if prefix else "Zip_Code"
        return AddressFields(
            address_line1=lines[0],
            address_line2=lines[1],
            address_line3=lines[2],
            address_line4=lines[3],
            city=text(values, f"{prefix}City"),
            state=text(values, f"{prefix}State"),
            postal_code=text(values, code_field),
            country=self.country_from_zoho(text(values, f"{prefix}Country")),
        )
