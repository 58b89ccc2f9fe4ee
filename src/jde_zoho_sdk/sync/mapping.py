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

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import attrs

from jde_zoho_sdk.sync._map_jde import JdeMapping
from jde_zoho_sdk.sync._map_values import ADDRESS_LINES, cut
from jde_zoho_sdk.sync._map_zoho import UnlinkedParentError, ZohoMapping
from jde_zoho_sdk.sync.mapping_config import MappingConfig
from jde_zoho_sdk.sync.model import Canonical, ContactPerson, Customer, Entity, Supplier

if TYPE_CHECKING:
    from jde_zoho_sdk.sync.merge import Side

__all__ = ["DefaultMapper", "UnlinkedParentError"]

R = TypeVar("R", bound=Canonical)

_CODE_FIELDS: Final = frozenset({"payment_terms", "currency", "category", "state", "country"})
_CENT: Final = Decimal("0.01")
_UNIT: Final = Decimal(1)


class DefaultMapper(JdeMapping, ZohoMapping):
    """The standard mapping of customers, contacts and suppliers (see the field tables in the docs).

    Its JDE half (:class:`~jde_zoho_sdk.sync._map_jde.JdeMapping`) and Zoho half
    (:class:`~jde_zoho_sdk.sync._map_zoho.ZohoMapping`) hold one small overridable method per field group.

    Args:
        config: Value maps, Zoho field names, lengths and custom fields.
    """

    def __init__(self, config: MappingConfig | None = None) -> None:
        self.config = config or MappingConfig()

    # -- normalisation -----------------------------------------------------------------------------------

    def normalize(self, record: R, side: Side) -> R:
        """Return ``record`` as ``side`` stores it.

        Text is cut to the field's length, codes upper-cased, amounts rounded to the stored decimals, and
        fields the side does not store are left blank. A record already as ``side`` stores it is returned
        as it is (every diff and merge normalises, and most records need nothing).

        Args:
            record: The canonical record.
            side: ``"jde"`` or ``"zoho"``.

        Returns:
            The normalised record (of the same type).
        """
        extra = record.extra
        lengths = self._lengths(side, record)
        changes: dict[str, object] = {}
        for name, value in record.values().items():
            if name in extra or not isinstance(value, str):
                continue
            text = value.upper() if side == "jde" and name in _CODE_FIELDS else value
            length = lengths.get(name)
            if name == "email":
                text = text.lower()
            elif name == "phone":
                text = self._normalize_phone(text, side)
                length = None
            text = cut(text, length)
            if text != value:
                changes[name] = text
        if isinstance(record, Customer) and record.credit_limit is not None:
            amount = record.credit_limit.quantize(_UNIT if side == "jde" else _CENT, ROUND_HALF_UP)
            if amount.as_tuple() != record.credit_limit.as_tuple():
                changes["credit_limit"] = amount
        if side == "zoho":
            changes.update(
                (name, blank)
                for name, blank in self._not_in_zoho(record).items()
                if getattr(record, name) != blank
            )
        if extra or self.config.custom_fields_of(record.entity):
            custom = self._normalize_custom(record, side)
            if custom != extra:
                changes["extra"] = custom
        return attrs.evolve(record, **cast("dict[str, Any]", changes)) if changes else record

    def _lengths(self, side: Side, record: Canonical) -> Mapping[str, int | None]:
        """Each field's length on ``side`` for ``record``'s entity (its own length first), worked out once."""
        lengths = self.config.jde_lengths if side == "jde" else self.config.zoho_lengths
        entity = record.entity
        memo: dict[tuple[int, Entity], dict[str, int | None]] = self.__dict__.setdefault("_length_memo", {})
        found = memo.get((id(lengths), entity))
        if found is None:
            found = {name: lengths.get(f"{entity}.{name}", lengths.get(name)) for name in record.values()}
            # A mobile number goes whole into F0115.PH1 (no area code split); Zoho has one street length.
            found["mobile"] = lengths.get("mobile" if side == "zoho" else "phone_number")
            if side == "zoho":
                found.update(dict.fromkeys(ADDRESS_LINES, lengths.get("street")))
            memo[(id(lengths), entity)] = found
        return found

    def _normalize_phone(self, phone: str, side: Side) -> str:
        if side == "zoho":
            return cut(phone, self.config.zoho_lengths.get("phone"))
        area, number = self.phone_to_jde(phone)
        lengths = self.config.jde_lengths
        area, number = cut(area, lengths.get("phone_area")), cut(number, lengths.get("phone_number"))
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
                normalized[custom.name] = cut(
                    value, custom.jde_length if side == "jde" else custom.zoho_length
                )
        return normalized
