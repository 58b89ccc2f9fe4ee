"""Oracle JD Edwards EnterpriseOne AIS Server client.

Example:
    >>> from jde_zoho_sdk.jde import AisClient, AisCredentials, F0101, Condition, Operator
    >>> with AisClient("https://ais.example.com:9300", AisCredentials("JDE", "pw")) as ais:  # doctest: +SKIP
    ...     for customer in ais.browse_as(F0101, where=Condition("AT1", Operator.EQUAL, "C")):
    ...         print(customer.address_number, customer.alpha_name, customer.updated_at)
"""

from jde_zoho_sdk.jde import dates
from jde_zoho_sdk.jde._convert import DiscoveredOrchestration, OrchestrationParameter
from jde_zoho_sdk.jde.auth import AisCredentials, SessionInfo
from jde_zoho_sdk.jde.client import AisClient
from jde_zoho_sdk.jde.dates import DateFormat
from jde_zoho_sdk.jde.errors import (
    AisApiError,
    AisAuthenticationError,
    AisConfigError,
    AisError,
    AisNotFoundError,
    AisPermissionDeniedError,
    AisRateLimitedError,
    AisServerError,
    AisUnexpectedResponseError,
    AisValidationError,
    FormError,
    OrchestrationError,
    ResultSetExpiredError,
)
from jde_zoho_sdk.jde.orchestrations import InputFormat, OrchestrationResult
from jde_zoho_sdk.jde.query import Condition, MatchType, Operator, Query, QueryValue, changed_since
from jde_zoho_sdk.jde.rows import DEFAULT_DATE_COLUMNS, Row
from jde_zoho_sdk.jde.tables import F0101, F0111, F0115, F01151, F0116, F03012, F0401, TABLE_KEYS, TableRow

__all__ = [
    "DEFAULT_DATE_COLUMNS",
    "F0101",
    "F0111",
    "F0115",
    "F01151",
    "F0116",
    "F03012",
    "F0401",
    "TABLE_KEYS",
    "AisApiError",
    "AisAuthenticationError",
    "AisClient",
    "AisConfigError",
    "AisCredentials",
    "AisError",
    "AisNotFoundError",
    "AisPermissionDeniedError",
    "AisRateLimitedError",
    "AisServerError",
    "AisUnexpectedResponseError",
    "AisValidationError",
    "Condition",
    "DateFormat",
    "DiscoveredOrchestration",
    "FormError",
    "InputFormat",
    "MatchType",
    "Operator",
    "OrchestrationError",
    "OrchestrationParameter",
    "OrchestrationResult",
    "Query",
    "QueryValue",
    "ResultSetExpiredError",
    "Row",
    "SessionInfo",
    "TableRow",
    "changed_since",
    "dates",
]
