"""SyncConfig refuses what would misbehave later, naming the setting; the engine refuses unknown policy fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from jde_zoho_sdk import ConfigError
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync import (
    CustomField,
    DefaultMapper,
    Entity,
    FieldPolicy,
    MappingConfig,
    SqliteStateStore,
    SyncConfig,
    SyncEngine,
)
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth


@pytest.mark.parametrize(
    ("settings", "path", "words"),
    [
        ({"overlap": timedelta(hours=-1)}, "overlap", "negative"),
        ({"entities": frozenset()}, "entities", "at least one"),
        ({"entities": {"customer", "order"}}, "entities", "'order' is not a valid Entity"),
        ({"entities": "customer"}, "entities", "the text"),
        ({"customer_search_types": ()}, "customer_search_types", "at least one"),
        ({"customer_search_types": "CV"}, "customer_search_types", "tuple of texts"),
        ({"supplier_search_types": ("V", "C")}, "supplier_search_types", "customer and a supplier"),
        ({"lock_lease": timedelta(0)}, "lock_lease", "at least 15 seconds"),
        ({"zoho_credit_budget": 0}, "zoho_credit_budget", "at least 1 credit"),
        ({"zoho_credit_budget": -5}, "zoho_credit_budget", "at least 1 credit"),
        ({"company": " "}, "company", "blank"),
        ({"batch_size": 0}, "batch_size", "at least 1"),
        ({"default_policy": "loudest_wins"}, "default_policy", "newest_wins"),
        ({"policies": {"credit_limit": "mine"}}, "policies['credit_limit']", "jde_wins"),
        ({"policies": {"order.total": "jde_wins"}}, "policies['order.total']", "entity.field"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(
    settings: dict[str, object], path: str, words: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        SyncConfig(**settings)  # type: ignore[arg-type]
    assert refused.value.path == f"SyncConfig.{path}"
    assert words in str(refused.value)


def test_settings_given_as_text_are_taken() -> None:
    config = SyncConfig(
        entities={"customer"},
        default_policy="zoho_wins",
        policies={"supplier.payment_terms": "jde_wins"},  # type: ignore[dict-item]
        customer_search_types=["C ", "CX"],
    )
    assert config.entities == frozenset({Entity.CUSTOMER})
    assert config.policy(Entity.CUSTOMER, "city") is FieldPolicy.ZOHO_WINS
    assert config.policy(Entity.SUPPLIER, "payment_terms") is FieldPolicy.JDE_WINS
    assert config.customer_search_types == ("C", "CX")


@pytest.fixture
def make_engine(tmp_path: Path) -> Iterator[Callable[..., SyncEngine]]:
    """Engines over clients that send nothing: the engine checks its configuration when it is made."""
    oauth = ZohoOAuth.from_refresh_token("1000.ID", "secret-of-forty-chars", "1000.refresh", Region.US)
    with (
        AisClient("https://ais.example.com", AisCredentials("JDE", "pw")) as ais,
        ZohoClient(oauth) as zoho,
        SqliteStateStore(tmp_path / "state.db") as store,
    ):

        def make(config: SyncConfig, mapper: DefaultMapper | None = None) -> SyncEngine:
            return SyncEngine(ais=ais, zoho=zoho, store=store, config=config, mapper=mapper)

        yield make


def test_a_policy_naming_no_field_is_refused_by_the_engine(make_engine: Callable[..., SyncEngine]) -> None:
    with pytest.raises(ConfigError) as refused:
        make_engine(SyncConfig(policies={"credit_limt": FieldPolicy.JDE_WINS}))
    assert refused.value.path == "SyncConfig.policies['credit_limt']"
    with pytest.raises(ConfigError, match="no contact field is named 'credit_limit'"):
        make_engine(SyncConfig(policies={"contact.credit_limit": FieldPolicy.JDE_WINS}))


def test_a_policy_may_name_a_custom_field_of_the_mapper(make_engine: Callable[..., SyncEngine]) -> None:
    region = CustomField(
        name="sales_region", entity=Entity.CUSTOMER, jde_table="F0101", jde_column="AC02",
        orchestration_input="CategoryCode02", zoho_field="Sales_Region",
    )  # fmt: skip
    mapper = DefaultMapper(MappingConfig(custom_fields=(region,)))
    engine = make_engine(SyncConfig(policies={"customer.sales_region": FieldPolicy.ZOHO_WINS}), mapper)
    assert engine.config.policy(Entity.CUSTOMER, "sales_region") is FieldPolicy.ZOHO_WINS
