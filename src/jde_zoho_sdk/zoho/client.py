"""ZohoClient: the one object users hold to read and write Zoho CRM records and watch channels."""

from __future__ import annotations

import re
import ssl
import threading
from types import TracebackType

import attrs
import httpx

from jde_zoho_sdk._http import DEFAULT_TIMEOUT, Requester, RetryPolicy
from jde_zoho_sdk.zoho._limits import (
    EDITION_CONCURRENCY,
    ConcurrencyLimiter,
    CreditMeter,
    Edition,
    credits_exhausted,
)
from jde_zoho_sdk.zoho._reads import RecordReads
from jde_zoho_sdk.zoho._token import is_oauth_refusal
from jde_zoho_sdk.zoho._writes import RecordWrites
from jde_zoho_sdk.zoho.auth import ZohoOAuth
from jde_zoho_sdk.zoho.errors import ZohoConfigError
from jde_zoho_sdk.zoho.notifications import Channels

__all__ = ["ZohoClient"]

# A token request carries the OAuth client's own credentials in its form, never an API token.
_NO_AUTH = httpx.Auth()


class ZohoClient(RecordReads, RecordWrites):
    """A typed, thread-safe Zoho CRM client: records, search, upserts in batches, fields, channels.

    One client is meant to be shared by every thread of a process. It owns one ``httpx.Client`` (or uses
    the caller's), caps its calls in flight at the edition's concurrency limit, retries through the
    library's :class:`~jde_zoho_sdk.RetryPolicy` (upserts and reads are retried; inserts only when Zoho
    cannot have applied them), and counts the API credits it spends.

    Args:
        oauth: The token source (:class:`~jde_zoho_sdk.zoho.ZohoOAuth`).
        edition: The org's edition, for the default concurrency (free 5, standard 10, professional 15,
            enterprise 20, ultimate 25).
        max_concurrency: Calls in flight at once, instead of the edition's limit.
        http_client: A client to use (the caller closes it).
        transport: An httpx transport for the client this one creates (emulators, tests).
        api_version: The CRM API version in URLs.
        retry: The retry policy.
        timeout: Timeout of each call, when this client creates its ``httpx.Client``.
        credit_budget: The most API credits this client may spend; a call that would pass it raises
            :class:`~jde_zoho_sdk.zoho.CreditBudgetExceededError` before anything is sent.
        verify: TLS verification of the client this one creates: True, a CA bundle path or an
            ``ssl.SSLContext`` (a TLS-inspecting proxy's CA, for example).

    Raises:
        ZohoConfigError: Unknown edition, malformed API version, a concurrency or budget under 1.

    Example:
        >>> from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth
        >>> oauth = ZohoOAuth.from_refresh_token("1000.ID", "secret", "1000.refresh", Region.EU)
        >>> with ZohoClient(oauth, edition="enterprise") as zoho:  # doctest: +SKIP
        ...     for record in zoho.iter_records("Accounts", ["Account_Name", "Email"]):
        ...         print(record.id, record.get("Account_Name"))
    """

    def __init__(
        self,
        oauth: ZohoOAuth,
        *,
        edition: Edition = "standard",
        max_concurrency: int | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        api_version: str = "v8",
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
        credit_budget: int | None = None,
        verify: ssl.SSLContext | str | bool = True,
    ) -> None:
        if edition not in EDITION_CONCURRENCY:
            raise ZohoConfigError(
                f"unknown edition {edition!r}",
                path="zoho.edition",
                hint=f"one of {', '.join(EDITION_CONCURRENCY)}",
            )
        if not re.fullmatch(r"v\d+(\.\d+)?", api_version):
            raise ZohoConfigError(
                f"{api_version!r} is not an API version such as 'v8'", path="zoho.api_version"
            )
        if max_concurrency is not None and max_concurrency < 1:
            raise ZohoConfigError(f"must be at least 1, got {max_concurrency}", path="zoho.max_concurrency")
        if credit_budget is not None and credit_budget < 1:
            raise ZohoConfigError(f"must be at least 1, got {credit_budget}", path="zoho.credit_budget")
        self.oauth = oauth
        self.api_version = api_version
        self._requester = Requester(
            http_client=http_client,
            timeout=timeout,
            retry=retry,
            verify=verify,
            transport=transport,
            headers={"Accept": "application/json"},
        )
        if self._requester.retry.give_up is None:
            # A 429 that says the day's credits are spent frees up only in hours: no backoff helps.
            self._requester.retry = attrs.evolve(self._requester.retry, give_up=credits_exhausted)
        # Token requests share the connection pool and the retry policy, but not the call counts: they
        # are no API calls and cost no credits. Zoho's own throttle ("Access Denied") lasts minutes, so
        # an answer with an OAuth error is never retried.
        give_up = self._requester.retry.give_up
        tokens = Requester(
            http_client=self._requester.http,
            retry=attrs.evolve(
                self._requester.retry,
                give_up=lambda answer: is_oauth_refusal(answer) or (give_up is not None and give_up(answer)),
            ),
        )
        self._auth = oauth.with_token_sender(
            lambda request: tokens.send(request, idempotent=True, auth=_NO_AUTH)
        )
        self._limiter = ConcurrencyLimiter(max_concurrency or EDITION_CONCURRENCY[edition])
        self._credits = CreditMeter(credit_budget)
        self._pool = None
        self._pool_lock = threading.Lock()
        self.channels = Channels(self)
        """Notification channels (:class:`~jde_zoho_sdk.zoho.Channels`)."""

    def __enter__(self) -> ZohoClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
