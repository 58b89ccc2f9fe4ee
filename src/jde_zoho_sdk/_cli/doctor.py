"""``jde-zoho doctor``: "add your credentials, ping your systems, and see if we fit" — read-only checks."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import click
from rich.table import Table
from rich.text import Text

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk._cli.context import AppContext, ExitCode, config_option, load, pass_app
from jde_zoho_sdk._cli.doctor_checks import Check, Result, ais_checks, reachability, zoho_checks
from jde_zoho_sdk._cli.systems import ais_client, ais_verify, mapping_config, sync_config, zoho_client
from jde_zoho_sdk.sync import DefaultMapper

__all__ = ["doctor"]

_TIMEOUT: Final = 15.0
# A doctor answers in seconds: one retry, then the failure is the finding.
_RETRY: Final = RetryPolicy(max_tries=2, max_time=_TIMEOUT)
_STYLES: Final = {Result.PASS: "green", Result.WARN: "yellow", Result.FAIL: "bold red", Result.SKIP: "dim"}


def _table(checks: list[Check]) -> Table:
    table = Table(title="jde-zoho doctor", title_justify="left", title_style="bold")
    table.add_column("Check")
    table.add_column("Result")
    table.add_column("Details and what to fix", overflow="fold")
    for check in checks:
        table.add_row(check.name, Text(str(check.result), style=_STYLES[check.result]), Text(check.detail))
    return table


@click.command()
@config_option()
@pass_app
def doctor(app: AppContext, config_path: Path) -> None:
    """Check that the config, the credentials and both systems fit the sync; write nothing.

    Checks: the config file; AIS reachable over TLS; the AIS login; read access to every table the sync
    reads; each configured orchestration exists; the Zoho token; its API domain is in the region; the
    modules and the custom fields the mapping needs, with their types and uniqueness; notification access;
    the edition's limits. Exits 1 when a check fails (2 when the config file itself is invalid).
    """
    loaded = load(app, config_path)
    config, secrets = loaded.config, loaded.require_secrets()
    checks = [Check("Config file", Result.PASS, f"{config_path} is valid; secrets found")]
    sync = sync_config(config)
    mapper = DefaultMapper(mapping_config(config))
    reach = reachability(config.jde.base_url, ais_verify(config), timeout=_TIMEOUT)
    checks.append(reach)
    if reach.result is Result.FAIL:
        checks.append(Check("AIS login, tables, orchestrations", Result.SKIP, "AIS cannot be reached"))
    else:
        with ais_client(config, secrets, retry=_RETRY, timeout=_TIMEOUT) as ais:
            checks += ais_checks(ais, config, sync, mapper)
    with zoho_client(config, secrets, retry=_RETRY, timeout=_TIMEOUT) as zoho:
        checks += zoho_checks(zoho, config, sync, mapper)
    app.out.print(_table(checks))
    failed = [check for check in checks if check.result is Result.FAIL]
    if failed:
        app.out.print(f"{len(failed)} check(s) failed.")
        raise click.exceptions.Exit(ExitCode.FAILED)
    app.out.print("All checks passed.")
