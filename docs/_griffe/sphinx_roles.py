"""Griffe extension: Sphinx roles as optional cross-references, and attrs classes with their signature.

The source uses reST roles (``:class:`~jde_zoho_sdk.zoho.ZohoClient```, ``:meth:`ensure```). mkdocstrings
renders Markdown, so each role becomes an ``<autoref ... optional>`` element that autorefs turns into a link
when the target is on the site, and into plain code text when it is not (a private helper). Names are
resolved in the docstring's own scope, as Sphinx would. ``Example::`` (a reST literal block marker) loses
its second colon; an ``Example:`` of doctest lines becomes an ``Examples:`` section (rendered as code,
where griffe would take the singular for an admonition of Markdown text), without its doctest directives
(``# doctest: +SKIP``).

attrs classes have no ``__init__`` in their source, so griffe sees no signature and reports their ``Args:``
as unknown; the class's generated ``__init__`` is read at run time (the package is installed) and given to
griffe, with each parameter's annotation taken from the attribute it sets. Nothing is fetched: this runs
offline at build time.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

import griffe

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
    inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
    inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
    inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword,
}

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|data|exc|obj|const):`(?P<body>[^`]+)`")
_LITERAL_MARKER = re.compile(r"(\w)::$", re.MULTILINE)
_DOCTEST_DIRECTIVE = re.compile(r"[ \t]*# doctest: \+\w+")
_DOCTEST_EXAMPLE = re.compile(r"^([ \t]*)Example:([ \t]*\n\1[ \t]+>>>)", re.MULTILINE)


def _resolve(obj: griffe.Object, target: str) -> str | None:
    """The full path of ``target`` seen from ``obj`` (None when it names nothing griffe knows)."""
    if target.startswith("jde_zoho_sdk."):
        return target
    head, _, rest = target.partition(".")
    scope: griffe.Object | None = obj
    while scope is not None:
        try:
            found = scope.resolve(head)
        except (griffe.NameResolutionError, griffe.AliasResolutionError, KeyError):
            scope = scope.parent
            continue
        return f"{found}.{rest}" if rest else found
    return None


def _rewrite(obj: griffe.Object, text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        body = match["body"].strip()
        short = body.startswith("~")
        target = body.lstrip("~").removesuffix("()")
        shown = target.rsplit(".", 1)[-1] if short else target
        path = _resolve(obj, target)
        if path is None or not path.startswith("jde_zoho_sdk"):
            return f"`{shown}`"
        return f'<autoref identifier="{path}" optional><code>{shown}</code></autoref>'

    text = _DOCTEST_DIRECTIVE.sub("", _ROLE.sub(replace, text))
    text = _DOCTEST_EXAMPLE.sub(r"\1Examples:\2", text)
    return _LITERAL_MARKER.sub(r"\1:", text)


def _runtime_class(cls: griffe.Class) -> type | None:
    try:
        found: object = importlib.import_module(cls.module.path)
    except ImportError:
        return None
    for part in cls.path.removeprefix(cls.module.path + ".").split("."):
        found = getattr(found, part, None)
    return found if isinstance(found, type) else None


def _default(attribute: object, value: object) -> str | griffe.Expr | None:
    """The default as the source writes it (``FieldPolicy.NEWEST_WINS``), else as Python shows it."""
    if value is inspect.Parameter.empty:
        return None
    source = getattr(attribute, "value", None)
    if isinstance(source, griffe.ExprCall) and str(source.function).endswith("field"):
        given = {getattr(arg, "name", ""): getattr(arg, "value", None) for arg in source.arguments}
        source = given.get("default")
    if source is not None:
        return source
    text = repr(value)
    return "..." if len(text) > 40 or text == "NOTHING" else text


def _attrs_init(cls: griffe.Class) -> None:
    """Give an attrs class the ``__init__`` attrs generated (griffe cannot see it in the source)."""
    runtime = _runtime_class(cls)
    if runtime is None or "__attrs_attrs__" not in vars(runtime) or "__init__" in cls.members:
        return
    parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
    for name, param in inspect.signature(runtime).parameters.items():
        attribute = cls.members.get(name) or cls.members.get(f"_{name}")
        annotation = getattr(attribute, "annotation", None) if attribute is not None else None
        if annotation is None and param.annotation is not inspect.Parameter.empty:
            annotation = str(param.annotation)
        parameters.append(
            griffe.Parameter(name, annotation=annotation, kind=_KINDS[param.kind], default=_default(attribute, param.default))
        )
    init = griffe.Function(
        "__init__", lineno=0, endlineno=0, parent=cls, parameters=griffe.Parameters(*parameters), returns="None"
    )
    cls.set_member("__init__", init)


def _walk(obj: griffe.Object) -> None:
    if obj.docstring is not None:
        obj.docstring.value = _rewrite(obj, obj.docstring.value)
    if isinstance(obj, griffe.Class):
        _attrs_init(obj)
    for member in obj.members.values():
        if not member.is_alias:
            _walk(member)  # type: ignore[arg-type]


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring of a package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Walk the package's objects (aliases are skipped: their targets are visited where they live)."""
        _walk(pkg)
