"""``jde-zoho channels list|ensure|disable``: the Zoho notification channel the sync keeps alive."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.table import Table

from jde_zoho_sdk._cli.context import AppContext, ExitCode, config_option, load, pass_app
from jde_zoho_sdk._cli.output import error_line, when
from jde_zoho_sdk._cli.systems import open_systems
from jde_zoho_sdk._redact import redact_url

__all__ = ["channels"]


@click.group()
def channels() -> None:
    """Manage the Zoho notification channel (serve keeps it alive on its own)."""


@channels.command("list")
@config_option()
@pass_app
def list_channels(app: AppContext, config_path: Path) -> None:
    """List the channels Zoho has for this OAuth client, and which one the state store keeps."""
    with open_systems(load(app, config_path)) as systems:
        kept = {channel.channel_id: channel for channel in systems.store.list_channels()}
        remote = systems.zoho.channels.list()
    table = Table(title="Zoho notification channels", title_justify="left", title_style="bold")
    for name in ("Channel id", "Events", "Notify URL", "Expires (UTC)", "Kept by this sync"):
        table.add_column(name)
    now = datetime.now(UTC)
    for channel in remote:
        table.add_row(
            channel.channel_id,
            ", ".join(channel.events or channel.modules),
            redact_url(channel.notify_url) if channel.notify_url else "",
            when(channel.expiry),
            "yes" if channel.channel_id in kept else "no",
        )
    for channel_id, state in kept.items():
        if channel_id not in {channel.channel_id for channel in remote}:
            lapsed = "lapsed" if state.expires_at <= now else "not in Zoho"
            table.add_row(
                channel_id,
                ", ".join(state.events),
                redact_url(state.notify_url),
                when(state.expires_at),
                f"yes ({lapsed})",
            )
    app.out.print(table)


@channels.command()
@config_option()
@pass_app
def ensure(app: AppContext, config_path: Path) -> None:
    """Enable the channel for [serve] notify_url, or renew it when it is close to its expiry."""
    loaded = load(app, config_path)
    notify_url = loaded.config.serve.notify_url
    if notify_url is None:
        app.err.print(error_line("set [serve] notify_url: the public URL where Zoho posts notifications"))
        raise click.exceptions.Exit(ExitCode.USAGE)
    with open_systems(loaded) as systems:
        state = systems.keeper(notify_url).ensure()
    app.out.print(
        f"Channel {state.channel_id} watches {', '.join(state.events)} → {redact_url(state.notify_url)} "
        f"until {when(state.expires_at)}"
    )


@channels.command()
@config_option()
@click.option(
    "--id",
    "channel_ids",
    multiple=True,
    metavar="CHANNEL_ID",
    help="Disable only this channel (repeat for more); every channel the state store keeps when not given.",
)
@pass_app
def disable(app: AppContext, config_path: Path, channel_ids: tuple[str, ...]) -> None:
    """Disable notification channels in Zoho and forget them (the JDE and Zoho polls still catch changes)."""
    with open_systems(load(app, config_path)) as systems:
        targets = list(channel_ids) or [state.channel_id for state in systems.store.list_channels()]
        if not targets:
            app.out.print("No channel to disable.")
            return
        systems.zoho.channels.disable(targets)
        for channel_id in targets:
            systems.store.delete_channel(channel_id)
    app.out.print(f"Disabled {', '.join(targets)}.")
