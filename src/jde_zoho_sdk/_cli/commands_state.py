"""The commands that only read the state store: ``audit`` and ``status`` (no remote call, no secret)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import attrs
import click
from rich.table import Table

from jde_zoho_sdk._cli.context import AppContext, ExitCode, config_option, load, pass_app
from jde_zoho_sdk._cli.output import audit_table, error_line, failure_lines, when
from jde_zoho_sdk._cli.systems import mapping_config
from jde_zoho_sdk._redact import redact_url
from jde_zoho_sdk.sync import AuditEvent, DefaultMapper, Entity, MappingConfig, SqliteStateStore, StateStore

__all__ = ["audit", "record_trail", "status"]


def record_trail(store: StateStore, key: str, *, limit: int = 1000) -> list[AuditEvent]:
    """Every audit event of one record, by either of its keys, oldest first.

    Args:
        store: The state store.
        key: A JDE key (``"100004"``, ``"100004-1"``) or a Zoho id; the linked key on the other side is
            followed too, so the trail covers the record end to end.
        limit: The most events per key.

    Returns:
        The events.
    """
    keys = [key]
    for entity in Entity:
        for link in (
            *store.get_links_by_jde(entity, [key]).values(),
            *store.get_links_by_zoho(entity, [key]).values(),
        ):
            keys += [link.jde_key, link.zoho_id]
    seen: dict[str, AuditEvent] = {}
    for each in dict.fromkeys(keys):
        for event in store.query_audit(record_key=each, limit=limit):
            seen.setdefault(event.audit_id, event)
    # A stable sort keeps the store's append order for events stamped at the same instant.
    return sorted(seen.values(), key=lambda event: event.at)


def _open_state(app: AppContext, config_path: Path | None, state: Path | None) -> SqliteStateStore:
    if state is None:
        if config_path is None:
            app.err.print(error_line("give --config FILE (or JDE_ZOHO_CONFIG) or --state PATH"))
            raise click.exceptions.Exit(ExitCode.USAGE)
        state = load(app, config_path, secrets=False).config.state_path
    if not state.is_file():
        app.err.print(error_line(f"no state file at {state} (a first sync creates it)"))
        raise click.exceptions.Exit(ExitCode.USAGE)
    return SqliteStateStore(state)


_STATE_OPTION = click.option(
    "--state",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The state file to read, instead of the one the config file names.",
)


def _since(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time such as 2026-03-02T15:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _event_json(event: AuditEvent) -> dict[str, object]:
    data = attrs.asdict(event)
    data["at"] = event.at.astimezone(UTC).isoformat()
    data["fields"] = list(event.fields)
    for key in ("entity", "direction", "action", "outcome"):
        data[key] = str(data[key])
    return data


@click.command()
@config_option(required=False)
@_STATE_OPTION
@click.option(
    "--record",
    "record_key",
    metavar="KEY",
    help="Only this record: a JDE key or a Zoho id (both sides are followed).",
)
@click.option("--run", "run_id", metavar="RUN_ID", help="Only the events of this run.")
@click.option(
    "--since",
    callback=_since,
    metavar="ISO_TIME",
    help="Only events at or after this time (UTC unless it says).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="The most events to show (the oldest ones).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the events as a JSON array instead of a table.")
@pass_app
def audit(
    app: AppContext,
    *,
    config_path: Path | None,
    state: Path | None,
    record_key: str | None,
    run_id: str | None,
    since: datetime | None,
    limit: int,
    as_json: bool,
) -> None:
    """Show the audit trail: every write, link, merge, delete and failure the sync recorded."""
    with _open_state(app, config_path, state) as store:
        if record_key is not None:
            events = record_trail(store, record_key, limit=limit)
            events = [
                e
                for e in events
                if (run_id is None or e.run_id == run_id) and (since is None or e.at >= since)
            ]
        else:
            events = store.query_audit(run_id=run_id, since=since, limit=limit)
    if as_json:
        click.echo(json.dumps([_event_json(event) for event in events[:limit]], indent=2))
        return
    title = f"Audit trail of {record_key}" if record_key else "Audit trail"
    app.out.print(audit_table(events[:limit], title=title, one_record=False))


def _streams(mapping: MappingConfig) -> list[str]:
    mapper = DefaultMapper(mapping)
    tables: dict[str, None] = {}
    modules: dict[str, None] = {}
    for entity in Entity:
        tables.update(dict.fromkeys(mapper.jde_columns(entity)))
        modules[mapper.zoho_identity(entity).module] = None
    return [f"jde:{table}" for table in tables] + [f"zoho:{module}" for module in modules]


@click.command()
@config_option(required=False)
@_STATE_OPTION
@pass_app
def status(app: AppContext, config_path: Path | None, state: Path | None) -> None:
    """Show where the sync stands, from the state store only (nothing remote is called).

    Cursors (the high-water mark of each polled table and module), links per entity, the notification
    queue, open failures and the notification channel's expiry.
    """
    mapping = MappingConfig()
    if config_path is not None and state is None:
        mapping = mapping_config(load(app, config_path, secrets=False).config)
    with _open_state(app, config_path, state) as store:
        stats = store.stats()
        cursors = [(stream, store.get_cursor(stream)) for stream in _streams(mapping)]
        channels = store.list_channels()
        failures = store.list_failures(limit=10)
        path = store.path
    app.out.print(f"State file: {path}")
    table = Table(title="Cursors", title_justify="left", title_style="bold")
    table.add_column("Stream")
    table.add_column("High-water mark (UTC)")
    for stream, cursor in cursors:
        table.add_row(stream, when(cursor) if cursor else "never polled")
    app.out.print(table)
    links = Table(title="Links", title_justify="left", title_style="bold")
    for name in ("Entity", "Linked", "Deleted on one side"):
        links.add_column(name, justify="left" if name == "Entity" else "right")
    for entity in Entity:
        links.add_row(str(entity), str(stats.links.get(entity, 0)), str(stats.deleted_links.get(entity, 0)))
    app.out.print(links)
    app.out.print(f"Notification queue: {stats.queue_depth} record id(s) waiting")
    app.out.print(f"Open failures: {stats.open_failures}")
    for line in failure_lines(failures):
        app.out.print(line)
    if stats.open_failures > len(failures):
        app.out.print(
            f"  ... and {stats.open_failures - len(failures)} more (`jde-zoho replay` retries them all)"
        )
    now = datetime.now(UTC)
    if not channels:
        app.out.print("Notification channel: none (serve enables one; see `jde-zoho channels ensure`)")
    for channel in channels:
        state_text = "EXPIRED" if channel.expires_at <= now else f"expires {when(channel.expires_at)}"
        app.out.print(
            f"Notification channel {channel.channel_id}: {', '.join(channel.events)} → "
            f"{redact_url(channel.notify_url)}, {state_text}"
        )
