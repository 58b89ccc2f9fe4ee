"""jde-zoho-sdk: keep Oracle JD Edwards EnterpriseOne and Zoho CRM in agreement.

The public API is re-exported here; import from ``jde_zoho_sdk`` (or its ``jde``, ``zoho`` and ``sync``
subpackages), never from underscored modules.

Example::

    from jde_zoho_sdk import AisClient, AisCredentials, Region, SqliteStateStore, SyncEngine
    from jde_zoho_sdk import ZohoClient, ZohoOAuth

    ais = AisClient("https://ais.example.com", AisCredentials("SYNC", password), timezone="America/Chicago")
    zoho = ZohoClient(ZohoOAuth.from_refresh_token(client_id, client_secret, refresh_token, Region.US))
    report = SyncEngine(ais=ais, zoho=zoho, store=SqliteStateStore("sync.db")).run()
"""

from jde_zoho_sdk._http import CallCounts, RetryEvent, RetryPolicy
from jde_zoho_sdk._redact import Secret
from jde_zoho_sdk._version import __version__
from jde_zoho_sdk.errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    MappingError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RequestTimeoutError,
    SdkError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync import (
    DefaultMapper,
    MappingConfig,
    SqliteStateStore,
    SyncConfig,
    SyncEngine,
    SyncPlan,
    SyncReport,
)
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth

__all__ = [
    "AisClient",
    "AisCredentials",
    "ApiError",
    "AuthenticationError",
    "CallCounts",
    "ConfigError",
    "DefaultMapper",
    "MappingConfig",
    "MappingError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "Region",
    "RequestTimeoutError",
    "RetryEvent",
    "RetryPolicy",
    "SdkError",
    "Secret",
    "ServerError",
    "SqliteStateStore",
    "SyncConfig",
    "SyncEngine",
    "SyncPlan",
    "SyncReport",
    "TransportError",
    "UnexpectedResponseError",
    "ValidationError",
    "ZohoClient",
    "ZohoOAuth",
    "__version__",
]
