"""The Zoho CRM branch of the exception tree, and the mapping from Zoho's error envelope onto it.

Every class of an API answer inherits from :class:`ZohoError` *and* from the meaning-level class of
:mod:`jde_zoho_sdk.errors`, so a caller can catch either ``ZohoAuthenticationError`` or the library-wide
``AuthenticationError``. Two are the client's own and inherit from :class:`ZohoError` alone:
:class:`CreditBudgetExceededError` (refused before sending) and :class:`PartialWriteError` (a multi-call
write that failed after some calls landed; its ``error`` is the typed failure).

Zoho answers errors as ``{"code", "details", "message", "status"}``; :func:`error_from_envelope` picks the
class from ``code`` first and the HTTP status second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from jde_zoho_sdk.errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    SdkError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)

if TYPE_CHECKING:
    from jde_zoho_sdk.zoho.models import UpsertResult

__all__ = [
    "ApiCreditsExhaustedError",
    "CreditBudgetExceededError",
    "DuplicateDataError",
    "ForgedNotificationError",
    "InvalidDataError",
    "InvalidNotificationError",
    "LimitExceededError",
    "MandatoryNotFoundError",
    "PaginationLimitError",
    "PartialWriteError",
    "TokenThrottledError",
    "ZohoApiError",
    "ZohoAuthenticationError",
    "ZohoConfigError",
    "ZohoError",
    "ZohoNotFoundError",
    "ZohoPermissionError",
    "ZohoRateLimitedError",
    "ZohoServerError",
    "ZohoTokenError",
    "ZohoUnexpectedResponseError",
    "ZohoValidationError",
    "error_from_envelope",
    "says_credits_exhausted",
]


class ZohoError(SdkError):
    """Base of every error about Zoho CRM (combine with a meaning-level class to catch both ways)."""


class ZohoConfigError(ZohoError, ConfigError):
    """A Zoho setting is invalid: region, credentials, or an ``api_domain`` outside the configured region."""


class ZohoApiError(ZohoError, ApiError):
    """Zoho CRM answered with an error that has no more specific class."""

    @property
    def api_name(self) -> str | None:
        """The field the error is about (``details.api_name``), when Zoho named one."""
        value = self.details.get("api_name")
        return value if isinstance(value, str) else None

    @property
    def json_path(self) -> str | None:
        """Where in the request body the error is (``details.json_path``), when Zoho said."""
        value = self.details.get("json_path")
        return value if isinstance(value, str) else None


class ZohoAuthenticationError(ZohoApiError, AuthenticationError):
    """The access token was refused (``INVALID_TOKEN``, ``AUTHENTICATION_FAILURE``) even after a refresh."""

    default_hint = "check the OAuth client, the refresh token and the region; the token was refused"


class ZohoTokenError(ZohoAuthenticationError):
    """The token endpoint refused the grant (``invalid_code``, ``invalid_client``, ...).

    ``code`` holds Zoho's ``error`` value.
    """


class TokenThrottledError(ZohoApiError, RateLimitedError):
    """The token endpoint throttled us ("You have made too many requests continuously")."""

    default_hint = (
        "Zoho allows 10 access tokens per refresh token per 10 minutes; share tokens with a TokenCache "
        "and wait a few minutes before asking again"
    )


class ZohoPermissionError(ZohoApiError, PermissionDeniedError):
    """``OAUTH_SCOPE_MISMATCH``, ``NO_PERMISSION`` or ``AUTHORIZATION_FAILED``."""

    default_hint = (
        "grant the OAuth client the missing scope (ZohoCRM.modules.ALL, ZohoCRM.settings.fields.READ, "
        "ZohoCRM.notifications.ALL) or the user's profile the permission, then issue a new refresh token"
    )


class ZohoNotFoundError(ZohoApiError, NotFoundError):
    """``INVALID_MODULE`` or ``INVALID_URL_PATTERN``: the module or endpoint does not exist."""

    default_hint = "check the module API name (Accounts, Contacts, Vendors) and that the edition has it"


class ZohoValidationError(ZohoApiError, ValidationError):
    """Zoho rejected the request's content."""


class InvalidDataError(ZohoValidationError):
    """``INVALID_DATA`` (or ``EXPIRED_VALUE``, ``TOKEN_BOUND_DATA_MISMATCH``): a value Zoho refuses."""


class DuplicateDataError(ZohoValidationError):
    """``DUPLICATE_DATA``: a unique field already holds this value in another record."""

    @property
    def duplicate_record_id(self) -> str | None:
        """The id of the record that already holds the value, when Zoho said."""
        duplicate = self.details.get("duplicate_record")
        if isinstance(duplicate, Mapping):
            value = duplicate.get("id")
            return str(value) if value is not None else None
        return None


class MandatoryNotFoundError(ZohoValidationError):
    """``MANDATORY_NOT_FOUND`` or ``REQUIRED_PARAM_MISSING``: a mandatory field or parameter is missing."""


class LimitExceededError(ZohoValidationError):
    """``LIMIT_EXCEEDED`` / ``LIMIT_REACHED``: too many fields, records or search results in one call."""


class PaginationLimitError(ZohoValidationError):
    """``DISCRETE_PAGINATION_LIMIT_EXCEEDED``, ``PAGINATION_LIMIT_EXCEEDED``, or a read that cannot go on."""

    default_hint = "read with sort_by='Modified_Time' ascending so the client can continue in time windows"


class ZohoRateLimitedError(ZohoApiError, RateLimitedError):
    """``TOO_MANY_REQUESTS`` (HTTP 429): the concurrency limit, and retries did not help."""

    default_hint = "lower max_concurrency; another application may share the org's concurrency limit"


class ApiCreditsExhaustedError(ZohoRateLimitedError):
    """The org's rolling 24-hour API credits are used up; no backoff helps until they free up."""

    default_hint = (
        "stop and resume later: API credits free up over a rolling 24-hour window; buy add-on credits or "
        "spread the sync over the day"
    )


class CreditBudgetExceededError(ZohoError):
    """The next call would spend more API credits than the client's ``credit_budget`` allows.

    Raised before anything is sent.

    Args:
        budget: The budget given to the client.
        spent: Credits spent so far by the client.
        cost: What the refused call would have cost.
    """

    def __init__(self, *, budget: int, spent: int, cost: int) -> None:
        super().__init__(
            f"the call costs {cost} API credits and the client has spent {spent} of its budget of {budget}",
            hint="raise credit_budget or let the next run continue where this one stopped",
        )
        self.budget = budget
        self.spent = spent
        self.cost = cost


def _spans(indexes: Sequence[int]) -> str:
    """``[0, 1, 2, 5]`` as ``"0-2, 5"``, so a message about thousands of records stays one line."""
    spans: list[str] = []
    start = previous = None
    for index in [*indexes, None]:
        if previous is not None and index == previous + 1:
            previous = index
            continue
        if start is not None:
            spans.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = index
    return ", ".join(spans)


class PartialWriteError(ZohoError):
    """A write sent in several calls failed after some of its calls had landed.

    The records of the calls that landed are in Zoho whatever happens next: :attr:`results` holds their
    outcomes (ids included), so a caller can record them instead of sending them again (a repeated
    :meth:`~jde_zoho_sdk.zoho.ZohoClient.insert` would create twins). The failure itself is :attr:`error`
    (also the ``__cause__``), with its own type and hint.

    Args:
        operation: ``"upsert"``, ``"insert"`` or ``"update"``.
        module: The module written to.
        results: One result per record of the calls that landed (refused records included), in input order,
            each with its input ``index``.
        failed: Input indexes of the records in calls that raised.
        unsent: Input indexes of the records in calls never sent (no new call starts after a failure).
        error: The first failure, in input order.
        unknown: The indexes of ``failed`` whose call Zoho may have applied all the same: every failure but a
            refusal of the whole call (a rate or credit limit, authentication, permission, a request Zoho
            found invalid, the client's credit budget); a timeout, a server error or an answer that could
            not be read may come after Zoho applied it. It errs towards "may have": a call that failed to
            get its access token (the accounts server down) never left, yet counts here.
    """

    def __init__(
        self,
        *,
        operation: str,
        module: str,
        results: Sequence[UpsertResult],
        failed: Sequence[int],
        unsent: Sequence[int],
        error: SdkError,
        unknown: Sequence[int] = (),
    ) -> None:
        missing = _spans(sorted([*failed, *unsent]))
        super().__init__(
            f"{operation} {module}: a call failed after others had landed ({len(results)} records answered); "
            f"records {missing} are not confirmed: {error}",
            hint="record the results that came back (PartialWriteError.results) and send only the records of "
            "failed and unsent again",
        )
        self.operation = operation
        self.module = module
        self.results: tuple[UpsertResult, ...] = tuple(results)
        self.failed: tuple[int, ...] = tuple(failed)
        self.unsent: tuple[int, ...] = tuple(unsent)
        self.unknown: tuple[int, ...] = tuple(unknown)
        self.error = error


class ZohoServerError(ZohoApiError, ServerError):
    """Zoho failed (HTTP 5xx, ``INTERNAL_ERROR``) and retries did not help."""


class ZohoUnexpectedResponseError(ZohoApiError, UnexpectedResponseError):
    """Zoho answered something outside its documented shape."""


class InvalidNotificationError(ZohoError, ValidationError):
    """A notification body is not a Zoho notification (bad JSON, missing or mistyped keys)."""

    default_hint = "answer 400 and ignore it; Zoho only posts the documented callback body"


class ForgedNotificationError(ZohoError, AuthenticationError):
    """A notification carries no token or the wrong one: it did not come from our channel."""

    default_hint = "answer 401 and ignore it; check the channel token if genuine notifications are refused"


_BY_CODE: Final[Mapping[str, type[ZohoApiError]]] = MappingProxyType(
    {
        "INVALID_TOKEN": ZohoAuthenticationError,
        "INVALID_OAUTHTOKEN": ZohoAuthenticationError,
        "AUTHENTICATION_FAILURE": ZohoAuthenticationError,
        "OAUTH_SCOPE_MISMATCH": ZohoPermissionError,
        "NO_PERMISSION": ZohoPermissionError,
        "AUTHORIZATION_FAILED": ZohoPermissionError,
        "INVALID_MODULE": ZohoNotFoundError,
        "INVALID_URL_PATTERN": ZohoNotFoundError,
        "INVALID_DATA": InvalidDataError,
        "EXPIRED_VALUE": InvalidDataError,
        "TOKEN_BOUND_DATA_MISMATCH": InvalidDataError,
        "DUPLICATE_DATA": DuplicateDataError,
        "MANDATORY_NOT_FOUND": MandatoryNotFoundError,
        "REQUIRED_PARAM_MISSING": MandatoryNotFoundError,
        "LIMIT_EXCEEDED": LimitExceededError,
        "LIMIT_REACHED": LimitExceededError,
        "DISCRETE_PAGINATION_LIMIT_EXCEEDED": PaginationLimitError,
        "PAGINATION_LIMIT_EXCEEDED": PaginationLimitError,
        "TOO_MANY_REQUESTS": ZohoRateLimitedError,
        "RATE_LIMIT_EXCEEDED": ZohoRateLimitedError,
        "INTERNAL_ERROR": ZohoServerError,
    }
)
_BY_STATUS: Final[Mapping[int, type[ZohoApiError]]] = MappingProxyType(
    {
        401: ZohoAuthenticationError,
        403: ZohoPermissionError,
        404: ZohoNotFoundError,
        429: ZohoRateLimitedError,
    }
)


def says_credits_exhausted(envelope: Mapping[str, object]) -> bool:
    """Tell whether a 429 envelope says the API credits (not the concurrency limit) are used up.

    UNCONFIRMED: Zoho documents only that a 429 means either; the wording of the credits answer is not
    published, so any mention of "credit" in the message or details counts (the emulator answers so).
    """
    text = f"{envelope.get('message', '')} {envelope.get('details', '')}".lower()
    return "credit" in text


def error_from_envelope(
    status: int,
    envelope: Mapping[str, object],
    *,
    method: str = "",
    url: str = "",
    retry_after: float | None = None,
) -> ZohoApiError:
    """Build the typed error for a Zoho error envelope.

    Args:
        status: The HTTP status of the answer.
        envelope: The ``{"code", "details", "message", "status"}`` object (keys may be missing).
        method: The HTTP method, for the message.
        url: The redacted URL, for the message.
        retry_after: Seconds from ``Retry-After``, for rate-limit errors.

    Returns:
        The most specific :class:`ZohoApiError` subclass for the code, else for the status.

    Example:
        >>> error = error_from_envelope(400, {"code": "INVALID_DATA", "details": {"api_name": "Email"}})
        >>> type(error).__name__, error.api_name
        ('InvalidDataError', 'Email')
    """
    code = envelope.get("code")
    code_text = code if isinstance(code, str) else None
    message = envelope.get("message")
    message_text = message if isinstance(message, str) and message else f"Zoho CRM answered HTTP {status}"
    raw_details = envelope.get("details")
    details: Mapping[str, object] = raw_details if isinstance(raw_details, Mapping) else {}
    cls = _BY_CODE.get(code_text or "")
    if cls is None:
        cls = _BY_STATUS.get(status) or (
            ZohoServerError if status >= 500 else ZohoValidationError if 400 <= status < 500 else ZohoApiError
        )
    if issubclass(cls, ZohoRateLimitedError):
        if status == 429 and says_credits_exhausted(envelope):
            cls = ApiCreditsExhaustedError
        return cls(
            message_text,
            retry_after=retry_after,
            status=status,
            code=code_text,
            details=details,
            method=method,
            url=url,
        )
    return cls(message_text, status=status, code=code_text, details=details, method=method, url=url)
