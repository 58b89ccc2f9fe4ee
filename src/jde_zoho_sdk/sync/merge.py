"""Change detection and the three-way, field-by-field merge (pure functions over canonical values).

Each link keeps two snapshots of what was last synced: the canonical values *as JDE stores them* and *as
Zoho stores them*. A side changed a field when its current value differs from its own snapshot, so a value
that one system rewrites on save (a name cut to 40 characters, an amount rounded to whole units) is never
mistaken for a change, and neither are our own writes coming back (echoes).

When only one side changed a field, its value wins. When both did, the field's :class:`FieldPolicy`
decides. A side is then written only the fields whose value it must take, normalised to what it stores.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

import attrs

from jde_zoho_sdk.sync.model import Canonical, _field_names, _replace_fields

__all__ = ["FieldPolicy", "MergeResult", "Side", "changed_fields", "merge"]

C = TypeVar("C", bound=Canonical)
Side = Literal["jde", "zoho"]
Normalizer = Callable[[C, Side], C]


class FieldPolicy(enum.StrEnum):
    """Who wins a field that changed on both sides (and whether one side owns it outright)."""

    JDE_WINS = "jde_wins"
    """A conflict takes JDE's value; a change on one side alone flows to the other."""
    ZOHO_WINS = "zoho_wins"
    """A conflict takes Zoho's value; a change on one side alone flows to the other."""
    NEWEST_WINS = "newest_wins"
    """A conflict takes the value of the side whose record changed last (JDE on a tie)."""
    JDE_ONLY = "jde_only"
    """JDE owns the field: Zoho edits never reach JDE and are put back to JDE's value."""
    ZOHO_ONLY = "zoho_only"
    """Zoho owns the field: JDE edits never reach Zoho and are put back to Zoho's value."""


@attrs.frozen(kw_only=True)
class MergeResult(Generic[C]):
    """What a merge decided.

    Attributes:
        jde: The record JDE must hold afterwards (its new snapshot once written).
        zoho: The record Zoho must hold afterwards (its new snapshot once written).
        to_jde: Fields JDE must be written.
        to_zoho: Fields Zoho must be written.
        conflicts: Each field changed on both sides to different values, with the side that won.
    """

    jde: C
    zoho: C
    to_jde: frozenset[str]
    to_zoho: frozenset[str]
    conflicts: tuple[tuple[str, Side], ...] = ()


def changed_fields(now: Mapping[str, object], base: Mapping[str, object] | None) -> frozenset[str]:
    """The fields whose value differs from the snapshot (all of them when there is no snapshot).

    Args:
        now: Current canonical values of one side.
        base: That side's snapshot, or None for a record never synced.

    Returns:
        The names of the changed fields.

    Example:
        >>> sorted(changed_fields({"name": "B", "city": "X"}, {"name": "A", "city": "X"}))
        ['name']
    """
    if base is None:
        return frozenset(now)
    if now == base:  # most records did not change: one comparison in C instead of a lookup per field
        return _NOTHING
    return frozenset(name for name, value in now.items() if base.get(name, _MISSING) != value)


_MISSING = object()
_NOTHING: frozenset[str] = frozenset()


_OWNER: dict[FieldPolicy, Side] = {FieldPolicy.JDE_ONLY: "jde", FieldPolicy.ZOHO_ONLY: "zoho"}
_PREFERRED: dict[FieldPolicy, Side] = {FieldPolicy.JDE_WINS: "jde", FieldPolicy.ZOHO_WINS: "zoho"}


def _winner(
    policy: FieldPolicy, jde_changed: bool, zoho_changed: bool, jde_is_newer: bool
) -> tuple[Side | None, bool]:
    """Return the side whose value wins the field (None: nobody changed it) and whether it was a conflict."""
    owner = _OWNER.get(policy)
    if owner is not None:
        return owner, False
    if not (jde_changed and zoho_changed):
        return ("jde" if jde_changed else "zoho" if zoho_changed else None), False
    newest: Side = "jde" if jde_is_newer else "zoho"
    return _PREFERRED.get(policy, newest), True


def merge(
    *,
    jde_now: C,
    zoho_now: C,
    jde_base: Mapping[str, object] | None,
    zoho_base: Mapping[str, object] | None,
    policy: Callable[[str], FieldPolicy],
    normalize: Normalizer[C],
    jde_updated_at: datetime | None = None,
    zoho_modified_at: datetime | None = None,
) -> MergeResult[C]:
    """Merge the two sides of a linked record field by field.

    Args:
        jde_now: JDE's current record, normalised for JDE.
        zoho_now: Zoho's current record, normalised for Zoho.
        jde_base: JDE's snapshot from the last sync (None when the pair was never synced).
        zoho_base: Zoho's snapshot from the last sync (None when the pair was never synced).
        policy: The policy of each canonical field.
        normalize: Normalises a record to what a side stores (the mapper's ``normalize``).
        jde_updated_at: When the JDE record last changed, for :attr:`FieldPolicy.NEWEST_WINS`.
        zoho_modified_at: When the Zoho record last changed, for :attr:`FieldPolicy.NEWEST_WINS`.

    Returns:
        The records each side must hold and the fields to write to each.
    """
    jde_values = jde_now.values()
    zoho_values = zoho_now.values()
    jde_changed = changed_fields(jde_values, jde_base)
    zoho_changed = changed_fields(zoho_values, zoho_base)
    jde_is_newer = zoho_modified_at is None or (
        jde_updated_at is not None and jde_updated_at >= zoho_modified_at
    )

    # Zoho's values as JDE would store them: two sides that changed a field to the same value (up to what
    # each system keeps of it) do not conflict, and neither side is rewritten. Only needed (and only
    # worked out) when a field changed on both sides.
    zoho_as_jde: Mapping[str, object] | None = None
    jde_known = jde_base if jde_base is not None else {}
    zoho_known = zoho_base if zoho_base is not None else {}
    jde_target = dict(jde_values)
    zoho_target = dict(zoho_values)
    conflicts: list[tuple[str, Side]] = []
    for name in jde_values.keys() | zoho_values.keys():
        both = name in jde_changed and name in zoho_changed
        if both:
            if zoho_as_jde is None:
                zoho_as_jde = normalize(_rebuild(jde_now, zoho_values), "jde").values()
            if jde_values.get(name) == zoho_as_jde.get(name):
                continue
        field_policy = policy(name)
        if name not in jde_known and name not in zoho_known and field_policy not in _OWNER:
            # Never synced: two records found to be one, or a field (a custom one) added since the link
            # was made. A blank on one side is "not known there", not a deliberate clearing, so the value
            # the other side knows fills it whoever changed last.
            filler = _filler(jde_values.get(name), zoho_values.get(name))
            if filler is not None:
                (zoho_target if filler == "jde" else jde_target)[name] = (
                    jde_values.get(name) if filler == "jde" else zoho_values.get(name)
                )
                continue
        winner, conflict = _winner(field_policy, name in jde_changed, name in zoho_changed, jde_is_newer)
        if winner == "jde":
            zoho_target[name] = jde_values.get(name)
        elif winner == "zoho":
            jde_target[name] = zoho_values.get(name)
        if conflict and winner is not None:
            conflicts.append((name, winner))

    # A side that takes nothing from the other is only normalised again (no record rebuilt).
    jde_result = normalize(jde_now if jde_target == jde_values else _rebuild(jde_now, jde_target), "jde")
    zoho_result = normalize(
        zoho_now if zoho_target == zoho_values else _rebuild(zoho_now, zoho_target), "zoho"
    )
    return MergeResult(
        jde=jde_result,
        zoho=zoho_result,
        # A side given back as it was (the common case) has nothing to be written.
        to_jde=_NOTHING if jde_result is jde_now else changed_fields(jde_result.values(), jde_values),
        to_zoho=_NOTHING if zoho_result is zoho_now else changed_fields(zoho_result.values(), zoho_values),
        conflicts=tuple(sorted(conflicts)),
    )


def _blank(value: object) -> bool:
    return value is None or value == ""


def _filler(jde_value: object, zoho_value: object) -> Side | None:
    """The side whose value fills the other's blank (None when both or neither are blank)."""
    if _blank(jde_value) and not _blank(zoho_value):
        return "zoho"
    if _blank(zoho_value) and not _blank(jde_value):
        return "jde"
    return None


def _rebuild(template: C, values: Mapping[str, object]) -> C:
    """A record of ``template``'s type with ``values`` (custom fields go back into ``extra``)."""
    builtin = _field_names(type(template))[1]
    changes: dict[str, Any] = {name: value for name, value in values.items() if name in builtin}
    changes["extra"] = {name: value for name, value in values.items() if name not in builtin}
    return _replace_fields(template, changes)
