"""``jde-zoho demo``: the whole job on the built-in emulators, in well under a minute, printed step by step.

Seed a distributor in both systems, sync both ways, open a real notification channel, change records on
both sides (one change on each side of the same record, one record that cannot be mapped), sync again,
fix the bad record at its source and replay it, then show what happened: a summary per run, the conflicts
merged, the replayed failure and the audit trail of one record end to end.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from jde_zoho_sdk._cli.commands_state import record_trail
from jde_zoho_sdk._cli.context import AppContext, ExitCode, pass_app
from jde_zoho_sdk._cli.demo_world import World, demo_world
from jde_zoho_sdk._cli.output import audit_table, bold, error_line, failure_lines, report_table, when
from jde_zoho_sdk._redact import redact_url
from jde_zoho_sdk.sync import ConflictMerged, Entity, RecordFailed, SyncReport

__all__ = ["demo"]

_BAD_COUNTRY = "Narnia"


def _rule(console: Console, title: str) -> None:
    console.print()
    console.rule(Text(title, style="bold"), align="left")


def _pick(world: World) -> dict[str, int]:
    """The customers the demo changes: JDE-only ones and one also in Zoho by e-mail, all synced by then."""
    data = world.data
    shared = set(data.shared_by_email) | set(data.shared_by_tax_id)
    only_jde = [
        int(str(row["AN8"])) for row in data.jde["F0101"] if row["AT1"] == "C" and row["AN8"] not in shared
    ]
    return {"credit": only_jde[0], "conflict": only_jde[1], "phone": data.shared_by_email[0]}


def _seeded(console: Console, world: World) -> None:
    data = world.data
    customers = sum(1 for row in data.jde["F0101"] if row["AT1"] == "C")
    suppliers = sum(1 for row in data.jde["F0101"] if row["AT1"] == "V")
    contacts = sum(1 for row in data.jde["F0111"] if row["IDLN"] != 0)
    both = len(data.shared_by_email) + len(data.shared_by_tax_id)
    zoho = {module: len(records) for module, records in data.zoho.items()}
    console.print(
        f"JD Edwards: {customers} customers, {suppliers} suppliers, {contacts} contact people\n"
        f"Zoho CRM:   {zoho.get('Accounts', 0)} accounts ({both} are JDE customers too, "
        f"{len(data.shared_by_email)} matching by e-mail and {len(data.shared_by_tax_id)} by tax id), "
        f"{zoho.get('Contacts', 0)} contacts, "
        f"{zoho.get('Vendors', 0)} vendors"
    )


def _change_both_sides(console: Console, world: World, keys: dict[str, int]) -> dict[str, str]:
    ais, zoho, clock = world.ais_emu, world.zoho_emu, world.clock
    credit = ais.tables.get("F03012", {"AN8": keys["credit"], "CO": "00000"})
    assert credit is not None
    ais.tables.update("F03012", {"AN8": keys["credit"], "CO": "00000"}, {"ACL": Decimal(98_500)})
    console.print(f"JDE   customer {keys['credit']}: credit limit {credit['ACL']} → 98500")
    ais.tables.update("F03012", {"AN8": keys["conflict"], "CO": "00000"}, {"ACL": Decimal(40_000)})
    ais.tables.update("F0116", {"AN8": keys["conflict"], "EFTB": None}, {"CTY1": "Evanston"})
    console.print(f"JDE   customer {keys['conflict']}: credit limit → 40000, city → Evanston")
    clock.advance(30)
    conflict = str(world.account_of(keys["conflict"])["id"])
    zoho.update("Accounts", conflict, {"Credit_Limit": Decimal(1_000), "Billing_City": "Skokie"})
    console.print(
        f"Zoho  account {conflict} (the same customer): credit limit → 1000, city → Skokie, 30 s later"
    )
    phone = str(world.account_of(keys["phone"])["id"])
    zoho.update("Accounts", phone, {"Phone": "608 555-0142"})
    console.print(f"Zoho  account {phone} (JDE customer {keys['phone']}): phone → 608 555-0142")
    new = zoho.insert(
        "Accounts",
        {"Account_Name": "Lakeside Hardware Co-op", "Email": "buyer@lakeside-hardware.example",
         "Tax_ID": "47-2718281", "Payment_Terms": "Net 30", "Credit_Limit": Decimal(15_000),
         "Billing_City": "Toronto", "Billing_State": "ON", "Billing_Country": "Canada"},
    )  # fmt: skip
    console.print(f"Zoho  new account {new}: Lakeside Hardware Co-op")
    bad = zoho.insert(
        "Accounts",
        {
            "Account_Name": "Nowhere Trading Ltd",
            "Email": "hello@nowhere.example",
            "Billing_Country": _BAD_COUNTRY,
        },
    )
    console.print(
        f"Zoho  new account {bad}: Nowhere Trading Ltd, country '{_BAD_COUNTRY}' (no JDE country code)"
    )
    return {"conflict": conflict, "new": new, "bad": bad}


def _conflicts_and_failures(console: Console, world: World, report: SyncReport) -> None:
    engine = world.systems.engine
    merged = [e for e in world.recorder.of_type(ConflictMerged) if e.run_id == report.run_id]
    console.print(
        bold("Conflicts merged", " (changed on both sides since the last sync; field by field, by policy):")
    )
    for event in merged:
        assert isinstance(event, ConflictMerged)
        console.print(f"  {event.entity} JDE {event.jde_key} / Zoho {event.zoho_id}:")
        for field, side in event.winners:
            policy = engine.config.policy(event.entity, field)
            console.print(f"    {field:<14} {side.upper():<5} wins ({policy})")
    failed = [e for e in world.recorder.of_type(RecordFailed) if e.run_id == report.run_id]
    console.print(
        bold("Failed", f": {len(failed)} record(s), stored for replay; the rest of the batch went on.")
    )
    for line in failure_lines(world.systems.store.list_failures()):
        console.print(line)


def _fix_and_replay(console: Console, world: World, bad: str, labels: dict[str, str]) -> None:
    store, engine = world.systems.store, world.systems.engine
    [failure] = [failure for failure in store.list_failures() if failure.source_key == bad]
    world.zoho_emu.update("Accounts", bad, {"Billing_Country": "Mexico"})
    console.print(f"Zoho  account {bad}: country '{_BAD_COUNTRY}' → Mexico (fixed where it was wrong)")
    world.settle()
    report = engine.replay([failure.failure_id])
    labels[report.run_id] = "replay"
    console.print(report_table(report, f"Replay of failure {failure.failure_id}", timing=False))
    for line in failure_lines(store.list_failures(ids=[failure.failure_id], include_resolved=True)):
        console.print(line)
    [link] = store.get_links_by_zoho(Entity.CUSTOMER, [bad]).values()
    console.print(f"Zoho account {bad} is now JDE customer {link.jde_key}.")


@contextmanager
def _state_file(state: Path | None, keep: bool) -> Iterator[Path]:
    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
        yield state
        return
    directory = Path(tempfile.mkdtemp(prefix="jde-zoho-demo-"))
    path = directory / "sync.db"
    try:
        yield path
    finally:
        if not keep:
            for leftover in directory.iterdir():
                leftover.unlink()
            directory.rmdir()


def _run(app: AppContext, customers: int, seed: int, path: Path) -> None:
    out = app.out
    labels: dict[str, str] = {}
    out.print(
        bold("jde-zoho demo", ": a two-way sync between the built-in JD Edwards (AIS) and Zoho CRM emulators")
    )
    with demo_world(customers=customers, seed=seed, state=path, verbose=app.verbosity > 0) as world:
        engine, store = world.systems.engine, world.systems.store
        keys = _pick(world)
        _rule(out, "1. Seeded both emulators (real HTTP on loopback sockets)")
        _seeded(out, world)
        out.print(f"State file: {path}")
        _rule(out, "2. First sync, both ways")
        first = engine.run()
        labels[first.run_id] = "sync 1"
        out.print(report_table(first, "Sync 1: Zoho → JDE, then JDE → Zoho", timing=False))
        out.print(
            "Linked: found on the other side by tax id or e-mail and linked, not duplicated. Unchanged: read "
            "again but equal to what was last synced (echoes of our own writes, the overlap window). "
            "Created and Updated count the writes to each row's target, whichever side the record was read "
            "from: the JDE key written back to a Zoho account read in Zoho → JDE is an update in JDE → Zoho, "
            "so a row's outcomes need not add up to its Read."
        )
        world.clock.advance(60)
        _rule(out, "3. A real notification channel")
        channel = world.keeper.ensure()
        out.print(
            f"Channel {channel.channel_id} watches {', '.join(channel.events)} "
            f"until {when(channel.expires_at)}"
        )
        out.print(
            f"Zoho posts to {redact_url(channel.notify_url)}; "
            "the receiver verifies the token and queues the ids."
        )
        world.clock.advance(60)
        _rule(out, "4. Changes on both sides")
        zoho_keys = _change_both_sides(out, world, keys)
        world.settle()
        out.print(
            f"Zoho posted {world.receiver.received} notifications; "
            f"{store.queue_depth()} record ids are queued."
        )
        world.clock.advance(60)
        _rule(out, "5. Second sync: the queue drained, both sides polled")
        second = engine.run()
        labels[second.run_id] = "sync 2"
        out.print(report_table(second, "Sync 2", timing=False))
        out.print(f"Queue after the run: {store.queue_depth()} (the echoes of this run's own writes, if any)")
        _conflicts_and_failures(out, world, second)
        world.clock.advance(60)
        _rule(out, "6. Fix the failing record at its source, then replay it")
        _fix_and_replay(out, world, zoho_keys["bad"], labels)
        world.clock.advance(60)
        world.settle()
        queued = store.queue_depth()
        drained = engine.drain()
        labels[drained.run_id] = "drain"
        out.print(
            f"Drained the {queued} queued ids that our own writes notified: {drained.written} written "
            "(echoes are recognised; nothing bounces back)."
        )
        _rule(out, f"7. Audit trail of customer {keys['conflict']}, end to end")
        trail = record_trail(store, str(keys["conflict"]))
        out.print(
            audit_table(
                trail,
                title=f"Customer JDE {keys['conflict']} / Zoho {zoho_keys['conflict']}",
                run_labels=labels,
                one_record=True,
            )
        )
        stats = store.stats()
        links = ", ".join(f"{count} {entity}" for entity, count in stats.links.items())
        out.print(f"\nLinks: {links} · queue {stats.queue_depth} · open failures {stats.open_failures}")


@click.command()
@click.option(
    "--customers",
    type=click.IntRange(min=10, max=5000),
    default=300,
    show_default=True,
    help="JDE customers to seed (accounts only in Zoho and suppliers are derived from it).",
)
@click.option("--state", type=click.Path(path_type=Path, dir_okay=False),
              help="Keep the SQLite state here instead of in a temporary directory.")  # fmt: skip
@click.option("--keep", is_flag=True, help="Keep the temporary state file and print its path.")
@click.option(
    "--seed", type=int, default=7, show_default=True, help="Seed of the data set (same seed, same data)."
)
@pass_app
def demo(app: AppContext, customers: int, state: Path | None, keep: bool, seed: int) -> None:
    """Run the whole job on the built-in JD Edwards and Zoho emulators and show what happened.

    Needs no config and no system: both emulators run in this process on loopback sockets and stop at
    the end. Shows a two-way sync, a real notification channel, a conflict merged by policy, a failure
    replayed after its fix, and the audit trail of one record.
    """
    if state is not None and state.exists():
        # The emulators start empty every time; a state file from another run would not match them.
        app.err.print(
            error_line(f"{state} exists; the demo starts from an empty state: remove it or pick another")
        )
        raise click.exceptions.Exit(ExitCode.USAGE)
    started = time.perf_counter()
    with _state_file(state, keep) as path:
        _run(app, customers, seed, path)
    elapsed = time.perf_counter() - started
    kept = state is not None or keep
    tail = (
        f"The state file stays at {path}: try `jde-zoho status --state {path}`."
        if kept
        else "The temporary state file was removed (--keep keeps it)."
    )
    app.out.print(f"\nDone in {elapsed:.1f} s. Both emulators are stopped. {tail}")
