"""Use ZohoClient on its own: field metadata, incremental reads, typed records, search, upserts, credits.

    python examples/zoho_alone.py    # against the Zoho emulator; with AIS_BASE_URL set, your org

Against your own org it only reads: the upserts run on the emulator alone.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from connect import systems

from jde_zoho_sdk.zoho import Account, CreditBudgetExceededError, ZohoClient, criterion

DUPLICATE_CHECK = ["JDE_Address_Number", "Tax_ID", "Email"]
"""The unique fields an Accounts upsert matches on, in order (the sync's defaults)."""


# --8<-- [start:read]
def read(zoho: ZohoClient) -> None:
    """Read metadata and records."""
    fields = zoho.fields("Accounts")
    unique = sorted(meta.api_name for meta in fields if meta.is_unique)
    print(f"Accounts has {len(fields)} fields; unique: {', '.join(unique)}")

    # Every account changed in the last day, oldest first; pages (and page tokens) are followed for you.
    since = datetime.now(UTC) - timedelta(days=1)
    records = zoho.iter_records("Accounts", ["Account_Name", "Tax_ID", "Email"], modified_since=since)
    accounts = [Account.from_record(record) for record in itertools.islice(records, 3)]  # typed access
    for account in accounts:
        print(f"{account.id}: {account.account_name}, tax id {account.tax_id or '-'}")

    # Search (Zoho's index lags a little behind writes: read by id right after a write).
    tax_ids = [account.tax_id for account in accounts if account.tax_id]
    found = zoho.search("Accounts", criteria=criterion("Tax_ID", "in", tax_ids[:2])) if tax_ids else []
    print(f"{len(found)} accounts found by tax id")


# --8<-- [end:read]


# --8<-- [start:write]
def write(zoho: ZohoClient) -> None:
    """Upsert two accounts, one of them refused, inside a credit budget."""
    good = Account(account_name="Lakeside Hardware Co-op", tax_id="47-2718281", credit_limit=Decimal(15000))
    refused = {"Account_Name": "Nowhere Trading", "Payment_Terms": "Whenever"}  # not a picklist value
    try:
        with zoho.credit_budget(10):  # at most 10 more credits in this block
            results = zoho.upsert(
                "Accounts", [good.to_values(), refused], duplicate_check_fields=DUPLICATE_CHECK
            )
    except CreditBudgetExceededError as error:
        print(f"not sent: {error}")
        return
    for result in results:  # one per record, in input order; a refused record does not fail the call
        if result.ok:
            print(f"record {result.index}: {result.action} {result.id}")
        else:
            assert result.error is not None
            print(f"record {result.index}: refused, {result.error.code} on {result.error.api_name}")
    again = zoho.upsert("Accounts", [good.to_values()], duplicate_check_fields=DUPLICATE_CHECK)
    print(f"sent again: {again[0].action} of {again[0].id}, matched on {again[0].duplicate_field}")


# --8<-- [end:write]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the example.

    Args:
        argv: Command line arguments (none are taken).

    Returns:
        The exit status.
    """
    del argv
    with systems() as connected:
        read(connected.zoho)
        if connected.emulated:
            write(connected.zoho)
        print(f"{connected.zoho.stats.calls} calls, {connected.zoho.credits} API credits spent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
