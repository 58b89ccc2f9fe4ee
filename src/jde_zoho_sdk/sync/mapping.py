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

import functools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Final, TypeVar

import attrs

from jde_zoho_sdk.sync._map_jde import JdeMapping
from jde_zoho_sdk.sync._map_values import ADDRESS_LINES, cut
from jde_zoho_sdk.sync._map_zoho import UnlinkedParentError, ZohoMapping
from jde_zoho_sdk.sync.mapping_config import MappingConfig
from jde_zoho_sdk.sync.model import Canonical, ContactPerson, Customer, Supplier, _replace_fields

if TYPE_CHECKING:
    from jde_zoho_sdk.sync.merge import Side

__all__ = ["DefaultMapper", "UnlinkedParentError"]

R = TypeVar("R", bound=Canonical)

_CODE_FIELDS: Final = frozenset({"payment_terms", "currency", "category", "state", "country"})
_CENT: Final = Decimal("0.01")
_UNIT: Final = Decimal(1)


@attrs.frozen
class _Plan:
    """One record class's normalisation on one side, under one mapping config.

    Attributes:
        config: The config it was worked out for (a mapper given another config works it out again).
        texts: Each built-in field's name, length (None: not cut) and what is done to its text before it is
            cut (None: nothing).
        rounding: The credit limit's rounding step (None: the class has no credit limit).
        blanks: Fields the side does not store, with the blank they are held as.
        custom: Whether the entity has custom fields.
        packs_lines: Whether blank address lines close up (Zoho keeps one street text: a blank line
            between two others does not survive it).
    """

    config: MappingConfig
    texts: tuple[tuple[str, int | None, Callable[[str], str] | None], ...]
    rounding: Decimal | None
    blanks: tuple[tuple[str, object], ...]
    custom: bool
    packs_lines: bool = False


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
        plan = self._plan(record, side)
        extra = record.extra
        changes: dict[str, object] = {}
        for name, length, transform in plan.texts:
            value = getattr(record, name)
            if not isinstance(value, str) or name in extra:
                continue
            text = (transform(value) if transform is not None else value).strip()
            if length is not None:
                text = text[:length].rstrip()
            if text != value:
                changes[name] = text
        if plan.packs_lines:
            lines = [changes.get(name, getattr(record, name)) for name in ADDRESS_LINES]
            packed = [line for line in lines if line]
            packed += [""] * (len(lines) - len(packed))
            if packed != lines:
                changes.update(zip(ADDRESS_LINES, packed, strict=True))
        if plan.rounding is not None:
            limit = getattr(record, "credit_limit", None)
            if limit is not None:
                amount = limit.quantize(plan.rounding, ROUND_HALF_UP)
                if amount.as_tuple() != limit.as_tuple():
                    changes["credit_limit"] = amount
        changes.update((name, blank) for name, blank in plan.blanks if getattr(record, name) != blank)
        if extra or plan.custom:
            custom = self._normalize_custom(record, side)
            if custom != extra:
                changes["extra"] = custom
        return _replace_fields(record, changes) if changes else record

    def _plan(self, record: Canonical, side: Side) -> _Plan:
        """What :meth:`normalize` does to each field of ``record``'s class on ``side``, worked out once.

        Every diff and merge normalises (three times per record read, on average): the field table saves
        looking up lengths, kinds and blanks per field and per call.
        """
        config, cls = self.config, type(record)
        memo: dict[tuple[type, Side], _Plan] = self.__dict__.setdefault("_plan_memo", {})
        plan = memo.get((cls, side))
        if plan is None or plan.config is not config:
            plan = memo[(cls, side)] = self._make_plan(cls, side)
        return plan

    def _make_plan(self, cls: type[Canonical], side: Side) -> _Plan:
        entity = cls.entity
        lengths = self.config.jde_lengths if side == "jde" else self.config.zoho_lengths
        names = [a.name for a in attrs.fields(cls) if a.name != "extra"]
        found = {name: lengths.get(f"{entity}.{name}", lengths.get(name)) for name in names}
        # Zoho has one street length.
        if side == "zoho":
            found.update(dict.fromkeys(ADDRESS_LINES, lengths.get("street")))
        texts: list[tuple[str, int | None, Callable[[str], str] | None]] = []
        for name in names:
            transform: Callable[[str], str] | None = None
            length = found.get(name)
            if name == "email":
                transform = str.lower
            elif name in ("phone", "mobile"):
                # A phone is cut part by part (area code, number) as the side stores it, never as a whole.
                transform = functools.partial(self._normalize_phone, side=side, zoho_field=name)
                length = None
            elif side == "jde" and name in _CODE_FIELDS:
                transform = str.upper
            texts.append((name, length, transform))
        blanks = tuple(self._not_in_zoho(cls).items()) if side == "zoho" else ()
        return _Plan(
            config=self.config,
            texts=tuple(texts),
            rounding=(_UNIT if side == "jde" else _CENT) if issubclass(cls, Customer) else None,
            blanks=blanks,
            custom=bool(self.config.custom_fields_of(entity)),
            packs_lines=side == "zoho" and not issubclass(cls, ContactPerson),
        )

    def _normalize_phone(self, phone: str, side: Side, zoho_field: str = "phone") -> str:
        if side == "zoho":
            return cut(phone, self.config.zoho_lengths.get(zoho_field))
        area, number = self.phone_to_jde(phone)
        lengths = self.config.jde_lengths
        area, number = cut(area, lengths.get("phone_area")), cut(number, lengths.get("phone_number"))
        return " ".join(part for part in (area, number) if part)

    def _not_in_zoho(self, cls: type[Canonical]) -> dict[str, object]:
        """Blank the fields Zoho has no field for, so they never look changed on the Zoho side."""
        blank: dict[str, object] = {}
        if self.config.zoho_fields.currency is None and not issubclass(cls, ContactPerson):
            blank["currency"] = ""
        if issubclass(cls, Supplier):
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
