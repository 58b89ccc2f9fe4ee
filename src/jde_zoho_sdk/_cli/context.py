"""What every command shares: exit codes, the consoles, the ``--config`` option and loading the file."""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import attrs
import click
from rich.console import Console

from jde_zoho_sdk._cli.config import ENV_VAR, ConfigFileError, LoadedConfig, load_config
from jde_zoho_sdk._cli.output import error_line, make_console, problems_table

__all__ = ["AppContext", "ExitCode", "config_option", "load", "pass_app", "print_config_problems"]

F = TypeVar("F", bound=Callable[..., object])


class ExitCode(enum.IntEnum):
    """The exit statuses of ``jde-zoho`` (listed in ``--help``)."""

    OK = 0
    """Done."""
    FAILED = 1
    """Records failed (sync, replay, reconcile), or a doctor check failed."""
    USAGE = 2
    """Wrong usage or an invalid config file; nothing was contacted."""
    SYSTEM = 3
    """A system error stopped the run (SyncAbortedError), or another run holds the lock (SyncLockedError)."""


@attrs.define
class AppContext:
    """Per-invocation state (``ctx.obj``), made when the group runs so test runners' streams are used.

    Attributes:
        verbosity: How many ``-v`` were given.
        out: The console on stdout.
        err: The console on stderr.
    """

    verbosity: int = 0
    out: Console = attrs.field(factory=make_console)
    err: Console = attrs.field(factory=lambda: make_console(stderr=True))


pass_app = click.make_pass_decorator(AppContext, ensure=True)
"""Pass the :class:`AppContext` as the command's first argument."""


def config_option(required: bool = True) -> Callable[[F], F]:
    """The ``--config FILE`` option (default from ``JDE_ZOHO_CONFIG``)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        envvar=ENV_VAR,
        show_envvar=True,
        required=required,
        help="The TOML config file (see examples/jde-zoho.example.toml).",
    )


def print_config_problems(app: AppContext, error: ConfigFileError) -> None:
    """Print every problem of a config file at once, with its key path."""
    count = len(error.problems)
    app.err.print(
        error_line(f"the config file {error.source} has {count} problem{'s' if count != 1 else ''}:")
    )
    app.err.print(problems_table(error.problems))


def load(app: AppContext, path: Path, *, secrets: bool = True) -> LoadedConfig:
    """Load the config file, or print all its problems and exit with status 2.

    Args:
        app: The invocation's context.
        path: The file.
        secrets: Read the secrets too (commands that connect).

    Returns:
        The config.
    """
    try:
        return load_config(path, secrets=secrets)
    except ConfigFileError as error:
        print_config_problems(app, error)
        raise click.exceptions.Exit(ExitCode.USAGE) from None
