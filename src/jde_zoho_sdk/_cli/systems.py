"""Build the library's objects from a checked config: clients, state store, engine, channel keeper.

Every command that connects goes through :func:`open_systems`, so ``sync``, ``serve``, ``doctor`` and the
demo all build their clients the same way (the demo with a config that points at the emulators).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import attrs

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk._cli.config import LoadedConfig, Secrets
from jde_zoho_sdk._cli.config_model import AppConfig
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync import (
    DEFAULT_POLICIES,
    ChannelKeeper,
    DefaultMapper,
    Entity,
    FieldPolicy,
    MappingConfig,
    OrchestrationNames,
    SqliteStateStore,
    SyncConfig,
    SyncEngine,
    SyncObserver,
    ValueMap,
    ZohoFieldNames,
)
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth

__all__ = [
    "Systems",
    "ais_client",
    "ais_verify",
    "mapping_config",
    "open_store",
    "open_systems",
    "region",
    "sync_config",
    "zoho_client",
]


def region(config: AppConfig) -> Region:
    """The Zoho data center (with its sandbox or developer host), or the private set-up the file names."""
    zoho = config.zoho
    if zoho.region is None:
        assert zoho.accounts_url is not None
        assert zoho.api_domain is not None
        return Region.custom(zoho.accounts_url, zoho.api_domain, allow_insecure_http=zoho.allow_insecure_http)
    center = Region.named(zoho.region)
    return center if zoho.environment == "production" else center.with_environment(zoho.environment)  # type: ignore[arg-type]


def _value_map(base: ValueMap, extra: dict[str, str]) -> ValueMap:
    # The file's entries are added to the built-in table; a code it names takes the file's value.
    return attrs.evolve(base, pairs={**base.pairs, **extra}) if extra else base


def mapping_config(config: AppConfig) -> MappingConfig:
    """The mapper's configuration: the built-in value tables plus the file's, and the org's field names."""
    defaults = MappingConfig()
    fields = attrs.asdict(config.zoho.fields)
    return attrs.evolve(
        defaults,
        payment_terms=_value_map(defaults.payment_terms, config.mapping.payment_terms),
        customer_categories=_value_map(defaults.customer_categories, config.mapping.customer_categories),
        countries=_value_map(defaults.countries, config.mapping.countries),
        zoho_fields=ZohoFieldNames(**fields),
    )


def sync_config(config: AppConfig) -> SyncConfig:
    """The engine's configuration from ``[sync]``, ``[jde]`` and ``[zoho]``."""
    sync, jde = config.sync, config.jde
    policies = {**DEFAULT_POLICIES, **{name: FieldPolicy(value) for name, value in sync.policies.items()}}
    return SyncConfig(
        entities=frozenset(Entity(name) for name in sync.entities),
        orchestrations=OrchestrationNames(**attrs.asdict(jde.orchestrations)),
        company=jde.company,
        customer_search_types=jde.customer_search_types,
        supplier_search_types=jde.supplier_search_types,
        policies=MappingProxyType(policies),
        default_policy=FieldPolicy(sync.default_policy),
        overlap=timedelta(minutes=sync.overlap_minutes),
        jde_page_size=jde.page_size,
        jde_emails_any_case=jde.emails_any_case,
        batch_size=sync.batch_size,
        jde_concurrency=sync.jde_concurrency,
        zoho_credit_budget=config.zoho.credit_budget,
        create_contacts_without_email=sync.create_contacts_without_email,
        flag_zoho_on_jde_delete=sync.flag_zoho_on_jde_delete,
    )


def ais_verify(config: AppConfig) -> bool | str:
    """``[jde] verify``: a boolean, or the CA bundle's path resolved against the config file's directory."""
    verify = config.jde.verify
    return str(config.source.parent / Path(verify).expanduser()) if isinstance(verify, str) else verify


def ais_client(
    config: AppConfig,
    secrets: Secrets,
    *,
    clock: Callable[[], datetime] | None = None,
    retry: RetryPolicy | None = None,
    timeout: float | None = None,
) -> AisClient:
    """The AIS client of ``[jde]``."""
    jde = config.jde
    verify = ais_verify(config)
    extra: dict[str, object] = {} if timeout is None else {"timeout": timeout}
    return AisClient(
        jde.base_url,
        AisCredentials(jde.username, secrets.jde_password, environment=jde.environment, role=jde.role),
        device_name=jde.device_name,
        timezone=jde.timezone,
        verify=verify,
        allow_insecure_http=jde.allow_insecure_http,
        retry=retry,
        clock=clock,
        **extra,  # type: ignore[arg-type]
    )


def zoho_client(
    config: AppConfig,
    secrets: Secrets,
    *,
    clock: Callable[[], datetime] | None = None,
    retry: RetryPolicy | None = None,
    timeout: float | None = None,
) -> ZohoClient:
    """The Zoho client of ``[zoho]`` (refresh-token or client-credentials grant)."""
    zoho = config.zoho
    if zoho.grant == "client_credentials":
        assert zoho.org_id is not None
        oauth = ZohoOAuth.from_client_credentials(
            zoho.client_id, secrets.zoho_client_secret, zoho.org_id, zoho.scopes, region(config), clock=clock
        )
    else:
        assert secrets.zoho_refresh_token is not None
        oauth = ZohoOAuth.from_refresh_token(
            zoho.client_id,
            secrets.zoho_client_secret,
            secrets.zoho_refresh_token,
            region(config),
            clock=clock,
        )
    extra: dict[str, object] = {} if timeout is None else {"timeout": timeout}
    return ZohoClient(oauth, edition=zoho.edition, retry=retry, **extra)  # type: ignore[arg-type]


def open_store(config: AppConfig) -> SqliteStateStore:
    """The state store of ``[sync] state`` (created with its schema when missing)."""
    return SqliteStateStore(config.state_path)


def modules(config: AppConfig) -> list[str]:
    """The Zoho modules of the synced entities, for the notification channel."""
    mapper = DefaultMapper(mapping_config(config))
    return [mapper.zoho_identity(entity).module for entity in Entity if str(entity) in config.sync.entities]


@attrs.define
class Systems:
    """Everything a connecting command uses, built from one config.

    Attributes:
        config: The config.
        ais: The AIS client.
        zoho: The Zoho client.
        store: The state store.
        engine: The sync engine over them.
    """

    config: AppConfig
    ais: AisClient
    zoho: ZohoClient
    store: SqliteStateStore
    engine: SyncEngine

    def keeper(self, notify_url: str, *, clock: Callable[[], datetime] | None = None) -> ChannelKeeper:
        """The notification channel keeper for ``notify_url`` with ``[serve]``'s lifetime and renewal."""
        serve = self.config.serve
        return ChannelKeeper(
            self.zoho,
            self.store,
            modules=modules(self.config),
            notify_url=notify_url,
            lifetime=timedelta(seconds=serve.channel_lifetime_seconds),
            renew_before=timedelta(seconds=serve.channel_renew_before_seconds),
            clock=clock,
        )


@contextlib.contextmanager
def open_systems(
    loaded: LoadedConfig,
    *,
    observers: Sequence[SyncObserver] = (),
    clock: Callable[[], datetime] | None = None,
    retry: RetryPolicy | None = None,
) -> Iterator[Systems]:
    """Open the clients, the store and the engine of a config; close them all when the block ends.

    Args:
        loaded: The config, loaded with its secrets.
        observers: The engine's observers (progress, logs).
        clock: Aware "now" for clients and engine (the demo moves its own clock).
        retry: The retry policy of both clients.

    Yields:
        The systems.
    """
    config, secrets = loaded.config, loaded.require_secrets()
    with contextlib.ExitStack() as stack:
        ais = stack.enter_context(ais_client(config, secrets, clock=clock, retry=retry))
        zoho = stack.enter_context(zoho_client(config, secrets, clock=clock, retry=retry))
        store = stack.enter_context(open_store(config))
        engine = SyncEngine(
            ais=ais,
            zoho=zoho,
            store=store,
            mapper=DefaultMapper(mapping_config(config)),
            config=sync_config(config),
            observers=observers,
            clock=clock,
        )
        yield Systems(config=config, ais=ais, zoho=zoho, store=store, engine=engine)
