"""The ``jde-zoho`` click group and its commands."""

from __future__ import annotations

import click

from jde_zoho_sdk._version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jde-zoho")
def cli() -> None:
    """Keep JD Edwards EnterpriseOne and Zoho CRM in agreement."""


def run(argv: list[str] | None) -> int:
    """Run the click application and return its exit status.

    Args:
        argv: Arguments without the program name.

    Returns:
        The exit status click settled on.
    """
    try:
        cli.main(args=argv, prog_name="jde-zoho", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    return 0
