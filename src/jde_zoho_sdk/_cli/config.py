"""Read the ``jde-zoho`` TOML config file: structure it, check it, resolve its secrets, report every problem.

Loading never connects anywhere. A file is read with :mod:`tomllib`, secrets written inline are refused
(with how to do it instead), the rest is structured by a strict cattrs converter with detailed validation
(so every type error and unknown key is found in one pass), then :func:`check_config` checks the values.
All problems are raised together as one :class:`ConfigFileError`.

Example::

    loaded = load_config(Path("jde-zoho.toml"))          # raises ConfigFileError listing every problem
    loaded.secrets.jde_password                          # Secret('********')
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import attrs

from jde_zoho_sdk import ConfigError, Secret
from jde_zoho_sdk._cli.config_checks import Problem, check_config
from jde_zoho_sdk._cli.config_convert import covered, in_file_order, structure
from jde_zoho_sdk._cli.config_model import AppConfig
from jde_zoho_sdk._cli.secrets import SecretSource, SecretUnavailableError, resolve_secret
from jde_zoho_sdk._redact import is_secret_key

__all__ = ["ENV_VAR", "ConfigFileError", "LoadedConfig", "Secrets", "load_config"]

ENV_VAR: Final = "JDE_ZOHO_CONFIG"
"""The environment variable naming the config file when ``--config`` is not given."""

# Keys that would hold a secret inline, with the keys that say where it comes from instead.
_INLINE_SECRETS: Final = {
    ("jde", "password"): ("password_env", "JDE_PASSWORD", '["pass", "show", "jde/sync"]'),
    ("zoho", "client_secret"): ("client_secret_env", "ZOHO_CLIENT_SECRET", '["pass", "show", "zoho/secret"]'),
    ("zoho", "refresh_token"): (
        "refresh_token_env",
        "ZOHO_REFRESH_TOKEN",
        '["pass", "show", "zoho/refresh"]',
    ),
}


class ConfigFileError(ConfigError):
    """The config file has problems; ``problems`` lists every one (key path and what is expected).

    Args:
        source: The file.
        problems: What is wrong, all of it.
    """

    def __init__(self, source: Path, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(f"{source}: {count} problem{'s' if count != 1 else ''}")
        self.source = source
        self.problems = problems


@attrs.frozen(kw_only=True)
class Secrets:
    """The secrets the config names, read from their sources.

    Attributes:
        jde_password: The AIS password.
        zoho_client_secret: The Zoho OAuth client secret.
        zoho_refresh_token: The refresh token (None for the client-credentials grant).
    """

    jde_password: Secret
    zoho_client_secret: Secret
    zoho_refresh_token: Secret | None = None


@attrs.frozen(kw_only=True)
class LoadedConfig:
    """A checked config and, when asked for, its secrets.

    Attributes:
        config: The config.
        secrets: The secrets (None when loaded without them: ``status``, ``audit``).
    """

    config: AppConfig
    secrets: Secrets | None = None

    def require_secrets(self) -> Secrets:
        """The secrets; the config must have been loaded with them."""
        assert self.secrets is not None, "load_config(..., secrets=True) for commands that connect"
        return self.secrets


def _pop_inline_secrets(data: dict[str, object]) -> list[Problem]:
    """Remove (and report) secrets written in the file; the value itself is never echoed."""
    problems = []
    for section_name, section in data.items():
        if not isinstance(section, dict):
            continue
        for key in [key for key in section if is_secret_key(key)]:
            env_key, env_name, command = _INLINE_SECRETS.get(
                (section_name, key), (f"{key}_env", f"{section_name.upper()}_{key.upper()}", '["..."]')
            )
            del section[key]
            problems.append(
                Problem(
                    f"{section_name}.{key}",
                    "a secret is never written in the config file: name an environment variable that holds "
                    f'it ({env_key} = "{env_name}") or a command that prints it '
                    f"({env_key.removesuffix('_env')}_command = {command})",
                )
            )
    return problems


def _read(source: Path) -> dict[str, object]:
    try:
        text = source.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigFileError(
            source, [Problem("", f"no such file (pass --config FILE or set {ENV_VAR})")]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigFileError(source, [Problem("", f"cannot be read: {type(error).__name__}")]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigFileError(source, [Problem("", f"not valid TOML: {error}")]) from None


def _secret_sources(config: AppConfig) -> dict[str, SecretSource]:
    jde, zoho = config.jde, config.zoho
    sources = {
        "jde_password": SecretSource(name="jde.password", env=jde.password_env, command=jde.password_command),
        "zoho_client_secret": SecretSource(
            name="zoho.client_secret", env=zoho.client_secret_env, command=zoho.client_secret_command
        ),
    }
    if zoho.grant == "refresh_token":
        sources["zoho_refresh_token"] = SecretSource(
            name="zoho.refresh_token", env=zoho.refresh_token_env, command=zoho.refresh_token_command
        )
    return sources


def _resolve(config: AppConfig, environ: Mapping[str, str]) -> tuple[Secrets | None, list[Problem]]:
    values: dict[str, Secret] = {}
    problems = []
    for name, source in _secret_sources(config).items():
        try:
            values[name] = resolve_secret(source, environ=environ)
        except SecretUnavailableError as missing:
            problems.append(Problem(missing.path, missing.message))
    if problems:
        return None, problems
    return Secrets(**values), []


def load_config(
    source: Path, *, secrets: bool = True, environ: Mapping[str, str] | None = None
) -> LoadedConfig:
    """Read, check and (optionally) resolve the secrets of a config file, reporting every problem at once.

    Args:
        source: The TOML file.
        secrets: Read the secrets from their variables or commands (commands that connect need them).
        environ: The environment for ``*_env`` secrets (``os.environ`` by default).

    Returns:
        The config (and its secrets).

    Raises:
        ConfigFileError: The file is missing, is not TOML, or has problems (all of them are listed).
    """
    data = _read(source)
    problems = _pop_inline_secrets(data)
    config, structural = structure(data, source)
    problems += structural
    if config is not None:
        problems += [problem for problem in check_config(config) if not covered(problem, problems)]
    if problems or config is None:
        raise ConfigFileError(source, in_file_order(problems))
    if not secrets:
        return LoadedConfig(config=config)
    resolved, missing = _resolve(config, os.environ if environ is None else environ)
    if missing or resolved is None:
        raise ConfigFileError(source, missing)
    return LoadedConfig(config=config, secrets=resolved)
