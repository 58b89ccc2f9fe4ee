"""The one exception tree of jde-zoho-sdk.

Everything the library raises on purpose is an :class:`SdkError`. Errors are grouped by *meaning*
(:class:`AuthenticationError`, :class:`RateLimitedError`, ...) and each remote system adds its own branch
(``AisError``, ``ZohoError``) whose classes inherit from both the system's base and the meaning, so either
can be caught::

    try:
        client.browse("F0101", ["AN8"])
    except AuthenticationError:  # catches AisAuthenticationError and ZohoAuthenticationError
        ...

Messages never contain secrets: URLs are redacted before they are stored on an error, and every message
ends with what to do next where that is known (the ``hint``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

__all__ = [
    "ApiError",
    "AuthenticationError",
    "ConfigError",
    "MappingError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RequestTimeoutError",
    "SdkError",
    "ServerError",
    "TransportError",
    "UnexpectedResponseError",
    "ValidationError",
    "error_class_for_status",
]

_EMPTY: Mapping[str, object] = MappingProxyType({})


class SdkError(Exception):
    """Root of every error raised by jde-zoho-sdk.

    Args:
        message: What went wrong, in words an operator understands.
        hint: What to do next, when known; appended to ``str(error)``.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        text = self._describe()
        return f"{text}; {self.hint}" if self.hint else text

    def _describe(self) -> str:
        return self.message


class ConfigError(SdkError):
    """A setting, credential or configuration file is missing or invalid.

    Raised before anything is sent to a remote system. ``path`` names the offending setting
    (for example ``"zoho.region"``) when there is one.

    Args:
        message: What is wrong with the setting.
        path: The dotted path of the setting, if any.
        hint: What to do next.
    """

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        super().__init__(f"{path}: {message}" if path else message, hint=hint)
        self.path = path


class MappingError(SdkError):
    """A record could not be mapped between JD Edwards and Zoho CRM.

    Only the record named is affected; the engine records it as a failure and goes on with the batch.

    Args:
        message: Why the value cannot be mapped.
        field: The canonical or remote field whose value was wrong.
        record_key: The key of the record (``"jde:F0101:4242"``, ``"zoho:Accounts:5725767000003000064"``).
        hint: What to do next (for example "add the code to MappingConfig.payment_terms").
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        record_key: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ", ".join(part for part in (record_key, f"field {field!r}" if field else None) if part)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.field = field
        self.record_key = record_key


class TransportError(SdkError):
    """The request did not get an HTTP answer: connection refused or reset, DNS, TLS, protocol errors.

    Args:
        message: What failed.
        method: The HTTP method of the request.
        url: The request URL with secrets removed.
        hint: What to do next.
    """

    def __init__(self, message: str, *, method: str = "", url: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.method = method
        self.url = url


class RequestTimeoutError(TransportError):
    """The remote system did not answer within the configured timeout."""


class ApiError(SdkError):
    """The remote system answered with an error.

    Args:
        message: The remote system's message (or ours when it gave none).
        status: The HTTP status code.
        code: The remote error code (Zoho ``code``, AIS ``exception`` or form error ``CODE``), if any.
        details: Structured details from the error body (redacted).
        method: The HTTP method of the request.
        url: The request URL with secrets removed.
        hint: What to do next.
    """

    default_hint: ClassVar[str | None] = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: Mapping[str, object] | None = None,
        method: str = "",
        url: str = "",
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint if hint is not None else self.default_hint)
        self.status = status
        self.code = code
        self.details: Mapping[str, object] = MappingProxyType(dict(details)) if details else _EMPTY
        self.method = method
        self.url = url

    def _describe(self) -> str:
        text = f"[{self.code}] {self.message}" if self.code else self.message
        where = " ".join(part for part in (self.method, self.url) if part)
        if self.status is not None:
            where = f"{where} -> HTTP {self.status}" if where else f"HTTP {self.status}"
        return f"{text} ({where})" if where else text


class AuthenticationError(ApiError):
    """Credentials or session token were refused."""

    default_hint = "check the credentials; they were refused by the remote system"


class PermissionDeniedError(ApiError):
    """The credentials are valid but lack the permission or scope for this call."""

    default_hint = "grant the service account the missing permission or OAuth scope"


class NotFoundError(ApiError):
    """The record, table, module or orchestration asked for does not exist."""


class ValidationError(ApiError):
    """The remote system rejected the request's content (bad field value, missing mandatory field...)."""


class RateLimitedError(ApiError):
    """The remote system asked us to slow down (HTTP 429) and retries did not help.

    Args:
        message: The remote message.
        retry_after: Seconds the server asked us to wait, when it said.
        status: The HTTP status code (429 unless the system signals rate limits otherwise).
        code: The remote error code.
        details: Structured details from the error body.
        method: The HTTP method of the request.
        url: The request URL with secrets removed.
        hint: What to do next.
    """

    default_hint = "lower the concurrency or spread the work over time"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        code: str | None = None,
        details: Mapping[str, object] | None = None,
        method: str = "",
        url: str = "",
        hint: str | None = None,
    ) -> None:
        super().__init__(
            message, status=status, code=code, details=details, method=method, url=url, hint=hint
        )
        self.retry_after = retry_after


class ServerError(ApiError):
    """The remote system failed (HTTP 5xx) and retries did not help."""

    default_hint = "the remote system failed; try again later or ask its administrators"


class UnexpectedResponseError(ApiError):
    """The remote system answered something that does not match its documented shape."""

    default_hint = "the remote system answered outside its documented shape; check its version and report it"


_BY_STATUS: Mapping[int, type[ApiError]] = MappingProxyType(
    {
        400: ValidationError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ValidationError,
        412: ValidationError,
        422: ValidationError,
        429: RateLimitedError,
    }
)


def error_class_for_status(status: int) -> type[ApiError]:
    """Return the meaning-level error class for an HTTP status.

    Args:
        status: The HTTP status code of an error answer.

    Returns:
        The :class:`ApiError` subclass that describes it (``ApiError`` itself when none fits).

    Example:
        >>> error_class_for_status(429).__name__
        'RateLimitedError'
    """
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)
