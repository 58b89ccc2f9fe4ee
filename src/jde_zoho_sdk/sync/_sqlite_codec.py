"""How SqliteStateStore writes datetimes and JSON values (with Decimal) as SQLite text, and reads them back.

Datetimes are stored as UTC ISO 8601 text with a fixed shape, ``2026-11-27T10:15:30.123456+00:00`` (always
microseconds, always ``+00:00``), so that text order is time order and range queries can compare strings.

Snapshots and payloads are JSON text. JSON has no decimal type, and reading money back as ``float`` would
lose digits, while parsing every number as ``Decimal`` would turn a host's genuine floats into Decimals. So a
``Decimal`` is written as a one-key object ``{"$decimal": "5000.00"}`` (``str(Decimal)`` keeps the exponent:
``Decimal("5000.00")`` does not come back as ``Decimal("5E+3")``). To stay lossless when the data itself
has keys starting with ``$``, every such key is escaped with one more ``$`` on the way in and unescaped on
the way out; a single-``$`` key therefore only ever comes from a tag. Data with no ``$`` key (nearly all of
it) takes a fast path through the C JSON encoder and decoder with no Python walk.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

__all__ = [
    "StoredMapping",
    "decode_json",
    "decode_mapping",
    "decode_strings",
    "decode_time",
    "decode_time_or_none",
    "encode_json",
    "encode_strings",
    "encode_time",
    "encode_time_or_none",
]

_DECIMAL_TAG: Final = "$decimal"
_SEPARATORS: Final = (",", ":")


def encode_time(value: datetime) -> str:
    """Return ``value`` as fixed-shape UTC ISO 8601 text.

    Raises:
        ValueError: ``value`` is naive (the protocol only carries aware UTC datetimes).
    """
    if value.tzinfo is UTC:  # what the engine always passes: no offset to work out
        return value.isoformat(timespec="microseconds")
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(
            f"naive datetime {value.isoformat()}: the state store only takes timezone-aware datetimes "
            "(use datetime.now(UTC) or .replace(tzinfo=UTC))"
        )
    value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def encode_time_or_none(value: datetime | None) -> str | None:
    """Like :func:`encode_time`, with None kept as SQL NULL."""
    return None if value is None else encode_time(value)


def decode_time(text: str) -> datetime:
    """Return the aware UTC datetime that :func:`encode_time` wrote."""
    return datetime.fromisoformat(text)


def decode_time_or_none(text: str | None) -> datetime | None:
    """Like :func:`decode_time`, with SQL NULL read as None."""
    return None if text is None else datetime.fromisoformat(text)


class _TagCount(threading.local):
    """How many Decimals the calling thread's current encoding tagged (encoders are shared by threads)."""

    tags = 0


_tag_count = _TagCount()


def _tag(value: object) -> object:
    """The encoder's ``default`` hook: tag a Decimal (and count it); turn other mappings into dicts."""
    if isinstance(value, Decimal):
        _tag_count.tags += 1
        return {_DECIMAL_TAG: str(value)}
    if isinstance(value, Mapping):
        return dict(value)  # MappingProxyType and friends: the C encoder only knows dict
    raise TypeError(
        f"cannot store a {type(value).__name__} in a snapshot or payload: "
        "only JSON values (str, int, float, bool, None, lists, mappings with str keys) and Decimal"
    )


# Built once: json.dumps/json.loads with any non-default argument build a new encoder or decoder per call.
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=_SEPARATORS, default=_tag)
_STRINGS_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=_SEPARATORS)
_ASCII_ENCODER: Final = json.JSONEncoder(separators=_SEPARATORS)


def _escape(value: object) -> object:
    if isinstance(value, Mapping):
        escaped: dict[object, object] = {}
        for key, item in value.items():
            if isinstance(key, str) and key.startswith("$"):
                key = "$" + key  # noqa: PLW2901 - the escaped key is the point
            escaped[key] = _escape(item)
        return escaped
    if isinstance(value, list | tuple):
        return [_escape(item) for item in value]
    return value


def encode_json(value: object) -> str:
    """Return ``value`` (JSON-compatible, with Decimals anywhere) as compact JSON text.

    Raises:
        TypeError: ``value`` holds something that is neither JSON nor Decimal (a datetime, a set...).
    """
    if type(value) is StoredMapping:
        return value.text  # read from the store and written back as it was: no decode, no encode
    _tag_count.tags = 0
    text = _ENCODER.encode(value)
    # Each tag writes exactly one '"$' (its key) and a Decimal's text never holds one, so any extra '"$'
    # comes from the data: a key (or a plain string) starting with "$". Only keys need escaping, but
    # re-encoding on any extra occurrence is simpler and still rare.
    if text.count('"$') != _tag_count.tags:
        text = _ENCODER.encode(_escape(value))
    if not text.isascii() and not _is_utf8(text):
        # A lone surrogate (half an emoji, cut by a system that counts UTF-16 units) cannot be stored as
        # UTF-8 text; as a JSON escape it can, and it reads back the same.
        text = _ASCII_ENCODER.encode(json.loads(text))
    return text


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _revive_tags(obj: dict[str, object]) -> object:
    if len(obj) == 1:
        tagged = obj.get(_DECIMAL_TAG)
        if isinstance(tagged, str):
            return Decimal(tagged)
    return obj


def _revive(obj: dict[str, object]) -> object:
    revived = _revive_tags(obj)
    if revived is obj and any(key.startswith("$") for key in obj):
        return {(key[1:] if key.startswith("$") else key): item for key, item in obj.items()}
    return revived


_PLAIN_DECODER: Final = json.JSONDecoder()
_TAGS_DECODER: Final = json.JSONDecoder(object_hook=_revive_tags)
_ESCAPES_DECODER: Final = json.JSONDecoder(object_hook=_revive)


def decode_json(text: str) -> object:
    """Return the value :func:`encode_json` wrote, with its Decimals and ``$`` keys restored."""
    if '"$' not in text:
        return _PLAIN_DECODER.decode(text)
    # An escaped key always starts with "$$"; without one, only Decimal tags need reviving.
    if '"$$' not in text:
        return _TAGS_DECODER.decode(text)
    return _ESCAPES_DECODER.decode(text)


def decode_mapping(text: str) -> dict[str, object]:
    """Return the mapping :func:`encode_json` wrote for a snapshot or payload.

    Raises:
        TypeError: The stored text is not a JSON object (the database was edited by hand).
    """
    value = decode_json(text)
    if not isinstance(value, dict):
        raise TypeError(f"expected a JSON object in the state database, found {type(value).__name__}")
    return value


@functools.lru_cache(maxsize=512)
def encode_strings(values: tuple[str, ...]) -> str:
    """Return a tuple of strings as a JSON array.

    Cached: an audit event's field list is one of a few (every create of an entity writes the same).
    """
    return _STRINGS_ENCODER.encode(values)


def decode_strings(text: str) -> tuple[str, ...]:
    """Return the tuple of strings :func:`encode_strings` wrote."""
    return tuple(_PLAIN_DECODER.decode(text))


class StoredMapping(Mapping[str, object]):
    """A snapshot read from the store, decoded on first use and written back as the text it was read as.

    Most links a batch reads are only looked up (a contact's parent, a record that did not change) or put
    back with the same snapshots: decoding two JSON documents per link, then encoding them again, was a
    fifth of the store's cost. Equality with a plain mapping compares the decoded dict in C.

    Args:
        text: The JSON text :func:`encode_json` wrote (a JSON object).
    """

    __slots__ = ("_value", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._value: dict[str, object] | None = None

    def _decoded(self) -> dict[str, object]:
        value = self._value
        if value is None:
            # Two threads may both decode: each gets an equal dict, and either one is kept.
            value = self._value = decode_mapping(self.text)
        return value

    def __getitem__(self, key: str) -> object:
        return self._decoded()[key]

    def get(self, key: str, default: object = None) -> object:
        """The value of ``key``, or ``default``."""
        return self._decoded().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._decoded()

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def keys(self) -> KeysView[str]:
        """The field names."""
        return self._decoded().keys()

    def items(self) -> ItemsView[str, object]:
        """``(name, value)`` pairs."""
        return self._decoded().items()

    def values(self) -> ValuesView[object]:
        """The values."""
        return self._decoded().values()

    def __eq__(self, other: object) -> bool:
        if type(other) is StoredMapping and self._value is None and other._value is None:
            return self.text == other.text or self._decoded() == other._decoded()
        if isinstance(other, Mapping):
            return self._decoded() == (other._decoded() if type(other) is StoredMapping else dict(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._decoded())
