"""Whether a run left anything unsynced: records on either side without a link to the other."""

from __future__ import annotations

from bench._world import World
from jde_zoho_sdk.sync.model import Entity
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore

__all__ = ["unsynced"]

_KEYS = {"Accounts": "JDE_Address_Number", "Vendors": "JDE_Address_Number", "Contacts": "JDE_Contact_Key"}


def unsynced(world: World, store: SqliteStateStore) -> dict[str, int]:
    """Zoho records without their JDE key, and JDE customers and suppliers without a link, by kind."""
    missing = {
        module: sum(1 for r in world.zoho.records(module) if not r.get(key)) for module, key in _KEYS.items()
    }
    for entity, kind in ((Entity.CUSTOMER, "C"), (Entity.SUPPLIER, "V")):
        numbers = [str(row["AN8"]) for row in world.ais.tables.rows("F0101", AT1=kind)]
        linked = store.get_links_by_jde(entity, numbers)
        missing[f"JDE {entity}"] = len(numbers) - len(linked)
    return missing
