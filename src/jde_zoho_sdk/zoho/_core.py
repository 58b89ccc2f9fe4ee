"""The machinery every ZohoClient call goes through: credits, the concurrency limit, retries, errors."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Final, TypeVar

import httpx

from jde_zoho_sdk._http import CallCounts, Requester, parse_retry_after
from jde_zoho_sdk._redact import redact_url
from jde_zoho_sdk.zoho._convert import loads
from jde_zoho_sdk.zoho._limits import ConcurrencyLimiter, CreditMeter
from jde_zoho_sdk.zoho.auth import ZohoOAuth
from jde_zoho_sdk.zoho.errors import ZohoUnexpectedResponseError, error_from_envelope

__all__ = ["ClientCore", "check_module"]

_T = TypeVar("_T")
_R = TypeVar("_R")

_MODULE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")
_JSON: Final = {"Content-Type": "application/json"}


def check_module(module: str) -> str:
    """Return ``module`` when it is shaped like a module API name.

    Raises:
        ValueError: It is not (so it never reaches a URL path).
    """
    if not _MODULE.fullmatch(module):
        raise ValueError(f"{module!r} is not a module API name (Accounts, Contacts, Vendors...)")
    return module


class ClientCore:
    """State and plumbing shared by the client's read and write methods."""

    oauth: ZohoOAuth
    api_version: str
    _requester: Requester
    _limiter: ConcurrencyLimiter
    _credits: CreditMeter
    _pool: ThreadPoolExecutor | None
    _pool_lock: threading.Lock

    def close(self) -> None:
        """Stop the batch threads and close the ``httpx.Client`` if this client created it."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
        self._requester.close()

    def __repr__(self) -> str:
        return f"ZohoClient(region={self.oauth.region.name!r}, max_concurrency={self.max_concurrency})"

    @property
    def stats(self) -> CallCounts:
        """HTTP calls made so far (retries and failures counted)."""
        return self._requester.stats.snapshot()

    @property
    def credits(self) -> int:
        """API credits spent so far: 1 per call, 1 per 10 records written."""
        return self._credits.spent

    @contextmanager
    def credit_budget(self, credits: int | None) -> Iterator[None]:
        """Spend at most ``credits`` more API credits inside the block (a per-run budget).

        A call that would pass it raises :class:`~jde_zoho_sdk.zoho.CreditBudgetExceededError` before it is
        sent. The client's own ``credit_budget`` still applies; None adds no limit.

        Args:
            credits: The credits the block may spend.

        Yields:
            Nothing; the budget holds until the block ends.

        Example:
            >>> with zoho.credit_budget(5_000):  # doctest: +SKIP
            ...     engine.run()
        """
        with self._credits.window(credits):
            yield

    @property
    def max_concurrency(self) -> int:
        """Calls in flight at once."""
        return self._limiter.limit

    @property
    def peak_concurrency(self) -> int:
        """The most calls that were in flight at once."""
        return self._limiter.peak

    # -- the one way a call is made ------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        cost: int = 1,
        batch: bool = False,
    ) -> httpx.Response:
        self._credits.spend(cost)
        url = f"{self.oauth.api_domain}/crm/{self.api_version}/{path}"
        request = self._requester.http.build_request(
            method, url, params=params, content=body, headers={**(_JSON if body else {}), **(headers or {})}
        )
        with self._limiter.slot():
            response = self._requester.send(request, idempotent=idempotent, auth=self.oauth)
        if response.status_code < 400:
            return response
        envelope = self._body(response, "error answer", strict=False)
        listed = envelope.get("data") if "code" not in envelope else None
        if batch and isinstance(listed, list):
            return response  # per-record results, all refused
        if isinstance(listed, list) and listed and isinstance(listed[0], dict):
            envelope = listed[0]
        raise error_from_envelope(
            response.status_code,
            envelope,
            method=method,
            url=redact_url(response.request.url),
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _body(self, response: httpx.Response, what: str, *, strict: bool = True) -> dict[str, object]:
        try:
            body = loads(response.content)
        except (ValueError, RecursionError):
            body = None
        if isinstance(body, dict):
            return body
        if not strict:
            return {}
        raise ZohoUnexpectedResponseError(
            f"the {what} is not a JSON object",
            status=response.status_code,
            method=response.request.method,
            url=redact_url(response.request.url),
        )

    def _run_batches(self, send: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
        """Run ``send`` on each item, concurrently up to the limit; results in order; first error wins."""
        if len(items) <= 1 or self._limiter.limit == 1:  # a pool of one thread would only add hand-offs
            return [send(item) for item in items]
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._limiter.limit, thread_name_prefix="zoho-batch")
            pool = self._pool
        futures: list[Future[_R]] = [pool.submit(send, item) for item in items]
        try:
            return [future.result() for future in futures]
        finally:
            for future in futures:
                future.cancel()
            wait(futures)
