"""Structure a config file's TOML data into :class:`AppConfig` with cattrs, collecting every problem.

The converter is strict (TOML's own types, no coercion: ``1`` is not text, ``"abc"`` is not an array of
letters) and runs with detailed validation, so one pass finds every type error, missing key and unknown key;
:func:`~cattrs.v.transform_error` turns them into key paths. After each pass the offending values are taken
out (or, for a required key, replaced by a placeholder of the right type) and the data is structured
again, so a wrong type in ``[sync]`` never hides a problem in ``[zoho]``.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Final

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, override
from cattrs.v import transform_error

from jde_zoho_sdk._cli.config_checks import Problem
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

__all__ = ["covered", "in_file_order", "structure"]

_MISSING: Final = "missing: this key is required"
_SECTIONS: Final = ("jde", "zoho", "sync", "mapping", "serve")
_PATH_PART: Final = re.compile(r"\['([^']*)'\]|\[(\d+)\]|\.([^.\[]+)")


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


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by section, in the order the sections appear in a config file."""

    def section(problem: Problem) -> int:
        head = problem.path.partition(".")[0].partition("[")[0]
        return _SECTIONS.index(head) if head in _SECTIONS else -1

    return sorted(problems, key=section)


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


def structure(data: dict[str, object], source: Path) -> tuple[AppConfig | None, list[Problem]]:
    """Structure the file's data, or say everything that is wrong with it.

    Args:
        data: The TOML data (changed: problem values are taken out as they are found).
        source: The file, kept on the config.

    Returns:
        The config (None when it could not be built) and the problems found.
    """
    problems: list[Problem] = []
    for _ in range(6):  # each round reaches one level deeper (a missing table, then its keys)
        try:
            config = _CONVERTER.structure(data, AppConfig)
        except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as errors:
            found = [p for line in transform_error(errors, format_exception=_format) for p in _problems(line)]
            fresh = [problem for problem in found if not covered(problem, problems)]
            problems += fresh
            for problem in found:
                _repair(data, problem.path)
            continue
        return attrs.evolve(config, source=source), problems
    return None, problems


def covered(problem: Problem, reported: list[Problem]) -> bool:
    """Tell whether an earlier problem already covers this key (the same key, or a table it is in)."""
    return any(
        problem.path == seen.path
        or problem.path.startswith((f"{seen.path}.", f"{seen.path}["))
        # An inline secret was reported with how to name its source: "missing source" says it again.
        or problem.path in (f"{seen.path}_env", f"{seen.path}_command")
        for seen in reported
        if seen.path
    )
