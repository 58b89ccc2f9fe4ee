"""Three-way merge: one-sided changes flow, conflicts follow the field policy, storage rules never conflict."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

from jde_zoho_sdk.sync.mapping import DefaultMapper
from jde_zoho_sdk.sync.merge import FieldPolicy, changed_fields, merge
from jde_zoho_sdk.sync.model import Customer

mapper = DefaultMapper()
BASE = Customer(
    name="ACME CORP", email="ap@acme.test", city="Chicago", credit_limit=Decimal(5000), payment_terms="N30"
)
EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 1, 2, tzinfo=UTC)


def policy_with(**overrides: FieldPolicy):  # type: ignore[no-untyped-def]
    def policy(name: str) -> FieldPolicy:
        return overrides.get(name, FieldPolicy.NEWEST_WINS)

    return policy


def snapshots(record: Customer) -> tuple[dict[str, object], dict[str, object]]:
    return mapper.normalize(record, "jde").values(), mapper.normalize(record, "zoho").values()


def run(jde: Customer, zoho: Customer, *, base: Customer | None = BASE, **kwargs):  # type: ignore[no-untyped-def]
    jde_base, zoho_base = snapshots(base) if base is not None else (None, None)
    return merge(
        jde_now=mapper.normalize(jde, "jde"),
        zoho_now=mapper.normalize(zoho, "zoho"),
        jde_base=jde_base,
        zoho_base=zoho_base,
        policy=kwargs.pop("policy", policy_with()),
        normalize=mapper.normalize,
        **kwargs,
    )


def test_unchanged_on_both_sides_writes_nothing() -> None:
    result = run(BASE, BASE)
    assert result.to_jde == result.to_zoho == frozenset()
    assert result.conflicts == ()


def test_change_on_one_side_flows_to_the_other() -> None:
    jde = attrs.evolve(BASE, credit_limit=Decimal(7500))
    result = run(jde, BASE)
    assert result.to_zoho == {"credit_limit"}
    assert result.to_jde == frozenset()
    assert result.zoho.credit_limit == Decimal("7500.00")


def test_conflict_follows_field_policy() -> None:
    jde = attrs.evolve(BASE, city="Evanston", credit_limit=Decimal(9000))
    zoho = attrs.evolve(BASE, city="Skokie", credit_limit=Decimal(100))
    result = run(
        jde,
        zoho,
        policy=policy_with(credit_limit=FieldPolicy.JDE_WINS),
        jde_updated_at=EARLY,
        zoho_modified_at=LATE,
    )
    assert result.conflicts == (("city", "zoho"), ("credit_limit", "jde"))
    assert result.jde.city == result.zoho.city == "Skokie"
    assert result.jde.credit_limit == result.zoho.credit_limit == Decimal(9000)
    assert result.to_jde == {"city"}
    assert result.to_zoho == {"credit_limit"}


def test_newest_wins_prefers_jde_on_a_tie() -> None:
    jde = attrs.evolve(BASE, city="Evanston")
    zoho = attrs.evolve(BASE, city="Skokie")
    result = run(jde, zoho, jde_updated_at=LATE, zoho_modified_at=LATE)
    assert result.conflicts == (("city", "jde"),)


def test_both_changed_to_the_same_value_is_no_conflict_even_if_stored_differently() -> None:
    long_name = "International Business Distribution Partners Of North America"
    jde = attrs.evolve(BASE, name=long_name)
    zoho = attrs.evolve(BASE, name=long_name)
    result = run(jde, zoho)
    assert result.conflicts == ()
    assert result.to_jde == result.to_zoho == frozenset()
    assert len(result.jde.name) == 40
    assert result.zoho.name == long_name


def test_value_rewritten_by_jde_on_save_is_not_a_change() -> None:
    zoho = attrs.evolve(BASE, credit_limit=Decimal("1234.56"))
    first = run(BASE, zoho)
    assert first.to_jde == {"credit_limit"}
    assert first.jde.credit_limit == Decimal(1235)
    # Next cycle: JDE holds 1235, Zoho 1234.56; each side's snapshot is what it holds: nothing to do.
    again = merge(
        jde_now=first.jde,
        zoho_now=first.zoho,
        jde_base=first.jde.values(),
        zoho_base=first.zoho.values(),
        policy=policy_with(),
        normalize=mapper.normalize,
    )
    assert again.to_jde == again.to_zoho == frozenset()


def test_jde_only_field_reverts_zoho_edits() -> None:
    zoho = attrs.evolve(BASE, payment_terms="N60")
    result = run(BASE, zoho, policy=policy_with(payment_terms=FieldPolicy.JDE_ONLY))
    assert result.to_jde == frozenset()
    assert result.to_zoho == {"payment_terms"}
    assert result.zoho.payment_terms == "N30"


def test_first_link_without_snapshot_merges_every_differing_field() -> None:
    jde = attrs.evolve(BASE, phone="312 555-0100")
    zoho = attrs.evolve(BASE, city="Skokie")
    result = run(jde, zoho, base=None, jde_updated_at=LATE, zoho_modified_at=EARLY)
    assert result.to_zoho == {"phone", "city"}
    assert result.jde.city == "Chicago"


def test_custom_fields_take_part_in_the_merge() -> None:
    jde = attrs.evolve(BASE, extra={"region": "N"})
    base = attrs.evolve(BASE, extra={"region": "S"})
    result = run(jde, base, base=base)
    assert result.to_zoho == {"region"}
    assert result.zoho.extra["region"] == "N"


@pytest.mark.parametrize(
    ("now", "base", "expected"),
    [({"a": 1}, None, {"a"}), ({"a": 1, "b": 2}, {"a": 1, "b": 3}, {"b"}), ({"a": 1}, {}, {"a"})],
)
def test_changed_fields(now: dict[str, object], base: dict[str, object] | None, expected: set[str]) -> None:
    assert changed_fields(now, base) == expected


def test_first_link_fills_blanks_from_the_side_that_knows_the_value() -> None:
    jde = attrs.evolve(BASE, city="", phone="312 555-0100", tax_id="")
    zoho = attrs.evolve(BASE, city="Skokie", phone="", tax_id="36-1234567")
    # Zoho changed last, yet its blank phone does not erase JDE's, and JDE's blank city takes Zoho's.
    result = run(jde, zoho, base=None, jde_updated_at=EARLY, zoho_modified_at=LATE)
    assert (result.jde.city, result.zoho.city) == ("Skokie", "Skokie")
    assert (result.jde.phone, result.zoho.phone) == ("312 555-0100", "312 555-0100")
    assert result.jde.tax_id == "36-1234567"
    assert result.conflicts == ()


def test_a_custom_field_added_after_the_link_is_filled_not_cleared() -> None:
    from jde_zoho_sdk.sync.mapping_config import CustomField, MappingConfig  # noqa: PLC0415
    from jde_zoho_sdk.sync.model import Entity  # noqa: PLC0415

    region = CustomField(
        name="sales_region",
        entity=Entity.CUSTOMER,
        jde_table="F0101",
        jde_column="AC02",
        orchestration_input="CategoryCode02",
        zoho_field="Sales_Region",
        jde_length=3,
    )
    mapper = DefaultMapper(MappingConfig(custom_fields=(region,)))
    base = Customer(name="Acme", city="Chicago").values()  # snapshots from before the field existed
    jde_now = mapper.normalize(Customer(name="Acme", city="Chicago", extra={"sales_region": "NE"}), "jde")
    # The new Zoho field is empty; a Zoho edit of the city makes Zoho's record the newest.
    zoho_now = mapper.normalize(Customer(name="Acme", city="Evanston", extra={"sales_region": ""}), "zoho")

    result = merge(
        jde_now=jde_now,
        zoho_now=zoho_now,
        jde_base=base,
        zoho_base=base,
        policy=lambda _field: FieldPolicy.NEWEST_WINS,
        normalize=mapper.normalize,
        jde_updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        zoho_modified_at=datetime(2026, 3, 1, tzinfo=UTC),
    )

    assert result.to_jde == {"city"}  # JDE's region is not overwritten by Zoho's blank
    assert result.to_zoho == {"sales_region"}  # Zoho's new field learns it
    assert result.zoho.extra["sales_region"] == "NE"
