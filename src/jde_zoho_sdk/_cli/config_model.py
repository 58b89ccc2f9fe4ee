"""The shape of the ``jde-zoho`` TOML config file: one frozen attrs class per section.

These classes hold what the file says, typed as TOML types (text, integers, booleans, arrays, tables);
``config.py`` structures them with cattrs, checks the values that types cannot express (regions, URLs, zone
names, schedules) and reports every problem at once. Secrets are never fields here: a section names an
environment variable (``*_env``) or a command (``*_command``) that gives each secret.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from jde_zoho_sdk.sync import OrchestrationNames, ZohoFieldNames

__all__ = [
    "DEFAULT_SCOPES",
    "AppConfig",
    "JdeSection",
    "MappingSection",
    "OrchestrationSection",
    "ServeSection",
    "SyncSection",
    "ZohoFieldsSection",
    "ZohoSection",
]

_NAMES = OrchestrationNames()
_FIELDS = ZohoFieldNames()

DEFAULT_SCOPES = ("ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL", "ZohoCRM.notifications.ALL")
"""Scopes asked for by the client-credentials grant when the file names none."""


@attrs.frozen(kw_only=True)
class OrchestrationSection:
    """``[jde.orchestrations]``: the names of the JDE orchestrations the sync calls."""

    create_customer: str = _NAMES.create_customer
    update_customer: str = _NAMES.update_customer
    create_contact: str = _NAMES.create_contact
    update_contact: str = _NAMES.update_contact
    create_supplier: str = _NAMES.create_supplier
    update_supplier: str = _NAMES.update_supplier
    flag_deleted: str | None = None


@attrs.frozen(kw_only=True)
class JdeSection:
    """``[jde]``: the AIS Server, who logs in, and what a customer and a supplier are."""

    base_url: str
    username: str
    timezone: str
    password_env: str | None = None
    password_command: tuple[str, ...] | None = None
    environment: str | None = None
    role: str | None = None
    device_name: str = "jde-zoho-sdk"
    verify: bool | str = True
    allow_insecure_http: bool = False
    company: str = "00000"
    customer_search_types: tuple[str, ...] = ("C",)
    supplier_search_types: tuple[str, ...] = ("V",)
    page_size: int = 500
    emails_any_case: bool = True
    orchestrations: OrchestrationSection = OrchestrationSection()


@attrs.frozen(kw_only=True)
class ZohoFieldsSection:
    """``[zoho.fields]``: API names of the custom fields the sync relies on in this org."""

    jde_address_number: str = _FIELDS.jde_address_number
    jde_contact_key: str = _FIELDS.jde_contact_key
    tax_id: str = _FIELDS.tax_id
    email: str = _FIELDS.email
    credit_limit: str = _FIELDS.credit_limit
    payment_terms: str = _FIELDS.payment_terms
    credit_hold: str = _FIELDS.credit_hold
    customer_category: str = _FIELDS.customer_category
    audit_id: str = _FIELDS.audit_id
    jde_deleted: str = _FIELDS.jde_deleted
    currency: str | None = None


@attrs.frozen(kw_only=True)
class ZohoSection:
    """``[zoho]``: the data center, the OAuth client and grant, the edition and its limits."""

    client_id: str
    region: str | None = None
    environment: str = "production"
    accounts_url: str | None = None
    api_domain: str | None = None
    allow_insecure_http: bool = False
    grant: str = "refresh_token"
    client_secret_env: str | None = None
    client_secret_command: tuple[str, ...] | None = None
    refresh_token_env: str | None = None
    refresh_token_command: tuple[str, ...] | None = None
    org_id: str | None = None
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    edition: str = "standard"
    credit_budget: int | None = None
    fields: ZohoFieldsSection = ZohoFieldsSection()


@attrs.frozen(kw_only=True)
class SyncSection:
    """``[sync]``: the state file, what is synced, batch sizes and field policies."""

    state: str = "jde-zoho-sync.db"
    entities: tuple[str, ...] = ("customer", "contact", "supplier")
    overlap_minutes: int = 5
    batch_size: int = 200
    jde_concurrency: int = 1
    default_policy: str = "newest_wins"
    create_contacts_without_email: bool = False
    flag_zoho_on_jde_delete: bool = False
    policies: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class MappingSection:
    """``[mapping]``: value tables of ``JDE code = "Zoho value"``, added to the built-in ones."""

    payment_terms: dict[str, str] = attrs.field(factory=dict)
    customer_categories: dict[str, str] = attrs.field(factory=dict)
    countries: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class ServeSection:
    """``[serve]``: the notification endpoint and the schedules of ``jde-zoho serve``."""

    listen: str = "127.0.0.1:8080"
    notify_url: str | None = None
    path: str = "/zoho/notify"
    jde_schedule: str = "daily 02:00"
    reconcile_schedule: str = "daily 03:00"
    queue_delay_seconds: float = 30.0
    channel_lifetime_seconds: int = 7 * 24 * 3600 - 600
    channel_renew_before_seconds: int = 3600
    threads: int = 4


@attrs.frozen(kw_only=True)
class AppConfig:
    """A whole, checked config file.

    Attributes:
        jde: The ``[jde]`` section.
        zoho: The ``[zoho]`` section.
        sync: The ``[sync]`` section.
        mapping: The ``[mapping]`` section.
        serve: The ``[serve]`` section.
        source: The file it was read from (relative paths in it are relative to its directory).
    """

    jde: JdeSection
    zoho: ZohoSection
    sync: SyncSection = SyncSection()
    mapping: MappingSection = MappingSection()
    serve: ServeSection = ServeSection()
    source: Path = Path("jde-zoho.toml")

    @property
    def state_path(self) -> Path:
        """The state file, resolved against the config file's directory."""
        path = Path(self.sync.state).expanduser()
        return path if path.is_absolute() else self.source.parent / path
