"""The JDE half of the DefaultMapper: JDE rows -> canonical records -> orchestration inputs."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime
from typing import Final

from jde_zoho_sdk.sync._fields import CONTACT_INPUTS, CUSTOMER_INPUTS, SUPPLIER_INPUTS, select
from jde_zoho_sdk.sync._map_values import as_int, decimal, text
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
from jde_zoho_sdk.sync.protocols import MappingContext

__all__ = ["JdeMapping"]

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


class JdeMapping:
    """JDE rows <-> canonical records and orchestration inputs (a half of :class:`DefaultMapper`)."""

    config: MappingConfig

    def jde_columns(self, entity: Entity) -> Mapping[str, tuple[str, ...]]:
        """Columns to read per JDE table for ``entity`` (keys and UPMJ/UPMT included).

        Args:
            entity: The kind of record.

        Returns:
            Column aliases by table, custom fields' columns included.
        """
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

    # -- JDE -> canonical --------------------------------------------------------------------------------

    def from_jde(self, aggregate: JdeAggregate) -> Canonical:
        """Map JDE rows to the canonical record of their entity.

        Args:
            aggregate: The record's rows, by table.

        Returns:
            The canonical record.

        Raises:
            MappingError: A value cannot be read.
        """
        if aggregate.entity is Entity.CUSTOMER:
            return self.customer_from_jde(aggregate)
        if aggregate.entity is Entity.SUPPLIER:
            return self.supplier_from_jde(aggregate)
        return self.contact_from_jde(aggregate)

    def customer_from_jde(self, aggregate: JdeAggregate) -> Customer:
        """F0101 + F03012 + F0116 + F01151 + F0115 -> :class:`Customer`.

        Args:
            aggregate: The customer's rows.
        """
        master = aggregate.first("F0101")
        terms = aggregate.first("F03012")
        return Customer(
            name=text(master, "ALPH"),
            tax_id=text(master, "TAX"),
            category=text(master, "AC01"),
            email=self.email_from_jde(aggregate, 0),
            phone=self.phone_from_jde(aggregate, 0, ""),
            **self.address_from_jde(aggregate),
            credit_limit=decimal(terms.get("ACL") if terms else None, "credit_limit"),
            payment_terms=text(terms, "TRAR"),
            currency=text(terms, "CRCD"),
            credit_hold=bool(text(terms, "HOLD")),
            extra=self._custom_from_jde(aggregate),
        )

    def supplier_from_jde(self, aggregate: JdeAggregate) -> Supplier:
        """F0101 + F0401 + F0116 + F01151 + F0115 -> :class:`Supplier`.

        Args:
            aggregate: The supplier's rows.
        """
        master = aggregate.first("F0101")
        terms = aggregate.first("F0401")
        return Supplier(
            name=text(master, "ALPH"),
            tax_id=text(master, "TAX"),
            category=text(master, "AC01"),
            email=self.email_from_jde(aggregate, 0),
            phone=self.phone_from_jde(aggregate, 0, ""),
            **self.address_from_jde(aggregate),
            payment_terms=text(terms, "TRAP"),
            currency=text(terms, "CRRP"),
            payment_hold=text(terms, "HDPY") not in ("", "N"),
            extra=self._custom_from_jde(aggregate),
        )

    def contact_from_jde(self, aggregate: JdeAggregate) -> ContactPerson:
        """F0111 (who's who line) + F01151 + F0115 of that line -> :class:`ContactPerson`.

        Args:
            aggregate: The contact's rows (its line, and its parent's address number).
        """
        line = aggregate.first("F0111")
        last_name = text(line, "SRNM") or text(line, "MLNM")
        return ContactPerson(
            parent_address_number=aggregate.address_number,
            first_name=text(line, "GNNM"),
            last_name=last_name,
            title=text(line, "ATTL"),
            email=self.email_from_jde(aggregate, aggregate.line_number),
            phone=self.phone_from_jde(aggregate, aggregate.line_number, ""),
            mobile=self.phone_from_jde(aggregate, aggregate.line_number, self.config.mobile_phone_type),
            extra=self._custom_from_jde(aggregate),
        )

    def today(self) -> date:
        """Today, for choosing the address in force (override to pin it, or to use the JDE server's zone)."""
        return datetime.now(UTC).date()

    def address_from_jde(self, aggregate: JdeAggregate) -> AddressFields:
        """The F0116 address in force (the latest effective date not after today) as canonical fields.

        Args:
            aggregate: The record's rows.
        """
        rows = aggregate.all("F0116")
        today = self.today()

        def effective(row: Mapping[str, object]) -> date:
            day = row.get("EFTB")
            return day if isinstance(day, date) else date.min

        in_force = [row for row in rows if effective(row) <= today] or list(rows)
        row = max(in_force, key=effective) if in_force else None
        return AddressFields(
            address_line1=text(row, "ADD1"),
            address_line2=text(row, "ADD2"),
            address_line3=text(row, "ADD3"),
            address_line4=text(row, "ADD4"),
            city=text(row, "CTY1"),
            state=text(row, "ADDS"),
            postal_code=text(row, "ADDZ"),
            country=text(row, "CTR"),
        )

    def email_from_jde(self, aggregate: JdeAggregate, line: int) -> str:
        """The first e-mail (F01151 of type ``email_type``, lowest RCK7) of a who's who line, lower-cased.

        Args:
            aggregate: The record's rows.
            line: The who's who line (0 for the entity itself).
        """
        rows = [
            row
            for row in aggregate.all("F01151")
            if as_int(row.get("IDLN")) == line and text(row, "ETP") in (self.config.email_type, "")
        ]
        rows.sort(key=lambda r: as_int(r.get("RCK7")))
        return text(rows[0], "EMAL").lower() if rows else ""

    def phone_from_jde(self, aggregate: JdeAggregate, line: int, phone_type: str) -> str:
        """The first phone of a type (F0115, lowest RCK7) of a line: ``"<area code> <number>"``.

        Args:
            aggregate: The record's rows.
            line: The who's who line (0 for the entity itself).
            phone_type: The F0115 phone type (``""`` business, ``"CAR"`` mobile...).
        """
        rows = [
            row
            for row in aggregate.all("F0115")
            if as_int(row.get("IDLN")) == line and text(row, "PHTP") == phone_type
        ]
        rows.sort(key=lambda r: as_int(r.get("RCK7")))
        if not rows:
            return ""
        return " ".join(part for part in (text(rows[0], "AR1"), text(rows[0], "PH1")) if part)

    def _custom_from_jde(self, aggregate: JdeAggregate) -> dict[str, object]:
        return {
            field.name: text(aggregate.first(field.jde_table), field.jde_column)
            for field in self.config.custom_fields_of(aggregate.entity)
        }

    # -- canonical -> JDE orchestration inputs -----------------------------------------------------------

    def to_jde(
        self, record: Canonical, *, fields: Collection[str] | None = None, context: MappingContext
    ) -> dict[str, object]:
        """Orchestration inputs for ``record`` (only those derived from ``fields`` when given).

        Args:
            record: The canonical record.
            fields: The canonical fields that changed (None: all inputs, as for a create).
            context: Links to other records, and the audit id of the write.

        Returns:
            Input name -> value.
        """
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
        """:class:`Customer` -> inputs of the customer orchestrations.

        Args:
            record: The canonical customer.
        """
        return {
            **self._entity_inputs(record),
            "CreditLimit": record.credit_limit,
            "PaymentTerms": record.payment_terms,
            "Currency": record.currency,
            "HoldCode": self.config.credit_hold_code if record.credit_hold else "",
        }

    def supplier_to_jde(self, record: Supplier) -> dict[str, object]:
        """:class:`Supplier` -> inputs of the supplier orchestrations.

        Args:
            record: The canonical supplier.
        """
        return {
            **self._entity_inputs(record),
            "PaymentTermsAP": record.payment_terms,
            "Currency": record.currency,
            "HoldPaymentCode": self.config.payment_hold_code if record.payment_hold else "",
        }

    def contact_to_jde(self, record: ContactPerson) -> dict[str, object]:
        """:class:`ContactPerson` -> inputs of the contact orchestrations.

        Args:
            record: The canonical contact.
        """
        area, number = self.phone_to_jde(record.phone)
        # Read as "<AR1> <PH1>" like the phone, so written back split the same way: sent whole into PH1,
        # an area code JDE held in AR1 came back doubled.
        mobile_area, mobile_number = self.phone_to_jde(record.mobile)
        return {
            "AddressNumber": record.parent_address_number,
            "GivenName": record.first_name,
            "Surname": record.last_name,
            "ContactTitle": record.title,
            "Email": record.email,
            "PhoneAreaCode": area,
            "PhoneNumber": number,
            "MobileAreaCode": mobile_area,
            "MobileNumber": mobile_number,
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

        A leading group of digits becomes the area code (``+44`` and ``(312)`` too: JDE users keep an
        international code in AR1); a number written without one goes whole into the number.

        Args:
            phone: The canonical phone number.

        Returns:
            (area code, number).
        """
        phone = phone.strip()
        head, sep, rest = phone.partition(" ")
        area = head.strip("()")
        digits = area.removeprefix("+")
        if sep and rest and digits.isdigit() and len(area) <= self.config.jde_lengths.get("phone_area", 6):
            return area, rest.strip()
        return "", phone
