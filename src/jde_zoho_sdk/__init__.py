"""jde-zoho-sdk: keep Oracle JD Edwards EnterpriseOne and Zoho CRM in agreement.

The public API is re-exported here; import from ``jde_zoho_sdk`` (or its ``jde``, ``zoho`` and ``sync``
subpackages), never from underscored modules.
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

__all__ = [
    "ApiError",
    "AuthenticationError",
    "CallCounts",
    "ConfigError",
    "MappingError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RequestTimeoutError",
    "RetryEvent",
    "RetryPolicy",
    "SdkError",
    "Secret",
    "ServerError",
    "TransportError",
    "UnexpectedResponseError",
    "ValidationError",
    "__version__",
]
