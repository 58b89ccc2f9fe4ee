"""A custom mapper: a DefaultMapper subclass, a value map of your own and a custom field (JDE AC02 <-> Zoho).

    python examples/custom_mapper.py    # syncs JDE -> Zoho on the emulators and shows the result

With AIS_BASE_URL set it runs a dry run against your systems (which need the Zoho field Sales_Region).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from connect import systems

from jde_zoho_sdk.sync import (
    Customer,
    CustomField,
    DefaultMapper,
    Entity,
    MappingConfig,
    MappingContext,
    SqliteStateStore,
    SyncEngine,
    ValueMap,
)
from jde_zoho_sdk.testing.zoho import DEFAULT_PAYMENT_TERMS, ZohoField

# --8<-- [start:field]
SALES_REGION = CustomField(
    name="sales_region",  # the canonical name: diffed, merged and audited like a built-in field
    entity=Entity.CUSTOMER,
    jde_table="F0101",
    jde_column="AC02",  # category code 02 (UDC 01/02)
    orchestration_input="CategoryCode02",  # the input your create/update orchestrations take for it
    zoho_field="Sales_Region",
    jde_length=3,
    value_map=ValueMap(name="sales region", pairs={"NE": "Northeast", "MW": "Midwest", "WST": "West"}),
)

# The built-in payment terms plus a site code; the Zoho picklist must offer every value.
PAYMENT_TERMS = ValueMap(
    name="payment terms", pairs={**MappingConfig().payment_terms.pairs, "PRE": "Prepaid"}
)

MAPPING = MappingConfig(payment_terms=PAYMENT_TERMS, custom_fields=(SALES_REGION,))
# --8<-- [end:field]


# --8<-- [start:subclass]
class DistributorMapper(DefaultMapper):
    """The default mapping, plus: every account the sync creates in Zoho is of type "Customer"."""

    def customer_to_zoho(self, record: Customer, context: MappingContext) -> dict[str, object]:
        """Add ``Account_Type`` to the default values.

        A value with no canonical source is sent only when the whole record is written (a create), so
        a user who changes the type in Zoho later is not overruled.

        Args:
            record: The canonical customer.
            context: Links to other records, and the audit id of the write.

        Returns:
            The Zoho Account values.
        """
        values = super().customer_to_zoho(record, context)
        values["Account_Type"] = "Customer"
        return values


# --8<-- [end:subclass]


# The emulated org gets the custom field and the extra picklist value an admin would add in Zoho's setup.
EMULATED_FIELDS = {
    "Accounts": [
        ZohoField(
            api_name="Sales_Region",
            data_type="picklist",
            picklist=("Northeast", "Midwest", "West"),
            custom=True,
        )
    ]
}
EMULATED_TERMS = (*DEFAULT_PAYMENT_TERMS, "Prepaid")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the example.

    Args:
        argv: Command line arguments (none are taken).

    Returns:
        The exit status: 1 when records failed.
    """
    del argv
    with (
        systems(extra_zoho_fields=EMULATED_FIELDS, payment_terms=EMULATED_TERMS) as connected,
        tempfile.TemporaryDirectory() as scratch,
        SqliteStateStore(Path(scratch) / "sync.db") as store,
    ):
        engine = SyncEngine(
            ais=connected.ais, zoho=connected.zoho, store=store, mapper=DistributorMapper(MAPPING)
        )
        ais, zoho = connected.ais_emulator, connected.zoho_emulator
        if ais is None or zoho is None:  # your own systems: show what would be written, write nothing
            for change in engine.plan("jde_to_zoho").changes:
                print(change.entity, change.jde_key, [(c.field, c.new) for c in change.changes])
            return 0
        first, second = (int(str(row["AN8"])) for row in ais.tables.rows("F0101", AT1="C")[:2])
        ais.tables.update("F0101", {"AN8": first}, {"AC02": "NE"})
        ais.tables.update("F03012", {"AN8": second, "CO": "00000"}, {"TRAR": "PRE"})
        report = engine.run("jde_to_zoho")
        for account in zoho.records("Accounts"):
            if account.get("JDE_Address_Number") in (str(first), str(second)):
                print(
                    f"JDE {account['JDE_Address_Number']} -> {account['Account_Name']}: "
                    f"Sales_Region={account.get('Sales_Region')!r}, "
                    f"Payment_Terms={account.get('Payment_Terms')!r}, "
                    f"Account_Type={account.get('Account_Type')!r}"
                )
        print(f"{report.written} written, {report.failed} failed")
        return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
