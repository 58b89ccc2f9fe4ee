"""The token endpoint's answer, read into an :class:`AccessToken` or a typed error (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

import attrs
import httpx

from jde_zoho_sdk._http import parse_retry_after
from jde_zoho_sdk._redact import Secret, redact_url
from jde_zoho_sdk.zoho.errors import (
    TokenThrottledError,
    ZohoTokenError,
    ZohoUnexpectedResponseError,
    error_from_envelope,
)

__all__ = ["AccessToken", "is_oauth_refusal", "parse_token_answer"]

_DEFAULT_TTL: Final = 3600

_HINTS: Final[Mapping[str, str]] = {
    "invalid_code": (
        "the refresh token or grant code is invalid, expired, used or revoked; generate a new one in the "
        "Zoho API console (and check the region: tokens only work in the data center that issued them)"
    ),
    "invalid_client": (
        "the client id is unknown to this accounts server; check the client id and that the region is the "
        "org's data center"
    ),
    "invalid_client_secret": "the client secret does not match the client id; copy it again from the console",
    "invalid_redirect_uri": "the redirect URI must be exactly the one registered for the client",
    "missing_org_info": "the client-credentials grant needs the org id (soid=ZohoCRM.<org id>)",
    "invalid_scope": "ask only for scopes the client may have (ZohoCRM.modules.ALL, ZohoCRM.settings.ALL...)",
    "unsupported_grant_type": "this client cannot use that grant; check the client type in the API console",
}


@attrs.frozen(kw_only=True)
class AccessToken:
    """An access token and where it may be used.

    Attributes:
        access_token: The token (never shown).
        api_domain: The API origin the token answer routed us to.
        expires_at: When Zoho stops accepting it.
        scope: The scopes granted (space-separated), when Zoho said.
    """

    access_token: Secret
    api_domain: str
    expires_at: datetime
    scope: str = ""


def is_oauth_refusal(response: httpx.Response) -> bool:
    """Tell whether a token answer carries an OAuth ``error`` (a judgement of the grant, never retried).

    Args:
        response: The token endpoint's answer (its body read).

    Returns:
        True for a JSON object with an ``error`` key, such as Zoho's "Access Denied" throttle.
    """
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "error" in body


def _is_throttle(error: object, description: object) -> bool:
    text = f"{error} {description}".lower()
    return "access denied" in text or "too many requests" in text


def _expires_in(body: Mapping[str, object], what: str) -> int:
    # Legacy answers gave expires_in in milliseconds and expires_in_sec in seconds.
    value = body.get("expires_in_sec", body.get("expires_in", _DEFAULT_TTL))
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ZohoUnexpectedResponseError(
            f"{what}: expires_in is {value!r}, not a positive number of seconds"
        )
    return value


def parse_token_answer(
    response: httpx.Response, *, now: datetime, default_api_domain: str
) -> tuple[AccessToken, Secret | None]:
    """Read a token endpoint answer.

    Zoho answers grant errors with HTTP 200 and ``{"error": "invalid_code"}``, and throttling with
    ``{"error": "Access Denied", "error_description": "You have made too many requests continuously..."}``
    (HTTP 200 or 400; UNCONFIRMED which), so the body decides, not the status; except that a 5xx or a 429
    without an OAuth ``error`` is a failure of the server (often an HTML page from a gateway).

    Args:
        response: The answer (its body read).
        now: The current time, for ``expires_at``.
        default_api_domain: Used when the answer names no ``api_domain``.

    Returns:
        The access token, and the refresh token when the answer carried one (authorization-code grant).

    Raises:
        ZohoServerError: HTTP 5xx without an OAuth ``error``.
        ZohoRateLimitedError: HTTP 429 without an OAuth ``error``.
        TokenThrottledError: Too many token requests.
        ZohoTokenError: The grant was refused.
        ZohoUnexpectedResponseError: The answer is not a token answer.
        ZohoApiError: Another error status without a grant error.
    """
    try:
        url = redact_url(response.request.url)
    except RuntimeError:  # a response built by hand (tests, cassettes) has no request
        url = ""
    what = f"the token answer from {url}" if url else "the token answer"
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    judged = isinstance(body, dict) and "error" in body  # an OAuth error, whatever the status (the throttle)
    if not judged and (status >= 500 or status == 429):
        # A gateway's HTML page or a bare rate limit: the accounts server did not judge the grant.
        envelope = body if isinstance(body, dict) else {}
        message = envelope.get("message") or f"the token endpoint answered HTTP {status}"
        raise error_from_envelope(
            status,
            {**envelope, "message": message},
            method="POST",
            url=url,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if body is None:
        raise ZohoUnexpectedResponseError(f"{what} is not JSON", status=status, method="POST", url=url)
    if not isinstance(body, dict):
        raise ZohoUnexpectedResponseError(
            f"{what} is not a JSON object", status=response.status_code, url=url
        )
    error = body.get("error")
    if error is not None:
        description = body.get("error_description")
        if _is_throttle(error, description):
            raise TokenThrottledError(
                f"the token endpoint throttled the refresh: {description or error}",
                status=response.status_code,
                code=str(error),
                method="POST",
                url=url,
            )
        code = str(error)
        raise ZohoTokenError(
            f"the token endpoint refused the grant: {code}",
            status=response.status_code,
            code=code,
            method="POST",
            url=url,
            hint=_HINTS.get(code),
        )
    if response.status_code >= 400:
        raise error_from_envelope(response.status_code, body, method="POST", url=url)
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise ZohoUnexpectedResponseError(f"{what} has no access_token", status=response.status_code, url=url)
    api_domain = body.get("api_domain", default_api_domain)
    if not isinstance(api_domain, str):
        raise ZohoUnexpectedResponseError(f"{what}: api_domain is not a string", url=url)
    scope = body.get("scope")
    token = AccessToken(
        access_token=Secret(access),
        api_domain=api_domain.rstrip("/"),
        expires_at=now + timedelta(seconds=_expires_in(body, what)),
        scope=scope if isinstance(scope, str) else "",
    )
    refresh = body.get("refresh_token")
    return token, Secret(refresh) if isinstance(refresh, str) and refresh else None
