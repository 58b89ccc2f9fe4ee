"""The machinery every ZohoClient call goes through: credits, the concurrency limit, retries, errors."""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Final, TypeVar

import httpx

from jde_zoho_sdk._http import CallCounts, Requester, parse_retry_after
from jde_zoho_sdk._redact import redact_url
from jde_zoho_sdk.zoho._convert import loads
from jde_zoho_sdk.zoho._limits import ConcurrencyLimiter, CreditMeter
from jde_zoho_sdk.zoho.auth import ZohoOAuth
from jde_zoho_sdk.zoho.errors import ZohoUnexpectedResponseError, error_from_envelope

__all__ = ["NOT_SENT", "ClientCore", "check_module"]

_T = TypeVar("_T")
_R = TypeVar("_R")


class _NotSent(enum.Enum):
    NOT_SENT = "not sent"


NOT_SENT: Final = _NotSent.NOT_SENT
"""The outcome of a batch item that never started because an earlier one failed."""

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
    _auth: httpx.Auth
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
            response = self._requester.send(request, idempotent=idempotent, auth=self._auth)
        if response.status_code < 400:
            return response
        envelope = self._body(response, "error answer", strict=False)
        # Record calls list per-item results under data[], the notification API under watch[].
        listed = None if "code" in envelope else envelope.get("data", envelope.get("watch"))
        if batch and isinstance(listed, list):
            return response  # per-item results, all refused
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
        outcomes = self._settle_batches(send, items)
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome
        return [outcome for outcome in outcomes if not isinstance(outcome, Exception | _NotSent)]

    def _settle_batches(
        self, send: Callable[[_T], _R], items: Sequence[_T]
    ) -> list[_R | Exception | _NotSent]:
        """Run ``send`` on each item, concurrently up to the limit, and say how each one ended.

        Returns, in input order, each item's result, the exception it raised, or :data:`NOT_SENT` when it
        never started: no new item starts after the first failure, but those already running finish, so
        what they did is known.
        """
        outcomes: list[_R | Exception | _NotSent] = [NOT_SENT] * len(items)
        if len(items) <= 1 or self._limiter.limit == 1:  # a pool of one thread would only add hand-offs
            for position, item in enumerate(items):
                try:
                    outcomes[position] = send(item)
                except Exception as error:  # the caller decides what a failed batch means
                    outcomes[position] = error
                    break
            return outcomes
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._limiter.limit, thread_name_prefix="zoho-batch")
            pool = self._pool
        futures: list[Future[_R]] = [pool.submit(send, item) for item in items]
        try:
            wait(futures, return_when=FIRST_EXCEPTION)
        finally:
            for future in futures:
                future.cancel()  # only those not started yet
            wait(futures)
        for position, future in enumerate(futures):
            if future.cancelled():
                continue
            failure = future.exception()
            if failure is None:
                outcomes[position] = future.result()
            elif isinstance(failure, Exception):
                outcomes[position] = failure
            else:
                raise failure  # KeyboardInterrupt and the like are not an outcome of the batch
        return outcomes
