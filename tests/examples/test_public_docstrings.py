"""Every public name has a docstring, and every public callable documents its parameters and what it raises.

Public names are those in ``__all__`` of the modules users import, and the public members (not starting
with ``_``) of their classes, inherited ones included where they come from the SDK (``ZohoClient`` gets its
read and write methods from mixins, ``DefaultMapper`` from its JDE and Zoho halves). Google style:
parameters under ``Args:`` (constructor parameters may be the ``Attributes:`` of a data class, documented
on it or on a base class), and ``Raises:`` wherever the body raises a public exception itself.
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import itertools
import re
import textwrap
import types
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

import jde_zoho_sdk

PUBLIC_MODULES = (
    "jde_zoho_sdk",
    "jde_zoho_sdk.errors",
    "jde_zoho_sdk.jde",
    "jde_zoho_sdk.jde.dates",
    "jde_zoho_sdk.zoho",
    "jde_zoho_sdk.sync",
    "jde_zoho_sdk.testing.ais",
    "jde_zoho_sdk.testing.zoho",
    "jde_zoho_sdk.testing.seed",
    "jde_zoho_sdk.testing.faults",
    "jde_zoho_sdk.testing.vcr",
    "jde_zoho_sdk.testing.store_contract",
)
SOURCE = Path(jde_zoho_sdk.__file__).parent

_SECTION = re.compile(r"^\s*([A-Z][A-Za-z ]*):\s*$")
_ARGUMENT_SECTIONS = frozenset({"Args", "Arguments", "Parameters", "Attributes", "Keyword Args"})
_ENTRY = re.compile(r"^\s*\**(\w+)\s*(?:\([^)]*\))?:")
_RANGE = re.compile(r"``(\w*?_?)(\d+)``\s*\.\.\s*``\1(\d+)``")


def documented(doc: str) -> set[str]:
    """The names listed under the argument sections of a Google-style docstring (and ``a_01``..``a_30``)."""
    names: set[str] = set()
    inside = False
    for line in doc.splitlines():
        header = _SECTION.match(line)
        if header:
            inside = header.group(1) in _ARGUMENT_SECTIONS
            continue
        entry = _ENTRY.match(line)
        if inside and entry:
            names.add(entry.group(1))
    for prefix, first, last in _RANGE.findall(doc):
        width = len(first)
        names.update(f"{prefix}{number:0{width}d}" for number in range(int(first), int(last) + 1))
    return names


def has_section(doc: str, name: str) -> bool:
    return any((m := _SECTION.match(line)) and m.group(1) == name for line in doc.splitlines())


def parameters(function: Callable[..., object]) -> list[str]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    return [name for name in signature.parameters if name not in ("self", "cls")]


def raised(function: Callable[..., object]) -> set[str]:
    """Public exception classes the function's own body raises (not re-raises, not private ones)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return set()
    names = set()
    for node in ast.walk(tree.body[0]):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            if name and not name.startswith("_") and name[0].isupper():
                names.add(name)
    return names


@cache
def attribute_docstrings() -> frozenset[str]:
    """Module-level names of the package followed by a docstring (``NAME = ...`` then ``\"\"\"...\"\"\"``)."""
    names = set()
    for path in SOURCE.rglob("*.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for node, after in itertools.pairwise(body):
            target = (
                node.targets[0]
                if isinstance(node, ast.Assign) and len(node.targets) == 1
                else node.target
                if isinstance(node, ast.AnnAssign)
                else None
            )
            documents = (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            )
            if isinstance(target, ast.Name) and documents:
                names.add(target.id)
    return frozenset(names)


def own_doc(obj: object) -> str:
    doc = vars(obj).get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    return doc if isinstance(doc, str) and doc.strip() and doc.strip() != "An enumeration." else ""


def sdk_classes(cls: type) -> list[type]:
    return [klass for klass in cls.__mro__ if klass.__module__.startswith("jde_zoho_sdk")]


def members(cls: type) -> Iterator[tuple[str, object]]:
    """Public functions and properties of a class and of its SDK base classes (each once)."""
    seen: set[str] = set()
    for klass in sdk_classes(cls):
        for name, member in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(member, staticmethod | classmethod):
                member = member.__func__  # noqa: PLW2901
            if isinstance(member, property) or inspect.isfunction(member):
                yield f"{klass.__module__}.{klass.__qualname__}.{name}", member


def public_names() -> Iterator[tuple[str, object]]:
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, str | int | float) or id(obj) not in seen:
                seen.add(id(obj))
                yield f"{module_name}.{name}", obj


PUBLIC = dict(public_names())


def problems_of_function(where: str, function: Callable[..., object], *, contract_test: bool) -> list[str]:
    doc = own_doc(function)
    if not doc:
        return [f"{where}: no docstring"]
    found = []
    names = documented(doc)
    if not contract_test:  # the contract suite's tests take pytest fixtures, named like the behaviour
        missing = [name for name in parameters(function) if name not in names]
        if missing:
            found.append(f"{where}: Args: does not document {', '.join(missing)}")
    if raised(function) and not has_section(doc, "Raises"):
        found.append(f"{where}: raises {', '.join(sorted(raised(function)))} but has no Raises: section")
    return found


def problems_of_class(where: str, cls: type) -> list[str]:
    if not own_doc(cls):
        return [f"{where}: no docstring"]
    found = []
    if not issubclass(cls, enum.Enum):
        names = set().union(*(documented(own_doc(klass)) for klass in sdk_classes(cls)))
        init = vars(cls).get("__init__")
        if init is not None and own_doc(init):
            names |= documented(own_doc(init))
        # A protocol has no constructor of its own; a class whose __init__ is inherited is checked there.
        inherited = getattr(cls, "_is_protocol", False) or (
            init is None and not hasattr(cls, "__attrs_attrs__")
        )
        missing = [] if inherited else [name for name in parameters(cls) if name not in names]
        if missing:
            found.append(f"{where}: the class docstring does not document {', '.join(missing)}")
    for member_where, member in members(cls):
        if isinstance(member, property):
            if not own_doc(member.fget):
                found.append(f"{member_where}: no docstring")
            continue
        assert callable(member)
        contract_test = member_where.split(".")[-1].startswith("test_") and "store_contract" in member_where
        found += problems_of_function(member_where, member, contract_test=contract_test)
    return found


@pytest.mark.parametrize("where", sorted(PUBLIC))
def test_public_name_is_documented(where: str) -> None:
    obj = PUBLIC[where]
    if isinstance(obj, types.ModuleType):
        problems = [] if own_doc(obj) else [f"{where}: no module docstring"]
    elif isinstance(obj, type):
        problems = problems_of_class(where, obj)
    elif inspect.isfunction(obj):
        problems = problems_of_function(where, obj, contract_test=False)
    else:  # a constant or a type alias: documented by the string that follows its assignment
        name = where.rsplit(".", 1)[1]
        problems = [] if name in attribute_docstrings() else [f"{where}: no docstring after its assignment"]
    assert not problems, "\n".join(problems)


def test_every_public_module_is_checked() -> None:
    assert len(PUBLIC) > 200
