"""Edits made between runs, as users would make them: 1% of the linked records on each side, disjoint."""

from __future__ import annotations

from decimal import Decimal

import attrs

from bench._world import World
from jde_zoho_sdk.sync.model import Entity, Link, split_contact_key
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore

__all__ = ["ChangeSet", "change_both_sides"]


@attrs.frozen
class ChangeSet:
    """How many records were edited on each side.

    Attributes:
        jde_customers: Customers whose credit limit (F03012.ACL) changed in JDE.
        jde_contacts: Contacts whose title (F0111.ATTL) changed in JDE.
        zoho_accounts: Accounts whose phone changed in Zoho.
        zoho_contacts: Contacts whose title changed in Zoho.
    """

    jde_customers: int
    jde_contacts: int
    zoho_accounts: int
    zoho_contacts: int

    @property
    def jde(self) -> int:
        """Records edited in JDE."""
        return self.jde_customers + self.jde_contacts

    @property
    def zoho(self) -> int:
        """Records edited in Zoho."""
        return self.zoho_accounts + self.zoho_contacts


def _links(store: SqliteStateStore, entity: Entity) -> list[Link]:
    links: list[Link] = []
    while page := store.page_links(entity, after_jde_key=links[-1].jde_key if links else "", limit=5000):
        links += page
    return [link for link in links if not link.deleted]


def change_both_sides(world: World, store: SqliteStateStore, *, every: int = 100) -> ChangeSet:
    """Edit one linked record in ``every`` on each side (JDE: offset 0; Zoho: offset ``every // 2``)."""
    customers, contacts = _links(store, Entity.CUSTOMER), _links(store, Entity.CONTACT)
    tables, zoho = world.ais.tables, world.zoho
    jde_customers = customers[::every]
    for link in jde_customers:
        key = {"AN8": int(link.jde_key), "CO": "00000"}
        row = tables.get("F03012", key)
        if row is None:  # a Zoho-born customer created for another company has no terms row here
            continue
        tables.update("F03012", key, {"ACL": Decimal(str(row["ACL"])) + 500})
    jde_contacts = contacts[::every]
    for link in jde_contacts:
        number, line = split_contact_key(link.jde_key)
        tables.update("F0111", {"AN8": number, "IDLN": line}, {"ATTL": "Category Manager"})
    zoho_accounts = customers[every // 2 :: every]
    for index, link in enumerate(zoho_accounts):
        zoho.update("Accounts", link.zoho_id, {"Phone": f"414 555-{index % 10_000:04d}"})
    zoho_contacts = contacts[every // 2 :: every]
    for link in zoho_contacts:
        zoho.update("Contacts", link.zoho_id, {"Title": "Head of Purchasing"})
    return ChangeSet(len(jde_customers), len(jde_contacts), len(zoho_accounts), len(zoho_contacts))
