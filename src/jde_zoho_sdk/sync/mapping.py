"""DefaultMapper: JDE rows <-> canonical records <-> Zoho records and orchestration inputs.

Subclass it to change one field group (each is a small method: ``address_from_jde``, ``phone_to_jde``,
``customer_to_zoho``...) and give it data (:class:`~jde_zoho_sdk.sync.MappingConfig`) for value maps, field
names and custom fields. Example::

    class MyMapper(DefaultMapper):
        def customer_to_zoho(self, record: Customer, context: MappingContext) -> dict[str, object]:
            values = super().customer_to_zoho(record, context)
            values["Account_Type"] = "Customer"
            return values
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import attrs

from jde_zoho_sdk.errors import MappingError
from jde_zoho_sdk.sync._fields import (
    CONTACT_INPUTS,
    CONTACT_ZOHO,
    CUSTOMER_INPUTS,
    CUSTOMER_ZOHO,
    SUPPLIER_INPUTS,
    SUPPLIER_ZOHO,
    select,
)
from jde_zoho_sdk.sync.mapping_config import MappingConfig
from jde_zoho_sdk.sync.model import (
    AddressFields,
    Canonical,
    ContactPerson,
    Customer,
    Entity,
    JdeAggregate,
    Supplier,
)
from jde_zoho_sdk.sync.protocols import MappingContext, ZohoIdentity

if TYPE_CHECKING:
    from jde_zoho_sdk.sync.merge import Side
    from jde_zoho_sdk.zoho import ZohoRecord

__all__ = ["DefaultMapper", "UnlinkedParentError"]

R = TypeVar("R", bound=Canonical)

_ADDRESS_LINES: Final = ("address_line1", "address_line2", "address_line3", "address_line4")
_CODE_FIELDS: Final = frozenset({"payment_terms", "currency", "category", "state", "country"})
_CENT: Final = Decimal("0.01")
_MAX_AMOUNT_DIGITS: Final = 15  # JDE amounts are Numeric 15 (F03012.ACL); Zoho currency fields hold 16
_UNIT: Final = Decimal(1)

_MODULES: Final = {Entity.CUSTOMER: "Accounts", Entity.CONTACT: "Contacts", Entity.SUPPLIER: "Vendors"}

_KEY_COLUMNS: Final = {
    "F0101": ("AN8",),
    "F03012": ("AN8", "CO"),
    "F0401": ("AN8",),
    "F0116": ("AN8", "EFTB"),
    "F0111": ("AN8", "IDLN"),
    "F01151": ("AN8", "IDLN", "RCK7", "ETP"),
    "F0115": ("AN8", "IDLN", "RCK7", "PHTP"),
}
_STAMP: Final = ("UPMJ", "UPMT")
_ADDRESS_COLUMNS: Final = ("ADD1", "ADD2", "ADD3", "ADD4", "CTY1", "ADDS", "ADDZ", "CTR")


class UnlinkedParentError(MappingError):
    """A contact's customer or supplier is not linked between the systems (yet)."""


def _text(row: Mapping[str, object] | None, key: str) -> str:
    if row is None:
        return ""
    value = row.get(key)
    if value is None:
        return ""
    return str(value).strip()


def _decimal(value: object, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MappingError(f"expected an amount, got {value!r}", field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise MappingError(f"expected an amount, got {value!r}", field=field) from None
    if not amount.is_finite():
        raise MappingError(f"expected a finite amount, got {value!r}", field=field)
    if amount.adjusted() >= _MAX_AMOUNT_DIGITS:
        raise MappingError(f"amount {value} has more than {_MAX_AMOUNT_DIGITS} digits", field=field)
    return amount


def _cut(value: str, length: int | None) -> str:
    value = value.strip()
    return value[:length].rstrip() if length is not None else value


class DefaultMapper:
    """The standard mapping of customers, contacts and suppliers (see the field tables in the docs).

    Args:
        config: Value maps, Zoho field names, lengths and custom fields.
    """

    def __init__(self, config: MappingConfig | None = None) -> None:
        self.config = config or MappingConfig()

    # -- what to read ------------------------------------------------------------------------------------

    def jde_columns(self, entity: Entity) -> Mapping[str, tuple[str, ...]]:
        """Columns to read per JDE table for ``entity`` (keys and UPMJ/UPMT included)."""
        data: dict[str, tuple[str, ...]]
        if entity is Entity.CONTACT:
            data = {
                "F0111": ("MLNM", "GNNM", "SRNM", "ATTL", "TYC", "REM1"),
                "F01151": ("EMAL",),
                "F0115": ("AR1", "PH1"),
            }
        else:
            master: tuple[str, tuple[str, ...]] = ("F03012", ("ACL", "TRAR", "CRCD", "HOLD"))
            if entity is Entity.SUPPLIER:
                master = ("F0401", ("TRAP", "CRRP", "HDPY"))
            data = {
                "F0101": ("ALPH", "TAX", "AT1", "AC01", "ALKY"),
                master[0]: master[1],
                "F0116": _ADDRESS_COLUMNS,
                "F01151": ("EMAL",),
                "F0115": ("AR1", "PH1"),
            }
        for custom in self.config.custom_fields_of(entity):
            data[custom.jde_table] = (*data.get(custom.jde_table, ()), custom.jde_column)
        return {
            table: tuple(dict.fromkeys((*_KEY_COLUMNS.get(table, ("AN8",)), *columns, *_STAMP)))
            for table, columns in data.items()
        }

    def zoho_fields(self, entity: Entity) -> tuple[str, ...]:
        """Zoho fields to read for ``entity``."""
        names = self.config.zoho_fields
        table = {Entity.CUSTOMER: CUSTOMER_ZOHO, Entity.CONTACT: CONTACT_ZOHO, Entity.SUPPLIER: SUPPLIER_ZOHO}
        fields = [self._zoho_name(field) for field in table[entity]]
        identity = self.zoho_identity(entity)
        fields += [identity.key_field, "Modified_Time"]
        if entity is Entity.CONTACT:
            fields += ["Account_Name", "Vendor_Name"]
        if names.currency and entity is not Entity.CONTACT:
            fields.append(names.currency)
        fields += [custom.zoho_field for custom in self.config.custom_fields_of(entity)]
        return tuple(dict.fromkeys(field for field in fields if field))

    def zoho_identity(self, entity: Entity) -> ZohoIdentity:
        """Module, key field, audit field and duplicate check of ``entity``."""
        names = self.config.zoho_fields
        if entity is Entity.CONTACT:
            return ZohoIdentity(
                module="Contacts",
                key_field=names.jde_contact_key,
                audit_field=names.audit_id,
                duplicate_check_fields=(names.jde_contact_key,),
            )
        # Only unique fields may be duplicate checks: Accounts' tax id and e-mail are unique custom fields;
        # a Vendor is matched on its JDE key alone (pre-existing vendors are linked by the JDE lookup).
        duplicate_check: tuple[str, ...] = (names.jde_address_number,)
        unique: tuple[str, ...] = ()
        if entity is Entity.CUSTOMER:
            duplicate_check = (names.jde_address_number, names.tax_id, names.email)
            unique = ("tax_id", "email")
        return ZohoIdentity(
            module=_MODULES[entity],
            key_field=names.jde_address_number,
            audit_field=names.audit_id,
            duplicate_check_fields=duplicate_check,
            unique=unique,
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
        }
        return custom.get(generic, generic)

    # -- JDE -> canonical --------------------------------------------------------------------------------

    def from_jde(self, aggregate: JdeAggregate) -> Canonical:
        """Map JDE rows to the canonical record of their entity."""
        if aggregate.entity is Entity.CUSTOMER:
            return self.customer_from_jde(aggregate)
        if aggregate.entity is Entity.SUPPLIER:
            return self.supplier_from_jde(aggregate)
        return self.contact_from_jde(aggregate)

    def customer_from_jde(self, aggregate: JdeAggregate) -> Customer:
        """F0101 + F03012 + F0116 + F01151 + F0115 -> :class:`Customer`."""
        master = aggregate.first("F0101")
        terms = aggregate.first("F03012")
        return Customer(
            name=_text(master, "ALPH"),
            tax_id=_text(master, "TAX"),
            category=_text(master, "AC01"),
            email=self.email_from_jde(aggregate, 0),
            phone=self.phone_from_jde(aggregate, 0, ""),
            **self.address_from_jde(aggregate),
            credit_limit=_decimal(terms.get("ACL") if terms else None, "credit_limit"),
            payment_terms=_text(terms, "TRAR"),
            currency=_text(terms, "CRCD"),
            credit_hold=bool(_text(terms, "HOLD")),
            extra=self._custom_from_jde(aggregate),
        )

    def supplier_from_jde(self, aggregate: JdeAggregate) -> Supplier:
        """F0101 + F0401 + F0116 + F01151 + F0115 -> :class:`Supplier`."""
        master = aggregate.first("F0101")
        terms = aggregate.first("F0401")
        return Supplier(
            name=_text(master, "ALPH"),
            tax_id=_text(master, "TAX"),
            category=_text(master, "AC01"),
            email=self.email_from_jde(aggregate, 0),
            phone=self.phone_from_jde(aggregate, 0, ""),
            **self.address_from_jde(aggregate),
            payment_terms=_text(terms, "TRAP"),
            currency=_text(terms, "CRRP"),
            payment_hold=_text(terms, "HDPY") not in ("", "N"),
            extra=self._custom_from_jde(aggregate),
        )

    def contact_from_jde(self, aggregate: JdeAggregate) -> ContactPerson:
        """F0111 (who's who line) + F01151 + F0115 of that line -> :class:`ContactPerson`."""
        line = aggregate.first("F0111")
        last_name = _text(line, "SRNM") or _text(line, "MLNM")
        return ContactPerson(
            parent_address_number=aggregate.address_number,
            first_name=_text(line, "GNNM"),
            last_name=last_name,
            title=_text(line, "ATTL"),
            email=self.email_from_jde(aggregate, aggregate.line_number),
            phone=self.phone_from_jde(aggregate, aggregate.line_number, ""),
            mobile=self.phone_from_jde(aggregate, aggregate.line_number, self.config.mobile_phone_type),
            extra=self._custom_from_jde(aggregate),
        )

    def address_from_jde(self, aggregate: JdeAggregate) -> AddressFields:
        """The current F0116 address (the latest effective date) as canonical address fields."""
        rows = aggregate.all("F0116")
        row = max(rows, key=lambda r: str(r.get("EFTB") or "")) if rows else None
        return AddressFields(
            address_line1=_text(row, "ADD1"),
            address_line2=_text(row, "ADD2"),
            address_line3=_text(row, "ADD3"),
            address_line4=_text(row, "ADD4"),
            city=_text(row, "CTY1"),
            state=_text(row, "ADDS"),
            postal_code=_text(row, "ADDZ"),
            country=_text(row, "CTR"),
        )

    def email_from_jde(self, aggregate: JdeAggregate, line: int) -> str:
        """The first e-mail (F01151 of type ``email_type``, lowest RCK7) of a who's who line, lower-cased."""
        rows = [
            row
            for row in aggregate.all("F01151")
            if _int(row.get("IDLN")) == line and _text(row, "ETP") in (self.config.email_type, "")
        ]
        rows.sort(key=lambda r: _int(r.get("RCK7")))
        return _text(rows[0], "EMAL").lower() if rows else ""

    def phone_from_jde(self, aggregate: JdeAggregate, line: int, phone_type: str) -> str:
        """The first phone of a type (F0115, lowest RCK7) of a line: ``"<area code> <number>"``."""
        rows = [
            row
            for row in aggregate.all("F0115")
            if _int(row.get("IDLN")) == line and _text(row, "PHTP") == phone_type
        ]
        rows.sort(key=lambda r: _int(r.get("RCK7")))
        if not rows:
            return ""
        return " ".join(part for part in (_text(rows[0], "AR1"), _text(rows[0], "PH1")) if part)

    def _custom_from_jde(self, aggregate: JdeAggregate) -> dict[str, object]:
        return {
            field.name: _text(aggregate.first(field.jde_table), field.jde_column)
            for field in self.config.custom_fields_of(aggregate.entity)
        }

    # -- canonical -> Zoho -------------------------------------------------------------------------------

    def to_zoho(
        self, record: Canonical, *, fields: Collection[str] | None = None, context: MappingContext
    ) -> dict[str, object]:
        """Zoho field values for ``record`` (only those derived from ``fields`` when given)."""
        if isinstance(record, Customer):
            values, sources = self.customer_to_zoho(record, context), CUSTOMER_ZOHO
        elif isinstance(record, Supplier):
            values, sources = self.supplier_to_zoho(record, context), SUPPLIER_ZOHO
        else:
            values, sources = self.contact_to_zoho(record, context), CONTACT_ZOHO
        resolved = {self._zoho_name(name): origin for name, origin in sources.items() if name != "@currency"}
        if self.config.zoho_fields.currency:
            resolved[self.config.zoho_fields.currency] = ("currency",)
        for custom in self.config.custom_fields_of(record.entity):
            raw = str(record.extra.get(custom.name, "") or "")
            values[custom.zoho_field] = (
                custom.value_map.to_zoho(raw, field=custom.name) if custom.value_map else raw
            )
            resolved[custom.zoho_field] = (custom.name,)
        return select(values, resolved, fields)

    def customer_to_zoho(self, record: Customer, context: MappingContext) -> dict[str, object]:
        """:class:`Customer` -> Zoho Account values."""
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
        """:class:`Supplier` -> Zoho Vendor values."""
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
        """:class:`ContactPerson` -> Zoho Contact values (with the lookup to its Account or Vendor)."""
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
        """Address fields -> Zoho ``{prefix}Street`` (lines joined), City, State, Code, Country."""
        street = "\n".join(line for line in (getattr(record, name) for name in _ADDRESS_LINES) if line)
        code_field = f"{prefix}Code" if prefix else "Zip_Code"
        return {
            f"{prefix}Street": street,
            f"{prefix}City": record.city,
            f"{prefix}State": record.state,
            code_field: record.postal_code,
            f"{prefix}Country": self.country_to_zoho(record.country),
        }

    def country_to_zoho(self, code: str) -> str:
        """A JDE country code -> Zoho text (unmapped codes cross as they are)."""
        return self.config.countries.to_zoho(code) if code.upper() in self.config.countries.pairs else code

    def country_from_zoho(self, text: str) -> str:
        """Zoho country text -> JDE code; a short unmapped value is taken as a code.

        Raises:
            MappingError: The text is neither mapped nor a code of at most 3 letters.
        """
        text = text.strip()
        if len(text) <= 3:
            return text.upper()
        return self.config.countries.to_jde(text, field="country")

    # -- Zoho -> canonical -------------------------------------------------------------------------------

    def from_zoho(self, entity: Entity, record: ZohoRecord, *, context: MappingContext) -> Canonical:
        """Map a Zoho record to the canonical record of ``entity``."""
        values = record.values
        extra = {
            custom.name: (
                custom.value_map.to_jde(_text(values, custom.zoho_field), field=custom.name)
                if custom.value_map
                else _text(values, custom.zoho_field)
            )
            for custom in self.config.custom_fields_of(entity)
        }
        if entity is Entity.CUSTOMER:
            return attrs.evolve(self.customer_from_zoho(values), extra=extra)
        if entity is Entity.SUPPLIER:
            return attrs.evolve(self.supplier_from_zoho(values), extra=extra)
        return attrs.evolve(self.contact_from_zoho(values, context), extra=extra)

    def customer_from_zoho(self, values: Mapping[str, object]) -> Customer:
        """Zoho Account values -> :class:`Customer`."""
        config = self.config
        names = config.zoho_fields
        return Customer(
            name=_text(values, "Account_Name"),
            tax_id=_text(values, names.tax_id),
            email=_text(values, names.email).lower(),
            phone=_text(values, "Phone"),
            **self.address_from_zoho(values, "Billing_"),
            credit_limit=_decimal(values.get(names.credit_limit), "credit_limit"),
            payment_terms=config.payment_terms.to_jde(
                _text(values, names.payment_terms), field="payment_terms"
            ),
            currency=_text(values, names.currency) if names.currency else "",
            credit_hold=values.get(names.credit_hold) is True,
            category=config.customer_categories.to_jde(
                _text(values, names.customer_category), field="category"
            ),
        )

    def supplier_from_zoho(self, values: Mapping[str, object]) -> Supplier:
        """Zoho Vendor values -> :class:`Supplier`."""
        names = self.config.zoho_fields
        return Supplier(
            name=_text(values, "Vendor_Name"),
            tax_id=_text(values, names.tax_id),
            email=_text(values, "Email").lower(),
            phone=_text(values, "Phone"),
            **self.address_from_zoho(values, ""),
            currency=_text(values, names.currency) if names.currency else "",
            category=self.config.supplier_categories.to_jde(_text(values, "Category"), field="category"),
        )

    def contact_from_zoho(self, values: Mapping[str, object], context: MappingContext) -> ContactPerson:
        """Zoho Contact values -> :class:`ContactPerson` (its parent resolved through the links).

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
            first_name=_text(values, "First_Name"),
            last_name=_text(values, "Last_Name"),
            title=_text(values, "Title"),
            email=_text(values, "Email").lower(),
            phone=_text(values, "Phone"),
            mobile=_text(values, "Mobile"),
        )

    def address_from_zoho(self, values: Mapping[str, object], prefix: str) -> AddressFields:
        """Zoho street (split on newlines into up to 4 lines), city, state, code and country."""
        lines = [line.strip() for line in _text(values, f"{prefix}Street").splitlines() if line.strip()]
        if len(lines) > len(_ADDRESS_LINES):
            lines = [*lines[:3], " ".join(lines[3:])]
        lines += [""] * (len(_ADDRESS_LINES) - len(lines))
        code_field = f"{prefix}Code" if prefix else "Zip_Code"
        return AddressFields(
            address_line1=lines[0],
            address_line2=lines[1],
            address_line3=lines[2],
            address_line4=lines[3],
            city=_text(values, f"{prefix}City"),
            state=_text(values, f"{prefix}State"),
            postal_code=_text(values, code_field),
            country=self.country_from_zoho(_text(values, f"{prefix}Country")),
        )

    # -- canonical -> JDE orchestration inputs -----------------------------------------------------------

    def to_jde(
        self, record: Canonical, *, fields: Collection[str] | None = None, context: MappingContext
    ) -> dict[str, object]:
        """Orchestration inputs for ``record`` (only those derived from ``fields`` when given)."""
        if isinstance(record, Customer):
            values, sources = self.customer_to_jde(record), dict(CUSTOMER_INPUTS)
        elif isinstance(record, Supplier):
            values, sources = self.supplier_to_jde(record), dict(SUPPLIER_INPUTS)
        else:
            values, sources = self.contact_to_jde(record), dict(CONTACT_INPUTS)
        for custom in self.config.custom_fields_of(record.entity):
            values[custom.orchestration_input] = str(record.extra.get(custom.name, "") or "")
            sources[custom.orchestration_input] = (custom.name,)
        return select(values, sources, fields)

    def customer_to_jde(self, record: Customer) -> dict[str, object]:
        """:class:`Customer` -> inputs of the customer orchestrations."""
        return {
            **self._entity_inputs(record),
            "CreditLimit": record.credit_limit,
            "PaymentTerms": record.payment_terms,
            "Currency": record.currency,
            "HoldCode": self.config.credit_hold_code if record.credit_hold else "",
        }

    def supplier_to_jde(self, record: Supplier) -> dict[str, object]:
        """:class:`Supplier` -> inputs of the supplier orchestrations."""
        return {
            **self._entity_inputs(record),
            "PaymentTermsAP": record.payment_terms,
            "Currency": record.currency,
            "HoldPaymentCode": self.config.payment_hold_code if record.payment_hold else "",
        }

    def contact_to_jde(self, record: ContactPerson) -> dict[str, object]:
        """:class:`ContactPerson` -> inputs of the contact orchestrations."""
        area, number = self.phone_to_jde(record.phone)
        return {
            "AddressNumber": record.parent_address_number,
            "GivenName": record.first_name,
            "Surname": record.last_name,
            "ContactTitle": record.title,
            "Email": record.email,
            "PhoneAreaCode": area,
            "PhoneNumber": number,
            "MobileNumber": record.mobile,
        }

    def _entity_inputs(self, record: Customer | Supplier) -> dict[str, object]:
        area, number = self.phone_to_jde(record.phone)
        return {
            "AlphaName": record.name,
            "TaxId": record.tax_id,
            "CategoryCode01": record.category,
            "Email": record.email,
            "PhoneAreaCode": area,
            "PhoneNumber": number,
            "AddressLine1": record.address_line1,
            "AddressLine2": record.address_line2,
            "AddressLine3": record.address_line3,
            "AddressLine4": record.address_line4,
            "City": record.city,
            "State": record.state,
            "PostalCode": record.postal_code,
            "Country": record.country,
        }

    def phone_to_jde(self, phone: str) -> tuple[str, str]:
        """Split ``"312 555-0100"`` into area code and number.

        A leading group of digits becomes the area code; a number written without one goes whole into the
        number.
        """
        phone = phone.strip()
        head, sep, rest = phone.partition(" ")
        area = head.strip("()")
        if sep and rest and area.isdigit() and len(area) <= self.config.jde_lengths.get("phone_area", 6):
            return area, rest.strip()
        return "", phone

    # -- normalisation -----------------------------------------------------------------------------------

    def normalize(self, record: R, side: Side) -> R:
        """Return ``record`` as ``side`` stores it.

        Text is cut to the field's length, codes upper-cased, amounts rounded to the stored decimals, and
        fields the side does not store are left blank.
        """
        lengths = self.config.jde_lengths if side == "jde" else self.config.zoho_lengths
        changes: dict[str, object] = {}
        for name, value in record.values().items():
            if name in record.extra or not isinstance(value, str):
                continue
            text = value.upper() if side == "jde" and name in _CODE_FIELDS else value
            length = lengths.get(f"{record.entity}.{name}", lengths.get(name))
            if name == "email":
                text = text.lower()
            elif name == "phone":
                text = self._normalize_phone(text, side)
                length = None
            elif name == "mobile":
                # A mobile number goes whole into F0115.PH1 (no area code split).
                length = lengths.get("mobile" if side == "zoho" else "phone_number")
            elif name in _ADDRESS_LINES and side == "zoho":
                length = lengths.get("street")
            changes[name] = _cut(text, length)
        if isinstance(record, Customer) and record.credit_limit is not None:
            changes["credit_limit"] = record.credit_limit.quantize(
                _UNIT if side == "jde" else _CENT, ROUND_HALF_UP
            )
        if side == "zoho":
            changes.update(self._not_in_zoho(record))
        changes["extra"] = self._normalize_custom(record, side)
        return attrs.evolve(record, **cast("dict[str, Any]", changes))

    def _normalize_phone(self, phone: str, side: Side) -> str:
        if side == "zoho":
            return _cut(phone, self.config.zoho_lengths.get("phone"))
        area, number = self.phone_to_jde(phone)
        lengths = self.config.jde_lengths
        area, number = _cut(area, lengths.get("phone_area")), _cut(number, lengths.get("phone_number"))
        return " ".join(part for part in (area, number) if part)

    def _not_in_zoho(self, record: Canonical) -> dict[str, object]:
        """Blank the fields Zoho has no field for, so they never look changed on the Zoho side."""
        blank: dict[str, object] = {}
        if self.config.zoho_fields.currency is None and not isinstance(record, ContactPerson):
            blank["currency"] = ""
        if isinstance(record, Supplier):
            blank.update(payment_terms="", payment_hold=False)
        return blank

    def _normalize_custom(self, record: Canonical, side: Side) -> dict[str, object]:
        normalized = dict(record.extra)
        for custom in self.config.custom_fields_of(record.entity):
            value = normalized.get(custom.name)
            if isinstance(value, str):
                normalized[custom.name] = _cut(
                    value, custom.jde_length if side == "jde" else custom.zoho_length
                )
        return normalized


def _int(value: object) -> int:
    try:
        return int(str(value)) if value not in (None, "") else 0
    except ValueError:
        return 0
