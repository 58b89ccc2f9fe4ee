"""The AIS branch of the exception tree, and the mapping from AIS error answers onto it.

Every class inherits from :class:`AisError` *and* from the meaning-level class of
:mod:`jde_zoho_sdk.errors`, so a caller can catch ``AisAuthenticationError`` or the library-wide
``AuthenticationError``. AIS answers errors with a ``ServiceErrorResponse`` (``message``, ``exception``,
``exceptionId``, ``errorText``, ``userDefinedErrorText``, ``sysErrors``...); orchestrations that fail add
the ``jde__*`` trailer and the form errors (``CODE``, ``TITLE``, ``DESC``) of the step that failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Final

import attrs
import httpx

from jde_zoho_sdk._redact import redact_json, redact_text, redact_url
from jde_zoho_sdk._wire import loads_exact
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

__all__ = [
    "AisApiError",
    "AisAuthenticationError",
    "AisConfigError",
    "AisError",
    "AisNotFoundError",
    "AisPermissionDeniedError",
    "AisRateLimitedError",
    "AisServerError",
    "AisUnexpectedResponseError",
    "AisValidationError",
    "FormError",
    "OrchestrationError",
    "ResultSetExpiredError",
    "error_from_response",
    "is_invalid_session",
    "is_result_set_expired",
]

INVALID_TOKEN_STATUS: Final = 444
"""AIS's own status for an invalid or expired session token."""

# A 403 is either "Token is Invalid" (REST op-v2-orchestrator-jde-validate-session-get.html) or an
# authorization failure of a valid session. Only the former may trigger a new login.
_INVALID_TOKEN_TEXT: Final = re.compile(
    r"invalid[\s_-]*token|token[\s\w]*(?:is\s+)?(?:invalid|expired)|session[\s\w]*(?:invalid|expired)", re.I
)
_RESULT_SET_EXPIRED: Final = "JAS_MSG347"


class AisError(SdkError):
    """Base of every error about the JD Edwards AIS Server."""


class AisConfigError(AisError, ConfigError):
    """An AIS setting is invalid (base URL, time zone, page size...)."""


class AisApiError(AisError, ApiError):
    """The AIS Server answered with an error that has no more specific class."""


class AisAuthenticationError(AisApiError, AuthenticationError):
    """The credentials were refused, or the session token was refused again right after a new login."""

    default_hint = "check AisCredentials (username, password, environment, role) and the AIS login settings"


class AisPermissionDeniedError(AisApiError, PermissionDeniedError):
    """The session is valid but the user may not do this (table, application or orchestration security)."""

    default_hint = "grant the AIS user access in JD Edwards security (Security Workbench, P00950)"


class AisNotFoundError(AisApiError, NotFoundError):
    """The endpoint, table or orchestration does not exist on this AIS Server."""

    default_hint = "check the name (orchestrations are case sensitive) and that it is deployed to this server"


class AisValidationError(AisApiError, ValidationError):
    """AIS rejected the request's content (invalid JSON, an unknown column or operator...)."""


class AisRateLimitedError(AisApiError, RateLimitedError):
    """A proxy in front of AIS asked us to slow down and retries did not help."""


class AisServerError(AisApiError, ServerError):
    """AIS failed (HTTP 5xx) and retries did not help."""


class ResultSetExpiredError(AisServerError):
    """The open result set of a page chain expired (``JAS_MSG347``) and restarting did not help."""

    default_hint = "page promptly (AIS keeps a result set about 60 s) or raise resultSetTimeout in jdbj.ini"


class AisUnexpectedResponseError(AisApiError, UnexpectedResponseError):
    """AIS answered something outside its documented shape."""


@attrs.frozen(kw_only=True)
class FormError:
    """One form error or warning of an AIS answer (``{"CODE", "TITLE", "DESC", "ERRORCONTROL", "MOBILE"}``).

    Attributes:
        code: The JD Edwards error code (data dictionary glossary item), such as ``"0052"``.
        title: The short message, such as ``"Error: Business Unit Invalid"``.
        description: The long explanation (``DESC``), when AIS sent one.
        mobile: The short text for small screens (``MOBILE``), when sent.
        control: The form control in error (``ERRORCONTROL``), when sent.
    """

    code: str
    title: str
    description: str = ""
    mobile: str = ""
    control: str = ""


class OrchestrationError(AisValidationError):
    """An orchestration answered ``jde__status: "ERROR"``: a business error, whatever the HTTP status.

    Args:
        message: What failed.
        orchestration: The orchestration's name.
        form_errors: The form errors found in the answer.
        simple_message: ``jde__simpleMessage``, when sent.
        exception_id: ``exceptionId`` (the F980060 record), when sent.
        status: The HTTP status of the answer.
        details: The answer body, redacted.
        method: The HTTP method.
        url: The request URL, redacted.
    """

    default_hint = "see form_errors for the JD Edwards error codes; correct the inputs and run it again"

    def __init__(
        self,
        message: str,
        *,
        orchestration: str,
        form_errors: tuple[FormError, ...] = (),
        simple_message: str = "",
        exception_id: str = "",
        status: int | None = None,
        details: Mapping[str, object] | None = None,
        method: str = "",
        url: str = "",
    ) -> None:
        code = form_errors[0].code if form_errors else None
        super().__init__(message, status=status, code=code, details=details, method=method, url=url)
        self.orchestration = orchestration
        self.form_errors = form_errors
        self.simple_message = simple_message
        self.exception_id = exception_id


def loads(content: bytes | str) -> object:
    """Parse AIS JSON, numbers with a fraction as ``Decimal`` (see :func:`jde_zoho_sdk._wire.loads_exact`).

    Raises:
        ValueError: The content is not JSON, or is nested too deeply.
    """
    return loads_exact(content)


def body_of(response: httpx.Response) -> Mapping[str, object]:
    """The JSON object of an answer, or an empty mapping when it has none."""
    try:
        body = loads(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, Mapping) else {}


def _texts(value: object) -> str:
    return value if isinstance(value, str) else ""


def iter_form_errors(value: object) -> Iterator[FormError]:
    """Every ``{"CODE", "TITLE"...}`` object in ``errors`` or ``sysErrors`` lists, however deeply nested."""
    # A stack, not recursion: a body nested thousands of levels deep must not raise RecursionError.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, child in reversed(list(item.items())):
                if key in ("errors", "sysErrors") and isinstance(child, list):
                    stack.extend(reversed([_FormEntry(entry) for entry in child]))
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, _FormEntry) and isinstance(item.entry, Mapping):
            entry = item.entry
            if "CODE" in entry or "TITLE" in entry:
                yield FormError(
                    code=str(entry.get("CODE", "") or ""),
                    title=_texts(entry.get("TITLE")),
                    description=_texts(entry.get("DESC")),
                    mobile=_texts(entry.get("MOBILE")),
                    control=str(entry.get("ERRORCONTROL", "") or ""),
                )


@attrs.frozen
class _FormEntry:
    entry: object


def _message_of(body: Mapping[str, object]) -> str:
    for key in ("jde__simpleMessage", "message", "errorText", "userDefinedErrorText"):
        text = body.get(key)
        if isinstance(text, str) and text.strip():
            return text.strip()
    return ""


def is_invalid_session(response: httpx.Response) -> bool:
    """Whether an answer says the session token is invalid or expired (444, or a 403 saying so).

    Args:
        response: An AIS answer whose body has been read.

    Returns:
        True for 444, and for a 403 whose message names an invalid or expired token or session.
    """
    status = response.status_code
    if status == INVALID_TOKEN_STATUS:
        return True
    if status != 403:
        return False
    body = body_of(response)
    if not body:
        # Not a JSON object: plain text "Invalid Token" from a proxy or an older AIS is searched as it is.
        return bool(_INVALID_TOKEN_TEXT.search(response.text))
    # Only the keys AIS states the failure in: an orchestration's own error text elsewhere in the body
    # ("the payment token is invalid") is no session's failure, and must not be sent again.
    text = " ".join(str(body.get(key, "")) for key in ("message", "errorText", "exception"))
    return bool(_INVALID_TOKEN_TEXT.search(text))


def is_result_set_expired(response: httpx.Response) -> bool:
    """Whether an answer is the ``JAS_MSG347`` "query results expired" error of an open page chain."""
    return response.status_code >= 500 and _RESULT_SET_EXPIRED in response.text


def error_from_response(response: httpx.Response, *, what: str) -> AisApiError:
    """Build the error for an AIS error answer.

    Args:
        response: The answer (status >= 400), body read.
        what: What was asked, for the message ("browse F0101", "token request").

    Returns:
        The :class:`AisApiError` subclass that fits the status and body.
    """
    request = response.request
    method, url = request.method, redact_url(request.url)
    status = response.status_code
    body = body_of(response)
    message = _message_of(body)
    form_errors = tuple(iter_form_errors(body))
    if not message and form_errors:
        message = "; ".join(error.title for error in form_errors if error.title)
    text = redact_text(message or response.reason_phrase or f"HTTP {status}")
    code = body.get("exception")
    details = redact_json({k: v for k, v in body.items() if k != "message" or isinstance(v, str)})
    cls: type[AisApiError]
    if is_invalid_session(response):
        cls = AisAuthenticationError
        text = f"{what}: the AIS session token was refused again after a new login ({text})"
    elif status == 403:
        cls = AisPermissionDeniedError
        text = f"{what}: not authorized ({text})"
    elif is_result_set_expired(response):
        cls = ResultSetExpiredError
        text = f"{what}: {text}"
    else:
        cls = _BY_STATUS.get(status) or (AisServerError if status >= 500 else AisApiError)
        text = f"{what}: {text}"
    return cls(
        text,
        status=status,
        code=code if isinstance(code, str) else None,
        details=details if isinstance(details, Mapping) else None,
        method=method,
        url=url,
    )


_BY_STATUS: Final[Mapping[int, type[AisApiError]]] = {
    400: AisValidationError,
    401: AisAuthenticationError,
    404: AisNotFoundError,
    406: AisValidationError,
    415: AisValidationError,
    429: AisRateLimitedError,
}
