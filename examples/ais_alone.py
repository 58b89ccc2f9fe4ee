"""Use AisClient on its own: the session, table reads (plain and typed), incremental and LIST queries,
discovery, and orchestrations with their business errors.

    python examples/ais_alone.py     # against the AIS emulator; with AIS_BASE_URL set, against your AIS

Against your own AIS it only reads: the orchestration calls run on the emulator alone.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from connect import systems

from jde_zoho_sdk.jde import F0101, AisClient, Condition, Operator, OrchestrationError, Query


# --8<-- [start:read]
def read(ais: AisClient) -> list[int]:
    """Read customers three ways; return a few of their address numbers."""
    session = ais.session  # opens the session (the token is never shown)
    print(f"session: {session.username} in {session.environment}, dates as {session.date_format.pattern}")

    customers = Condition("AT1", Operator.EQUAL, "C")
    # Plain rows: a mapping per row, keyed by alias; pages are fetched as the iterator is consumed.
    rows = ais.browse("F0101", ["AN8", "ALPH", "TAX"], where=customers, page_size=100)
    numbers = []
    for row in itertools.islice(rows, 3):
        numbers.append(int(str(row["AN8"])))
        print(f"F0101 {row['AN8']}: {row['ALPH']} (tax id {row['TAX'] or '-'})")

    # Typed rows, changed in the last day: UPMJ/UPMT are read in the client's `timezone`.
    recent = Query.all(customers, ais.changed_since(datetime.now(UTC) - timedelta(days=1)))
    for customer in itertools.islice(ais.browse_as(F0101, where=recent), 3):
        print(f"changed: {customer.address_number} {customer.alpha_name} at {customer.updated_at} (UTC)")

    # A LIST condition: long lists are split into several requests for you.
    emails = Query.all(Condition("AN8", Operator.LIST, numbers), Condition("IDLN", Operator.EQUAL, 0))
    for row in ais.browse("F01151", ["AN8", "IDLN", "RCK7", "EMAL"], where=emails):
        print(f"e-mail of {row['AN8']}: {row['EMAL']}")

    # The orchestrations this user may run.
    names = sorted(found.name for found in ais.discover())
    print(f"{len(names)} orchestrations, such as {', '.join(names[:3])}")
    return numbers


# --8<-- [end:read]


# --8<-- [start:write]
def write(ais: AisClient, address_number: int) -> None:
    """Update a customer through an orchestration, then show a business error."""
    result = ais.run_orchestration(
        "JZ_UpdateCustomer",
        {"AddressNumber": address_number, "PhoneAreaCode": "312", "PhoneNumber": "555-0199"},
        idempotent=True,  # an update keyed by AN8 may run twice: it is retried after a network error
    )
    print(f"updated {result['AddressNumber']}: {result.status or 'done'} in {result.server_seconds} s")
    try:
        ais.run_orchestration(
            "JZ_UpdateCustomer", {"AddressNumber": address_number, "PaymentTerms": "ZZZ"}, idempotent=True
        )
    except OrchestrationError as error:  # jde__status ERROR, whatever the HTTP status
        for form_error in error.form_errors:
            print(f"refused by JDE: {form_error.code} {form_error.title}")


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
        numbers = read(connected.ais)
        if connected.emulated and numbers:
            write(connected.ais, numbers[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
