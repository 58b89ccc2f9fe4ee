"""SyncConfig: what the engine syncs, through which orchestrations, with which policies and limits."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Final

import attrs

from jde_zoho_sdk.errors import ConfigError
from jde_zoho_sdk.sync.merge import FieldPolicy
from jde_zoho_sdk.sync.model import Entity

__all__ = ["DEFAULT_POLICIES", "OrchestrationNames", "SyncConfig"]


@attrs.frozen(kw_only=True)
class OrchestrationNames:
    """The JDE orchestrations the engine calls (see "The JD Edwards orchestrations the sync calls").

    Attributes:
        create_customer: Creates F0101 + F03012 (+ address, e-mail, phone) from a Zoho Account.
        update_customer: Updates a customer's fields.
        create_contact: Creates a who's who line (+ e-mail, phones) from a Zoho Contact.
        update_contact: Updates a who's who line.
        create_supplier: Creates F0101 + F0401 (+ address, e-mail, phone) from a Zoho Vendor.
        update_supplier: Updates a supplier's fields.
        flag_deleted: Optional: marks a JDE record whose Zoho twin was deleted (nothing is deleted in JDE).
    """

    create_customer: str = "JZ_CreateCustomer"
    update_customer: str = "JZ_UpdateCustomer"
    create_contact: str = "JZ_CreateContact"
    update_contact: str = "JZ_UpdateContact"
    create_supplier: str = "JZ_CreateSupplier"
    update_supplier: str = "JZ_UpdateSupplier"
    flag_deleted: str | None = None

    def create(self, entity: Entity) -> str:
        """The create orchestration of ``entity``.

        Args:
            entity: The kind of record.
        """
        return {
            Entity.CUSTOMER: self.create_customer,
            Entity.CONTACT: self.create_contact,
            Entity.SUPPLIER: self.create_supplier,
        }[entity]

    def update(self, entity: Entity) -> str:
        """The update orchestration of ``entity``.

        Args:
            entity: The kind of record.
        """
        return {
            Entity.CUSTOMER: self.update_customer,
            Entity.CONTACT: self.update_contact,
            Entity.SUPPLIER: self.update_supplier,
        }[entity]


DEFAULT_POLICIES: Final[Mapping[str, FieldPolicy]] = MappingProxyType(
    {
        # Financial master data belongs to JDE: in a conflict its value wins.
        "credit_limit": FieldPolicy.JDE_WINS,
        "payment_terms": FieldPolicy.JDE_WINS,
        "credit_hold": FieldPolicy.JDE_WINS,
        "payment_hold": FieldPolicy.JDE_WINS,
        "category": FieldPolicy.JDE_WINS,
        "tax_id": FieldPolicy.JDE_WINS,
        "currency": FieldPolicy.JDE_WINS,
    }
)
"""Field -> policy by default; every other field is :attr:`FieldPolicy.NEWEST_WINS`."""


_ENTITY_NAMES: Final = ", ".join(entity.value for entity in Entity)
_POLICY_NAMES: Final = ", ".join(policy.value for policy in FieldPolicy)


def _refused(name: str, message: str) -> ConfigError:
    return ConfigError(message, path=f"SyncConfig.{name}")


def _policy(name: str, value: FieldPolicy | str) -> FieldPolicy:
    try:
        return FieldPolicy(value)
    except ValueError:
        raise _refused(name, f"expected one of {_POLICY_NAMES}, got {value!r}") from None


def _read_only_policies(value: Mapping[str, FieldPolicy]) -> Mapping[str, FieldPolicy]:
    policies: dict[str, FieldPolicy] = {}
    for name, policy in value.items():
        entity, dot, field = str(name).rpartition(".")
        if not field or (dot and entity not in {e.value for e in Entity}):
            raise _refused(
                f"policies[{name!r}]",
                f"expected a canonical field (credit_limit) or entity.field (supplier.payment_terms) with an "
                f"entity among {_ENTITY_NAMES}",
            )
        policies[name] = _policy(f"policies[{name!r}]", policy)
    return MappingProxyType(policies)


def _default_policy(value: FieldPolicy | str) -> FieldPolicy:
    return _policy("default_policy", value)


def _entities(value: Collection[Entity | str]) -> frozenset[Entity]:
    if isinstance(value, str):
        raise _refused("entities", f"expected a collection of entities, got the text {value!r}")
    try:
        entities = frozenset(Entity(entity) for entity in value)
    except ValueError as bad:
        raise _refused("entities", f"{bad}: expected entities among {_ENTITY_NAMES}") from None
    if not entities:
        raise _refused("entities", f"expected at least one of {_ENTITY_NAMES}")
    return entities


def _codes(name: str, value: Collection[object]) -> tuple[str, ...]:
    # A plain "CV" would silently mean the types "C" and "V".
    if isinstance(value, str) or not all(isinstance(code, str) and code.strip() for code in value):
        raise _refused(name, f"expected F0101.AT1 codes as a tuple of texts, such as ('C',), got {value!r}")
    if not value:
        raise _refused(name, "expected at least one F0101.AT1 code, such as C or V")
    return tuple(str(code).strip() for code in value)


def _customer_types(value: Collection[object]) -> tuple[str, ...]:
    return _codes("customer_search_types", value)


def _supplier_types(value: Collection[object]) -> tuple[str, ...]:
    return _codes("supplier_search_types", value)


def _positive(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise _refused(attribute.name, f"must be at least 1, got {value}")


def _not_blank(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise _refused(attribute.name, "must not be blank")


def _not_negative(_instance: object, attribute: attrs.Attribute[timedelta], value: timedelta) -> None:
    if value < timedelta(0):
        raise _refused(attribute.name, f"must not be negative, got {value}")


def _lease(_instance: object, attribute: attrs.Attribute[timedelta], value: timedelta) -> None:
    # The heartbeat renews the lock every third of the lease: a lease of seconds would race it.
    if value < timedelta(seconds=15):
        raise _refused(attribute.name, f"must be at least 15 seconds, got {value}")


def _budget(_instance: object, attribute: attrs.Attribute[int | None], value: int | None) -> None:
    if value is not None and value < 1:
        raise _refused(attribute.name, f"must be at least 1 credit (or None for no budget), got {value}")


@attrs.frozen(kw_only=True)
class SyncConfig:
    """Everything about a sync that is not mapping.

    Attributes:
        entities: The entities to sync.
        orchestrations: The JDE orchestration names.
        company: The JDE company whose customer master (F03012) terms are synced.
        customer_search_types: F0101.AT1 values that make an address book record a customer.
        supplier_search_types: F0101.AT1 values that make it a supplier.
        policies: Field -> owner policy (``"credit_limit"``, or ``"supplier.payment_terms"`` for one entity);
            unnamed fields use ``default_policy``.
        default_policy: The policy of fields not in ``policies``.
        overlap: How far before the high-water mark each poll starts again; covers same-second updates,
            clock skew and the repeated hour at the autumn clock change (re-read rows are recognised as
            unchanged and not written again).
        jde_page_size: Rows per AIS data service page.
        batch_size: Records processed (mapped, written, checkpointed) together.
        jde_concurrency: Orchestration calls in flight at once.
        zoho_credit_budget: Most Zoho API credits one run may spend (None: no budget).
        lock_lease: How long the run lock holds without renewal (a heartbeat renews it every third of
            it); a run killed on another host frees the lock after it.
        create_contacts_without_email: Whether JDE who's who lines without an e-mail become Zoho Contacts.
        flag_zoho_on_jde_delete: Whether ``reconcile`` marks the Zoho twin of a record deleted in JDE.
        jde_emails_any_case: Whether a Zoho record finds its JDE twin by an e-mail JDE holds in another
            letter case (``Orders@Acme.example``). AIS compares text as the JDE database does, case
            sensitively on Oracle and DB2; so a run that looks for twins by e-mail reads the address book's
            e-mails (F01151, line 0) once, a page per ``jde_page_size`` of them. Turn it off when JDE's
            e-mails are all lower case or its database compares case-insensitively (SQL Server's default
            collation): twins are then found by the e-mail as Zoho spells it, lower-cased.
        queue_batch: Queued notification ids claimed at a time.

    Example:
        >>> config = SyncConfig(company="00100", entities=frozenset({Entity.CUSTOMER}))
    """

    entities: frozenset[Entity] = attrs.field(default=frozenset(Entity), converter=_entities)
    orchestrations: OrchestrationNames = OrchestrationNames()
    company: str = attrs.field(default="00000", validator=_not_blank)
    customer_search_types: tuple[str, ...] = attrs.field(default=("C",), converter=_customer_types)
    supplier_search_types: tuple[str, ...] = attrs.field(default=("V",), converter=_supplier_types)
    policies: Mapping[str, FieldPolicy] = attrs.field(default=DEFAULT_POLICIES, converter=_read_only_policies)
    default_policy: FieldPolicy = attrs.field(default=FieldPolicy.NEWEST_WINS, converter=_default_policy)
    overlap: timedelta = attrs.field(default=timedelta(minutes=5), validator=_not_negative)
    jde_page_size: int = attrs.field(default=500, validator=_positive)
    batch_size: int = attrs.field(default=200, validator=_positive)
    jde_concurrency: int = attrs.field(default=1, validator=_positive)
    zoho_credit_budget: int | None = attrs.field(default=None, validator=_budget)
    lock_lease: timedelta = attrs.field(default=timedelta(minutes=2), validator=_lease)
    create_contacts_without_email: bool = False
    flag_zoho_on_jde_delete: bool = False
    jde_emails_any_case: bool = True
    queue_batch: int = attrs.field(default=500, validator=_positive)

    def __attrs_post_init__(self) -> None:
        both = set(self.customer_search_types) & set(self.supplier_search_types)
        if both:
            raise _refused(
                "supplier_search_types",
                f"{sorted(both)} also in customer_search_types: a record would be a customer and a supplier",
            )

    def policy(self, entity: Entity, field: str) -> FieldPolicy:
        """The owner policy of ``field`` of ``entity``.

        Args:
            entity: The kind of record.
            field: The canonical field.

        Returns:
            The policy named for ``entity.field``, else for ``field``, else the default policy.
        """
        return self.policies.get(f"{entity}.{field}") or self.policies.get(field) or self.default_policy
