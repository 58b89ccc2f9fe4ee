"""The ``jde-zoho`` click group: global options, exit statuses, and how library errors become them."""

from __future__ import annotations

from typing import Any

import click

from jde_zoho_sdk import ConfigError, SdkError
from jde_zoho_sdk._cli.commands_channels import channels
from jde_zoho_sdk._cli.commands_run import reconcile, replay, sync
from jde_zoho_sdk._cli.commands_state import audit, status
from jde_zoho_sdk._cli.config import ConfigFileError
from jde_zoho_sdk._cli.context import AppContext, ExitCode, print_config_problems
from jde_zoho_sdk._cli.demo import demo
from jde_zoho_sdk._cli.doctor import doctor
from jde_zoho_sdk._cli.logs import configure_logging
from jde_zoho_sdk._cli.output import error_line
from jde_zoho_sdk._cli.serve import serve
from jde_zoho_sdk._redact import redact_text
from jde_zoho_sdk._version import __version__
from jde_zoho_sdk.sync import SyncAbortedError, SyncLockedError

__all__ = ["cli", "run"]

_EPILOG = """\b
Exit status:
  0  done
  1  records failed (sync, replay, reconcile), or a doctor check failed
  2  wrong usage or an invalid config file (nothing was contacted)
  3  a system error stopped the run (SyncAbortedError), or another run
     holds the lock (SyncLockedError)

\b
Start with `jde-zoho demo`; then copy examples/jde-zoho.example.toml,
check it with `jde-zoho doctor --config FILE`, and run `jde-zoho sync`.
"""


class _Cli(click.Group):
    """A group that turns the library's errors into exit statuses and one clear line (never a traceback)."""

    def invoke(self, ctx: click.Context) -> Any:  # noqa: ANN401 - click's own signature
        app = ctx.ensure_object(AppContext)
        try:
            return super().invoke(ctx)
        except ConfigFileError as error:
            print_config_problems(app, error)
            ctx.exit(ExitCode.USAGE)
        except SyncLockedError as error:
            app.err.print(error_line(f"{redact_text(str(error))}"))
            ctx.exit(ExitCode.SYSTEM)
        except SyncAbortedError as error:
            app.err.print(error_line(f"{redact_text(str(error))}"))
            ctx.exit(ExitCode.SYSTEM)
        except ConfigError as error:
            app.err.print(error_line(f"{redact_text(str(error))}"))
            ctx.exit(ExitCode.USAGE)
        except SdkError as error:
            app.err.print(error_line(f"{type(error).__name__}: {redact_text(str(error))}"))
            ctx.exit(ExitCode.SYSTEM)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]}, epilog=_EPILOG)
@click.version_option(__version__, prog_name="jde-zoho")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log what the library does to stderr: -v for one line per batch (INFO), -vv for every call (DEBUG). "
    "Secrets are redacted.",
)
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Keep JD Edwards EnterpriseOne (AIS) and Zoho CRM in agreement: customers, contacts, suppliers."""
    app = ctx.ensure_object(AppContext)
    app.verbosity = verbose
    configure_logging(verbose, app.err)


for _command in (demo, sync, serve, replay, reconcile, audit, status, channels, doctor):
    cli.add_command(_command)


def run(argv: list[str] | None) -> int:
    """Run the click application and return its exit status.

    Args:
        argv: Arguments without the program name.

    Returns:
        The exit status click settled on.
    """
    try:
        # Without standalone mode, an exit status set with ctx.exit() comes back as the return value
        # (commands themselves return None).
        status = cli.main(args=argv, prog_name="jde-zoho", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    return status if isinstance(status, int) else 0
