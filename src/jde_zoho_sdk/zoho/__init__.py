"""Zoho CRM client: OAuth with regions, records (read, search, upsert in batches), fields, notifications.

Example:
    >>> from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth
    >>> oauth = ZohoOAuth.from_refresh_token("1000.ID", "client-secret", "1000.refresh-token", Region.EU)
    >>> zoho = ZohoClient(oauth, edition="enterprise")
"""

from jde_zoho_sdk.zoho._limits import EDITION_CONCURRENCY, MAX_WRITE_BATCH, Edition, write_cost
from jde_zoho_sdk.zoho.auth import AccessToken, MemoryTokenCache, TokenCache, ZohoOAuth
from jde_zoho_sdk.zoho.client import ZohoClient
from jde_zoho_sdk.zoho.entities import DEFAULT_CUSTOM_FIELDS, Account, Contact, CustomFieldNames, Vendor
from jde_zoho_sdk.zoho.errors import (
    ApiCreditsExhaustedError,
    CreditBudgetExceededError,
    DuplicateDataError,
    ForgedNotificationError,
    InvalidDataError,
    InvalidNotificationError,
    LimitExceededError,
    MandatoryNotFoundError,
    PaginationLimitError,
    PartialWriteError,
    TokenThrottledError,
    ZohoApiError,
    ZohoAuthenticationError,
    ZohoConfigError,
    ZohoError,
    ZohoNotFoundError,
    ZohoPermissionError,
    ZohoRateLimitedError,
    ZohoServerError,
    ZohoTokenError,
    ZohoUnexpectedResponseError,
    ZohoValidationError,
)
from jde_zoho_sdk.zoho.models import (
    Channel,
    DeletedRecord,
    FieldMeta,
    Lookup,
    Notification,
    PageInfo,
    PicklistValue,
    RecordError,
    UpsertResult,
    WriteAction,
    ZohoRecord,
)
from jde_zoho_sdk.zoho.notifications import MAX_CHANNEL_EXPIRY, ChannelManager, Channels, parse_notification
from jde_zoho_sdk.zoho.records import SortBy, SortOrder, criterion
from jde_zoho_sdk.zoho.regions import Environment, Region

__all__ = [
    "DEFAULT_CUSTOM_FIELDS",
    "EDITION_CONCURRENCY",
    "MAX_CHANNEL_EXPIRY",
    "MAX_WRITE_BATCH",
    "AccessToken",
    "Account",
    "ApiCreditsExhaustedError",
    "Channel",
    "ChannelManager",
    "Channels",
    "Contact",
    "CreditBudgetExceededError",
    "CustomFieldNames",
    "DeletedRecord",
    "DuplicateDataError",
    "Edition",
    "Environment",
    "FieldMeta",
    "ForgedNotificationError",
    "InvalidDataError",
    "InvalidNotificationError",
    "LimitExceededError",
    "Lookup",
    "MandatoryNotFoundError",
    "MemoryTokenCache",
    "Notification",
    "PageInfo",
    "PaginationLimitError",
    "PartialWriteError",
    "PicklistValue",
    "RecordError",
    "Region",
    "SortBy",
    "SortOrder",
    "TokenCache",
    "TokenThrottledError",
    "UpsertResult",
    "Vendor",
    "WriteAction",
    "ZohoApiError",
    "ZohoAuthenticationError",
    "ZohoClient",
    "ZohoConfigError",
    "ZohoError",
    "ZohoNotFoundError",
    "ZohoOAuth",
    "ZohoPermissionError",
    "ZohoRateLimitedError",
    "ZohoRecord",
    "ZohoServerError",
    "ZohoTokenError",
    "ZohoUnexpectedResponseError",
    "ZohoValidationError",
    "criterion",
    "parse_notification",
    "write_cost",
]
