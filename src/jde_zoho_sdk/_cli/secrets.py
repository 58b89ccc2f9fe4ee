"""Secrets named by the config file: read from an environment variable or printed by a command.

The file never holds a secret. It says where one comes from: ``password_env = "JDE_PASSWORD"`` or
``password_command = ["pass", "show", "jde/sync"]``. A command runs without a shell (its arguments are a
list, nothing is interpolated), with a timeout, and only its standard output is used, with the trailing
newline removed. Neither the value nor the command's output ever appears in an error message.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from typing import Final

import attrs

from jde_zoho_sdk import Secret

__all__ = ["COMMAND_TIMEOUT", "SecretSource", "SecretUnavailableError", "resolve_secret"]

COMMAND_TIMEOUT: Final = 20.0
"""Seconds a secret command may take (a password manager may ask for a passphrase on a TTY)."""

ENV_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SecretUnavailableError(Exception):
    """A secret could not be read; ``path`` is the config key that names its source.

    Args:
        path: The config key (``"jde.password_env"``).
        message: Why, never containing the secret.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@attrs.frozen(kw_only=True)
class SecretSource:
    """Where one secret comes from.

    Attributes:
        name: The secret's key without suffix (``"jde.password"``); ``_env`` or ``_command`` is appended.
        env: The environment variable holding it.
        command: The command that prints it.
    """

    name: str
    env: str | None = None
    command: tuple[str, ...] | None = None


def _run(source: SecretSource, command: tuple[str, ...], timeout: float) -> str:
    path = f"{source.name}_command"
    try:
        # No shell: the list is the program and its arguments, as written in the file.
        done = subprocess.run(  # noqa: S603
            list(command), capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise SecretUnavailableError(path, f"the program {command[0]!r} was not found") from None
    except PermissionError:
        raise SecretUnavailableError(path, f"the program {command[0]!r} may not be run") from None
    except OSError as error:  # not an executable (a script without #!), a bad interpreter...
        raise SecretUnavailableError(path, f"cannot run {command[0]!r}: {error.strerror}") from None
    except subprocess.TimeoutExpired:
        raise SecretUnavailableError(path, f"the command did not finish within {timeout:g} s") from None
    if done.returncode != 0:
        # Its output is not shown: a failing password manager may still have printed part of a secret.
        raise SecretUnavailableError(path, f"the command exited with status {done.returncode}")
    try:
        text = done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretUnavailableError(path, "the command printed something that is not UTF-8 text") from None
    return text.rstrip("\r\n")


def resolve_secret(
    source: SecretSource, *, environ: Mapping[str, str] | None = None, timeout: float = COMMAND_TIMEOUT
) -> Secret:
    """Read one secret from its source.

    Args:
        source: Where it comes from (exactly one of ``env`` and ``command`` is set; the config checks it).
        environ: The environment to read (``os.environ`` by default).
        timeout: Seconds the command may take.

    Returns:
        The secret (registered for redaction, so it is scrubbed from any log line it might reach).

    Raises:
        SecretUnavailableError: The variable is unset or empty, or the command failed or printed nothing.
    """
    if source.command:
        value = _run(source, source.command, timeout)
        where, path = "the command printed nothing", f"{source.name}_command"
    else:
        assert source.env is not None  # the config checks guarantee one of the two
        value = (os.environ if environ is None else environ).get(source.env, "")
        where, path = f"the environment variable {source.env} is not set or empty", f"{source.name}_env"
    if not value:
        raise SecretUnavailableError(path, where)
    return Secret(value)
