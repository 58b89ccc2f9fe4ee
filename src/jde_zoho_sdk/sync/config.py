"""SyncConfig: what the engine syncs, through which orchestrations, with which policies and limits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Final

import attrs

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


def _read_only_policies(value: Mapping[str, FieldPolicy]) -> Mapping[str, FieldPolicy]:
    return MappingProxyType({name: FieldPolicy(policy) for name, policy in value.items()})


def _positive(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"SyncConfig.{attribute.name} must be at least 1, got {value}")


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
        queue_batch: Queued notification ids claimed at a time.

    Example:
        >>> config = SyncConfig(company="00100", entities=frozenset({Entity.CUSTOMER}))
    """

    entities: frozenset[Entity] = frozenset(Entity)
    orchestrations: OrchestrationNames = OrchestrationNames()
    company: str = "00000"
    customer_search_types: tuple[str, ...] = ("C",)
    supplier_search_types: tuple[str, ...] = ("V",)
    policies: Mapping[str, FieldPolicy] = attrs.field(default=DEFAULT_POLICIES, converter=_read_only_policies)
    default_policy: FieldPolicy = FieldPolicy.NEWEST_WINS
    overlap: timedelta = timedelta(minutes=5)
    jde_page_size: int = attrs.field(default=500, validator=_positive)
    batch_size: int = attrs.field(default=200, validator=_positive)
    jde_concurrency: int = attrs.field(default=1, validator=_positive)
    zoho_credit_budget: int | None = None
    lock_lease: timedelta = timedelta(minutes=2)
    create_contacts_without_email: bool = False
    flag_zoho_on_jde_delete: bool = False
    queue_batch: int = attrs.field(default=500, validator=_positive)

    def policy(self, entity: Entity, field: str) -> FieldPolicy:
        """The owner policy of ``field`` of ``entity``.

        Args:
            entity: The kind of record.
            field: The canonical field.

        Returns:
            The policy named for ``entity.field``, else for ``field``, else the default policy.
        """
        return self.policies.get(f"{entity}.{field}") or self.policies.get(field) or self.default_policy
