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
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

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


def make_converter(*, key: Callable[[str], str] = str) -> cattrs.Converter:
    """Build a converter that renames fields to their wire keys and keeps unknown keys in ``extra``.

    Args:
        key: Derives the wire key of a field without :func:`wire_field` (identity by default).

    Returns:
        A ``cattrs.Converter`` with hook factories for every attrs class.
    """
    converter = cattrs.Converter()
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
        SdkError: Whatever ``error`` builds, naming each bad path (``$.userInfo.token``...).
    """
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as failure:
        problems = "; ".join(cattrs.transform_error(failure, path="$"))
        raise error(f"{what} does not match the documented shape: {problems}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as failure:
        raise error(f"{what} does not match the documented shape: {failure}") from None
