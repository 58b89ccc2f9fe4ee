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

import difflib
import os
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, override
from cattrs.v import transform_error

from jde_zoho_sdk import ConfigError, Secret
from jde_zoho_sdk._cli.config_checks import Problem, check_config
from jde_zoho_sdk._cli.config_model import (
    AppConfig,
    JdeSection,
    MappingSection,
    OrchestrationSection,
    ServeSection,
    SyncSection,
    ZohoFieldsSection,
    ZohoSection,
)
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
_MISSING: Final = "missing: this key is required"
_SECTIONS: Final = ("jde", "zoho", "sync", "mapping", "serve")
_PATH_PART: Final = re.compile(r"\['([^']*)'\]|\[(\d+)\]|\.([^.\[]+)")


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


class _ExpectedError(TypeError):
    """A value of the wrong type; the message says what was expected."""


def _type_name(value: object) -> str:
    names = {str: "text", bool: "a boolean", int: "an integer", float: "a number", list: "an array"}
    return {**names, dict: "a table"}.get(type(value), type(value).__name__)


def _strict(kind: type, expected: str, accept: Callable[[object], bool]) -> Callable[[object, type], object]:
    def hook(value: object, _type: type) -> object:
        if not accept(value):
            raise _ExpectedError(f"expected {expected}, got {_type_name(value)}")
        return float(value) if kind is float else value  # type: ignore[arg-type]

    return hook


def _only(
    expected: str, accept: Callable[[object], bool], then: Callable[[object, type], object]
) -> Callable[[object, type], object]:
    def hook(value: object, kind: type) -> object:
        if not accept(value):
            raise _ExpectedError(f"expected {expected}, got {_type_name(value)}")
        return then(value, kind)

    return hook


def _converter() -> cattrs.Converter:
    # TOML already gives typed values; the converter must not coerce them (1 into "1", "abc" into a tuple of
    # letters), only check them, with messages in TOML's words.
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(str, _strict(str, "text", lambda v: isinstance(v, str)))
    converter.register_structure_hook(
        int, _strict(int, "an integer", lambda v: isinstance(v, int) and not isinstance(v, bool))
    )
    converter.register_structure_hook(
        float, _strict(float, "a number", lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    )
    converter.register_structure_hook(bool, _strict(bool, "true or false", lambda v: isinstance(v, bool)))
    converter.register_structure_hook(
        bool | str,
        _strict(str, "true, false or the path of a CA bundle", lambda v: isinstance(v, bool | str)),
    )
    containers: tuple[tuple[object, type, str], ...] = (
        (tuple[str, ...], list, "an array of text"),
        (dict[str, str], dict, "a table of text values"),
    )
    for kind, container, expected in containers:
        converter.register_structure_hook_func(
            _same(kind), _only(expected, _instance_of(container), converter.get_structure_hook(kind))
        )
    # Inner tables first: a section's structuring function takes its fields' hooks when it is made.
    sections = (OrchestrationSection, ZohoFieldsSection, JdeSection, ZohoSection, SyncSection, MappingSection)
    for section in (*sections, ServeSection):
        made: Callable[[object, type], object] = make_dict_structure_fn(section, converter)  # type: ignore[assignment]
        converter.register_structure_hook(section, _only("a table", _instance_of(dict), made))
    whole: Callable[[object, type], object] = make_dict_structure_fn(  # type: ignore[assignment]
        AppConfig, converter, source=override(omit=True)
    )
    converter.register_structure_hook(AppConfig, _only("a table", _instance_of(dict), whole))
    return converter


def _same(kind: object) -> Callable[[object], bool]:
    return lambda candidate: candidate == kind


def _instance_of(kind: type) -> Callable[[object], bool]:
    return lambda value: isinstance(value, kind)


_CONVERTER: Final = _converter()


def _dotted(cattrs_path: str) -> str:
    """``$.mapping.countries['XX']`` -> ``mapping.countries.XX``; ``$.a.b[0]`` -> ``a.b[0]``."""
    parts = []
    for quoted, index, plain in _PATH_PART.findall(cattrs_path.removeprefix("$")):
        if index:
            parts.append(f"[{index}]")
        else:
            parts.append(f".{quoted or plain}")
    return "".join(parts).lstrip(".")


def _format(error: BaseException, _type: type | None) -> str:
    if isinstance(error, _ExpectedError):
        return str(error)
    if isinstance(error, ForbiddenExtraKeysError):
        # One line per unknown key, "key<TAB>message", split into one problem each by _problems().
        allowed = [field.name for field in attrs.fields(error.cl)] if attrs.has(error.cl) else []
        lines = []
        for key in sorted(error.extra_fields):
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean {near[0]!r}?" if near else f"expected one of: {', '.join(allowed)}"
            lines.append(f"{key}\tunknown key ({hint})")
        return "\n".join(lines)
    if isinstance(error, KeyError):
        return _MISSING
    return f"invalid value ({type(error).__name__})"


def _kind_at(path: str) -> object:
    """The declared type of the key at ``path`` (None for keys the schema does not have)."""
    kind: object = AppConfig
    for key in (part for part in re.split(r"\.|\[\d+\]", path) if part):
        if not (isinstance(kind, type) and attrs.has(kind)):
            return None
        kind = typing.get_type_hints(kind).get(key)
    return kind


def _problems(message: str) -> list[Problem]:
    text, _, where = message.rpartition(" @ ")
    path = _dotted(where)
    if text == _MISSING:
        kind = _kind_at(path)
        if isinstance(kind, type) and attrs.has(kind):
            text = f"missing: the [{path}] table is required"
    if "\t" not in text:
        return [Problem(path, text)]
    problems = []
    for line in text.splitlines():
        key, _, note = line.partition("\t")
        problems.append(Problem(f"{path}.{key}" if path else key, note))
    return problems


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    def section(problem: Problem) -> int:
        head = problem.path.partition(".")[0].partition("[")[0]
        return _SECTIONS.index(head) if head in _SECTIONS else -1

    return sorted(problems, key=section)


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


def _placeholder(kind: object) -> object:
    """A value of the right type for a required key already reported (missing or wrong).

    With it the rest of the file can still be structured and checked.
    """
    origin = typing.get_origin(kind)
    if isinstance(kind, type) and attrs.has(kind):
        return {}
    if origin in (tuple, list) or kind in (tuple, list):
        return []
    if origin is dict or kind is dict:
        return {}
    return {str: "", int: 0, float: 0.0, bool: False}.get(kind, "")  # type: ignore[call-overload]


def _repair(data: dict[str, object], path: str) -> None:
    """Remove the value at ``path`` (its default applies) or, for a required key, put a placeholder."""
    keys = [part for part in re.split(r"\.|\[\d+\]", path) if part]
    owner: type = AppConfig
    node: dict[str, object] = data
    for depth, key in enumerate(keys):
        field = next((f for f in attrs.fields(owner) if f.name == key), None) if attrs.has(owner) else None
        last = depth == len(keys) - 1
        if field is None:
            node.pop(key, None)  # an unknown key, or an entry of a free-form table
            return
        kind = typing.get_type_hints(owner).get(key)
        child = node.get(key)
        if last or not isinstance(child, dict) or not (isinstance(kind, type) and attrs.has(kind)):
            if field.default is attrs.NOTHING:
                node[key] = _placeholder(kind)
            else:
                node.pop(key, None)
            return
        owner, node = kind, child


def _structure(data: dict[str, object], source: Path) -> tuple[AppConfig | None, list[Problem]]:
    problems: list[Problem] = []
    for _ in range(6):  # each round reaches one level deeper (a missing table, then its keys)
        try:
            config = _CONVERTER.structure(data, AppConfig)
        except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as errors:
            found = [p for line in transform_error(errors, format_exception=_format) for p in _problems(line)]
            fresh = [problem for problem in found if not _covered(problem, problems)]
            problems += fresh
            for problem in found:
                _repair(data, problem.path)
            continue
        return attrs.evolve(config, source=source), problems
    return None, problems


def _covered(problem: Problem, reported: list[Problem]) -> bool:
    """Whether an earlier problem already covers this key (the same key, or a table it is in)."""
    return any(
        problem.path == seen.path
        or problem.path.startswith((f"{seen.path}.", f"{seen.path}["))
        # An inline secret was reported with how to name its source: "missing source" says it again.
        or problem.path in (f"{seen.path}_env", f"{seen.path}_command")
        for seen in reported
        if seen.path
    )


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
    config, structural = _structure(data, source)
    problems += structural
    if config is not None:
        problems += [problem for problem in check_config(config) if not _covered(problem, problems)]
    if problems or config is None:
        raise ConfigFileError(source, _in_file_order(problems))
    if not secrets:
        return LoadedConfig(config=config)
    resolved, missing = _resolve(config, os.environ if environ is None else environ)
    if missing or resolved is None:
        raise ConfigFileError(source, missing)
    return LoadedConfig(config=config, secrets=resolved)
