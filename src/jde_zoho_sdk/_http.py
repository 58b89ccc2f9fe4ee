"""Shared HTTP mechanics: default timeouts, the one retry policy, Retry-After, and call statistics.

Both API clients send every request through :meth:`Requester.send`. The retry *decisions* are plain data
(:class:`RetryPolicy`) and small functions; the loop that counts attempts and gives up is the ``backoff``
package's.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import math
import platform
import random
import ssl
import threading
import time
from collections.abc import Callable, Generator, Mapping
from datetime import UTC, datetime
from typing import Any, Final

import attrs
import backoff
import httpx

from jde_zoho_sdk._redact import get_logger, redact_url
from jde_zoho_sdk._version import __version__
from jde_zoho_sdk.errors import RequestTimeoutError, TransportError

__all__ = [
    "DEFAULT_TIMEOUT",
    "NOT_APPLIED_STATUSES",
    "NOT_SENT_ERRORS",
    "RETRY_STATUSES",
    "CallCounts",
    "CallStats",
    "Requester",
    "RetryEvent",
    "RetryPolicy",
    "parse_retry_after",
]

_log = get_logger(__name__)

DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)
"""Applied to every request unless the caller gives another: 30 s to read, 10 s to connect."""

RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
"""Statuses worth another attempt: rate limited, bad gateway, unavailable, gateway timeout."""

NOT_APPLIED_STATUSES: Final = frozenset({429, 503})
"""Answers that say the server did not act on the request, so even a non-idempotent call may be repeated."""
NOT_SENT_ERRORS: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Failures that happen before a byte of the request reaches the server."""

USER_AGENT: Final = f"jde-zoho-sdk/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"


@attrs.frozen(kw_only=True)
class RetryEvent:
    """What :attr:`RetryPolicy.on_retry` receives before each wait.

    Attributes:
        attempt: The number of the attempt that just failed (1 for the first).
        delay: Seconds the policy waits before the next attempt.
        method: The HTTP method.
        url: The request URL, redacted.
        reason: ``"HTTP 429"``, ``"ConnectError"``...
        retry_after: The server's ``Retry-After`` in seconds, when it sent one.
    """

    attempt: int
    delay: float
    method: str
    url: str
    reason: str
    retry_after: float | None = None


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How requests are retried: exponential backoff with full jitter, bounded by tries and total time.

    A request is retried on a status in :attr:`retry_statuses` or a connection error. A request that may
    already have reached the server (a read timeout, a 502/504) is retried only when the caller marks it
    idempotent; a 429 or 503, or a failure to connect, means the server did not act, so any request may be
    repeated. ``Retry-After`` (seconds or an HTTP date) replaces the computed delay; when the server asks for
    more than :attr:`max_retry_after` or than the time left in :attr:`max_time`, the policy gives up at once
    instead of sleeping towards a failure.

    Attributes:
        max_tries: Attempts in all, the first included (1 disables retries).
        max_time: Seconds from the first attempt after which no new attempt starts.
        initial_delay: Upper bound of the first jittered wait, in seconds; doubled on each retry.
        max_delay: Cap on the upper bound of any computed wait.
        max_retry_after: The longest ``Retry-After`` the policy accepts to wait.
        retry_statuses: HTTP statuses that trigger a retry.
        on_retry: Called with a :class:`RetryEvent` before each wait (metrics, logs).
        give_up: Says, from a retryable answer, that no wait can help (a 429 whose body says the day's API
            credits are spent): the answer is returned at once.
        sleep: How to wait; replace it in tests to never sleep for real.
        clock: Monotonic seconds, used for :attr:`max_time`.
        random: Uniform ``[0, 1)`` source for the jitter.

    Example:
        >>> policy = RetryPolicy(max_tries=3, max_time=10.0)
        >>> RetryPolicy.never().max_tries
        1
    """

    max_tries: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    max_time: float = attrs.field(default=120.0, validator=attrs.validators.ge(0.0))
    initial_delay: float = attrs.field(default=0.5, validator=attrs.validators.ge(0.0))
    max_delay: float = attrs.field(default=30.0, validator=attrs.validators.ge(0.0))
    max_retry_after: float = attrs.field(default=120.0, validator=attrs.validators.ge(0.0))
    retry_statuses: frozenset[int] = attrs.field(default=RETRY_STATUSES, converter=frozenset)
    on_retry: Callable[[RetryEvent], None] | None = attrs.field(default=None, eq=False)
    give_up: Callable[[httpx.Response], bool] | None = attrs.field(default=None, eq=False)
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, eq=False, repr=False)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, eq=False, repr=False)
    random: Callable[[], float] = attrs.field(default=random.random, eq=False, repr=False)

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that makes exactly one attempt."""
        return cls(max_tries=1)

    def backoff_delay(self, retry_number: int) -> float:
        """The wait before retry ``retry_number`` (1-based), with full jitter.

        Uniform in ``[0, min(max_delay, initial_delay * 2 ** (retry_number - 1))]``.

        Args:
            retry_number: 1 for the first retry.

        Returns:
            Seconds to wait.
        """
        ceiling = min(self.max_delay, self.initial_delay * 2.0 ** (retry_number - 1))
        return float(ceiling * self.random())


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delay-seconds or an HTTP date.

    Args:
        value: The header value, or None when absent.
        now: The current time for HTTP dates (defaults to the system clock, UTC).

    Returns:
        Seconds to wait (0 for a date in the past), or None when absent or unreadable.

    Example:
        >>> parse_retry_after("7"), parse_retry_after("soon")
        (7.0, None)
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


@attrs.frozen
class CallCounts:
    """A snapshot of :class:`CallStats`.

    Attributes:
        calls: HTTP exchanges attempted (retries included).
        retries: Attempts that were retries.
        failures: Attempts that got no HTTP answer (connection errors, timeouts).
    """

    calls: int = 0
    retries: int = 0
    failures: int = 0

    def __sub__(self, other: CallCounts) -> CallCounts:
        return CallCounts(
            self.calls - other.calls, self.retries - other.retries, self.failures - other.failures
        )


class CallStats:
    """Thread-safe counters of the HTTP calls a client made."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls = 0
        self._retries = 0
        self._failures = 0

    def count(self, *, retry: bool, failure: bool) -> None:
        """Count one attempt."""
        with self._lock:
            self._calls += 1
            self._retries += retry
            self._failures += failure

    def snapshot(self) -> CallCounts:
        """Return the counts so far."""
        with self._lock:
            return CallCounts(self._calls, self._retries, self._failures)


class _RetryableError(Exception):
    """Raised inside the backoff loop for an attempt worth repeating."""

    def __init__(
        self,
        *,
        response: httpx.Response | None = None,
        error: httpx.TransportError | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__("retryable attempt")
        self.response = response
        self.error = error
        self.retry_after = retry_after

    @property
    def reason(self) -> str:
        if self.response is not None:
            return f"HTTP {self.response.status_code}"
        return type(self.error).__name__


def _as_sdk_error(error: httpx.TransportError, method: str, url: str) -> TransportError:
    kind = RequestTimeoutError if isinstance(error, httpx.TimeoutException) else TransportError
    hint = (
        "the server did not answer in time; raise the timeout or check the server's load"
        if kind is RequestTimeoutError
        else "check the URL, the network path and TLS settings"
    )
    detail = str(error) or type(error).__name__
    return kind(f"{type(error).__name__}: {detail} ({method} {url})", method=method, url=url, hint=hint)


class _Exchange:
    """One :meth:`Requester.send`: its attempts, the waits the policy chose, and the clock it started at."""

    def __init__(
        self,
        http: httpx.Client,
        stats: CallStats,
        request: httpx.Request,
        policy: RetryPolicy,
        *,
        idempotent: bool,
        auth: httpx.Auth | httpx._client.UseClientDefault,
    ) -> None:
        self.http = http
        self.stats = stats
        self.request = request
        self.policy = policy
        self.idempotent = idempotent
        self.auth = auth
        self.method = request.method
        self.started = policy.clock()
        self.tries = 0
        self.next_wait = 0.0

    @functools.cached_property
    def url(self) -> str:
        """The request's URL with secrets removed, for logs and errors (worked out only when one needs it)."""
        return redact_url(self.request.url)

    def attempt(self) -> httpx.Response:
        retry = self.tries > 0
        self.tries += 1
        begun = time.perf_counter()
        try:
            response = self.http.send(self.request, auth=self.auth)
        except httpx.TransportError as error:
            self.stats.count(retry=retry, failure=True)
            if _log.isEnabledFor(logging.DEBUG):
                _log.debug("%s %s failed: %s", self.method, self.url, type(error).__name__)
            if self.idempotent or isinstance(error, NOT_SENT_ERRORS):
                raise _RetryableError(error=error) from error
            raise
        self.stats.count(retry=retry, failure=False)
        status = response.status_code
        if _log.isEnabledFor(logging.DEBUG):  # the redacted URL is only worked out for a log line
            elapsed_ms = (time.perf_counter() - begun) * 1000
            _log.debug("%s %s -> %d in %.1f ms", self.method, self.url, status, elapsed_ms)
        give_up = self.policy.give_up
        if (
            status in self.policy.retry_statuses
            and (self.idempotent or status in NOT_APPLIED_STATUSES)
            and (give_up is None or not give_up(response))
        ):
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise _RetryableError(response=response, retry_after=retry_after)
        return response

    def waits(self) -> Generator[float, _RetryableError | None, None]:
        """The backoff wait generator: stops (backoff then gives up) when the budget cannot cover a wait."""
        policy = self.policy
        retry_number = 0
        failure = yield 0.0
        while failure is not None:
            retry_number += 1
            if failure.retry_after is not None:
                if failure.retry_after > policy.max_retry_after:
                    return
                delay = failure.retry_after
            else:
                delay = policy.backoff_delay(retry_number)
            if policy.clock() - self.started + delay > policy.max_time:
                return
            self.next_wait = delay
            # backoff would sleep with time.sleep, which tests (and a future async twin) cannot replace:
            # it is told to wait 0 s and the real wait happens in on_backoff with the policy's sleep.
            failure = yield 0.0

    def on_backoff(self, details: Mapping[str, Any]) -> None:
        failure: _RetryableError = details["exception"]
        event = RetryEvent(
            attempt=int(details["tries"]),
            delay=self.next_wait,
            method=self.method,
            url=self.url,
            reason=failure.reason,
            retry_after=failure.retry_after,
        )
        _log.info(
            "%s %s: %s, retry %d in %.2f s", self.method, self.url, event.reason, event.attempt, event.delay
        )
        if self.policy.on_retry is not None:
            self.policy.on_retry(event)
        self.policy.sleep(event.delay)


class Requester:
    """One ``httpx.Client``, a :class:`RetryPolicy` and call statistics: the HTTP core of both API clients.

    Args:
        http_client: A client to use instead of creating one (the caller keeps ownership and closes it).
        base_url: Base URL of the remote system, for relative request paths.
        timeout: Timeout for every request when the requester creates its client.
        retry: The retry policy.
        verify: TLS verification (``True``, a CA bundle path or an ``ssl.SSLContext``); never off by default.
        transport: An httpx transport (``httpx.WSGITransport`` for in-process emulators, ``MockTransport``
            in unit tests), used when the requester creates its client.
        headers: Headers added to every request.
    """

    def __init__(
        self,
        *,
        http_client: httpx.Client | None = None,
        base_url: str = "",
        timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        verify: ssl.SSLContext | str | bool = True,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.retry = retry if retry is not None else RetryPolicy()
        self.stats = CallStats()
        self._owns_client = http_client is None
        if http_client is None:
            http_client = httpx.Client(
                base_url=base_url,
                timeout=timeout,
                verify=verify,
                transport=transport,
                headers={"User-Agent": USER_AGENT, **(headers or {})},
            )
        self.http = http_client

    def close(self) -> None:
        """Close the underlying client if this requester created it."""
        if self._owns_client:
            self.http.close()

    def send(
        self,
        request: httpx.Request,
        *,
        idempotent: bool,
        auth: httpx.Auth | httpx._client.UseClientDefault = httpx.USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
    ) -> httpx.Response:
        """Send ``request`` under the retry policy and return the final answer.

        An error status is *returned* (the API layer turns it into its typed error); only a request that got
        no answer raises.

        Args:
            request: The request (its body must be bytes, so it can be sent again).
            idempotent: Whether repeating the request after it may have reached the server is harmless.
            auth: An ``httpx.Auth`` flow that adds credentials (run again on every attempt).
            retry: A policy for this call instead of the requester's.

        Returns:
            The last response received.

        Raises:
            RequestTimeoutError: The server did not answer in time, on the last attempt.
            TransportError: No HTTP answer (connection refused or reset, TLS...), on the last attempt.
        """
        policy = retry if retry is not None else self.retry
        exchange = _Exchange(self.http, self.stats, request, policy, idempotent=idempotent, auth=auth)
        retrying = backoff.on_exception(
            exchange.waits,
            _RetryableError,
            max_tries=policy.max_tries,
            jitter=None,
            on_backoff=exchange.on_backoff,
            logger=None,
        )(exchange.attempt)
        try:
            response: httpx.Response = retrying()
        except _RetryableError as last:
            if last.response is not None:
                return last.response
            if last.error is None:  # pragma: no cover - _RetryableError always carries one or the other
                raise
            raise _as_sdk_error(last.error, exchange.method, exchange.url) from last.error
        except httpx.TransportError as error:
            raise _as_sdk_error(error, exchange.method, exchange.url) from error
        return response
