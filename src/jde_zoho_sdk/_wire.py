"""cattrs plumbing shared by the per-API converters (``jde/_convert.py``, ``zoho/_convert.py``).

Models are frozen attrs classes with Python names. A field's name on the wire is given by
:func:`wire_field` (or derived from the Python name by the converter's ``key`` function), so renames live
in one place and not in hand-written dict code. A model with a field named ``extra`` keeps every key the
remote system sent that the model does not know, and gives them back when unstructured: nothing the API
adds later is silently dropped.

Structuring errors become one readable :class:`~jde_zoho_sdk.errors.UnexpectedResponseError` (or the error
class the caller names) with the path of each bad value, via ``cattrs.transform_error``.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs
import cattrs
import cattrs.v
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from jde_zoho_sdk._redact import Secret
from jde_zoho_sdk.errors import SdkError, UnexpectedResponseError

__all__ = ["EXTRA", "loads_exact", "make_converter", "structure", "wire_field", "wire_key"]

T = TypeVar("T")

EXTRA: Final = "extra"
_WIRE: Final = "jde_zoho_sdk.wire"
# The generated structure function reads the unknown keys from this key of a copy of the input.
_EXTRA_SLOT: Final = "\x00extra"


def loads_exact(content: bytes | str) -> object:
    """Parse JSON with every number that has a fraction as an exact ``Decimal`` (money is never a float).

    Args:
        content: The JSON text.

    Returns:
        The parsed value.

    Raises:
        ValueError: The content is not JSON, or is nested too deeply to be an answer of these APIs (a hostile
            or broken body must give the caller's typed error, never a ``RecursionError``).
    """
    try:
        return json.loads(content, parse_float=Decimal)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


def wire_field(name: str, **kwargs: Any) -> Any:  # noqa: ANN401 - mirrors attrs.field, which returns Any
    """Declare an attrs field whose key on the wire is ``name``.

    Args:
        name: The key in the remote JSON (``"moreRecords"``, ``"Account_Name"``).
        **kwargs: Passed to :func:`attrs.field` (``default``, ``factory``, ``converter``...).

    Returns:
        The attrs field definition.

    Example:
        >>> @attrs.frozen
        ... class Summary:
        ...     more_records: bool = wire_field("moreRecords", default=False)
    """
    metadata = {**kwargs.pop("metadata", {}), _WIRE: name}
    return attrs.field(metadata=metadata, **kwargs)


def wire_key(attribute: attrs.Attribute[Any], default: Callable[[str], str] = str) -> str:
    """The wire key of an attrs field: its :func:`wire_field` name, else ``default(python_name)``."""
    explicit = attribute.metadata.get(_WIRE)
    return explicit if isinstance(explicit, str) else default(attribute.name)


def _as_is(value: object, _type: object) -> object:
    return value


class _WireConverter(cattrs.Converter):
    """A converter that remembers how it derives wire keys, to name bad values by their wire paths."""

    __slots__ = ("wire_key",)

    def __init__(self, key: Callable[[str], str]) -> None:
        super().__init__()
        self.wire_key = key


def make_converter(*, key: Callable[[str], str] = str) -> cattrs.Converter:
    """Build a converter that renames fields to their wire keys and keeps unknown keys in ``extra``.

    Args:
        key: Derives the wire key of a field without :func:`wire_field` (identity by default).

    Returns:
        A ``cattrs.Converter`` with hook factories for every attrs class.
    """
    converter = _WireConverter(key)
    # ``object`` fields hold raw JSON values (unknown keys, free-form details); they pass through as they are.
    converter.register_structure_hook_func(lambda t: t is object, _as_is)

    def structure_factory(cls: type[Any]) -> Callable[[Any, type[Any]], Any]:
        fields = attrs.fields(cls)
        overrides = {a.name: override(rename=wire_key(a, key)) for a in fields if a.name != EXTRA and a.init}
        has_extra = any(a.name == EXTRA for a in fields)
        if has_extra:
            overrides[EXTRA] = override(rename=_EXTRA_SLOT, struct_hook=_as_is)
        base = make_dict_structure_fn(cls, converter, **overrides)  # type: ignore[arg-type]
        if not has_extra:
            return base
        known = {wire_key(a, key) for a in fields if a.name != EXTRA}

        def structure_keeping_extra(data: Any, cls_: type[Any]) -> Any:  # noqa: ANN401 - cattrs hook signature
            if not isinstance(data, Mapping):
                raise TypeError(f"expected a JSON object, got {type(data).__name__}")
            copy = dict(data)
            copy[_EXTRA_SLOT] = {k: v for k, v in data.items() if k not in known}
            return base(copy, cls_)

        return structure_keeping_extra

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
        fields = attrs.fields(cls)
        overrides = {a.name: override(rename=wire_key(a, key)) for a in fields if a.name != EXTRA}
        has_extra = any(a.name == EXTRA for a in fields)
        if has_extra:
            overrides[EXTRA] = override(omit=True)
        base = make_dict_unstructure_fn(cls, converter, **overrides)  # type: ignore[arg-type]
        if not has_extra:
            return base

        def unstructure_with_extra(obj: Any) -> dict[str, Any]:  # noqa: ANN401 - cattrs hook signature
            return {**getattr(obj, EXTRA), **base(obj)}

        return unstructure_with_extra

    converter.register_structure_hook_factory(attrs.has, structure_factory)
    converter.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    return converter


# What a value of each type looks like in JSON, in error messages; the first base class that matches wins.
_JSON_KINDS: Final[tuple[tuple[tuple[type, ...], str], ...]] = (
    ((Mapping,), "a JSON object"),
    ((list, tuple, set, frozenset), "a JSON array"),
    ((bool,), "true or false"),
    ((int,), "an integer"),
    ((float, Decimal), "a number"),
    ((str,), "a string"),
)


def _friendly(kind: object) -> str:
    """What a value of type ``kind`` looks like in JSON, for an error message."""
    if kind is Secret:
        return "a non-empty string"
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(kind) if option is not type(None)]
        described = " or ".join(_friendly(option) for option in options)
        return f"{described} or null" if len(options) < len(typing.get_args(kind)) else described
    origin = typing.get_origin(kind) or kind
    if not isinstance(origin, type):
        return repr(kind)
    if attrs.has(origin):
        return "a JSON object"
    return next((text for bases, text in _JSON_KINDS if issubclass(origin, bases)), origin.__name__)


def _message(error: BaseException, kind: object) -> str:
    if isinstance(error, KeyError):
        return "required field missing"
    if isinstance(error, ValueError | TypeError) and kind is not None:
        return f"expected {_friendly(kind)}"
    return cattrs.v.format_exception(error, None)


def _problems(failure: BaseException, path: str, key: Callable[[str], str]) -> list[str]:
    """``cattrs.transform_error`` with the wire names of fields in the path (``$.userInfo.token``)."""
    named: list[tuple[Exception, str, object]]
    if isinstance(failure, cattrs.IterableValidationError):
        with_items, without = failure.group_exceptions()
        named = [(error, f"{path}[{note.index!r}]", note.type) for error, note in with_items]
    elif isinstance(failure, cattrs.ClassValidationError):
        with_fields, without = failure.group_exceptions()
        wire = {a.name: wire_key(a, key) for a in attrs.fields(failure.cl)} if attrs.has(failure.cl) else {}
        named = [(error, f"{path}.{wire.get(n.name, n.name)}", n.type) for error, n in with_fields]
    else:
        return [f"{_message(failure, None)} @ {path}"]
    problems: list[str] = []
    for error, where, kind in named:
        if isinstance(error, cattrs.BaseValidationError):
            problems.extend(_problems(error, where, key))
        else:
            problems.append(f"{_message(error, kind)} @ {where}")
    problems.extend(f"{_message(error, None)} @ {path}" for error in without)
    return problems


def structure(
    converter: cattrs.Converter,
    data: object,
    cls: type[T],
    *,
    what: str,
    error: Callable[[str], SdkError] = UnexpectedResponseError,
) -> T:
    """Structure ``data`` into ``cls``, turning any failure into one readable SDK error.

    Args:
        converter: The API's converter.
        data: Parsed JSON.
        cls: The model to build.
        what: What the data is, for the message ("AIS token answer").
        error: Builds the error from the message (defaults to :class:`UnexpectedResponseError`).

    Returns:
        The model.

    Raises:
        SdkError: Whatever ``error`` builds, naming each bad value by its path on the wire and what was
            expected there (``expected a non-empty string @ $.userInfo.token``).
    """
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as failure:
        key = converter.wire_key if isinstance(converter, _WireConverter) else str
        problems = "; ".join(_problems(failure, "$", key))
        raise error(f"{what} does not match the documented shape: {problems}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as failure:
        raise error(f"{what} does not match the documented shape: {failure}") from None
