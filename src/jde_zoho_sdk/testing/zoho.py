"""ZohoEmulator: a Zoho CRM stand-in (OAuth, records, search, upserts, fields, watch channels, callbacks).

Written from Zoho's documentation, not from this library's client (it imports nothing of
``jde_zoho_sdk.zoho``). Serve it on a loopback socket with :meth:`ZohoEmulator.serve` or in-process with
:meth:`ZohoEmulator.transport`; seed and inspect records directly; inject faults with ``emu.faults``.
Where Zoho's docs leave a behaviour open, the code says UNCONFIRMED and follows the project's reference.

Example:
    >>> emu = ZohoEmulator(page_token_reach=1_000)
    >>> account_id = emu.insert("Accounts", {"Account_Name": "Zylker", "JDE_Address_Number": "4242"})
    >>> emu.get("Accounts", account_id)["Account_Name"]
    'Zylker'
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Final
from wsgiref.types import StartResponse, WSGIEnvironment
from zoneinfo import ZoneInfo

import httpx

from jde_zoho_sdk.testing._server import EmulatorTransport, serve_wsgi
from jde_zoho_sdk.testing._zoho_api import RecordsApi
from jde_zoho_sdk.testing._zoho_http import (
    Answer,
    Change,
    LoggedRequest,
    Refusal,
    Request,
    RequestLog,
    error,
    read_request,
    respond,
)
from jde_zoho_sdk.testing._zoho_limits import CreditLedger, Gate, call_cost
from jde_zoho_sdk.testing._zoho_notify import Delivery, Notifier
from jde_zoho_sdk.testing._zoho_oauth import OAuthService
from jde_zoho_sdk.testing._zoho_schema import (
    DEFAULT_CUSTOMER_CATEGORIES,
    DEFAULT_PAYMENT_TERMS,
    ZohoField,
    build_schema,
)
from jde_zoho_sdk.testing._zoho_store import ModuleStore
from jde_zoho_sdk.testing._zoho_values import RecordRefusedError
from jde_zoho_sdk.testing._zoho_watch import WatchService
from jde_zoho_sdk.testing.faults import Faults

__all__ = ["DEFAULT_PAYMENT_TERMS", "Delivery", "LoggedRequest", "ZohoEmulator", "ZohoField"]

EDITION_CONCURRENCY: Final = {"free": 5, "standard": 10, "professional": 15, "enterprise": 20, "ultimate": 25}
_API_PATH: Final = re.compile(r"/crm/(v\d+(?:\.\d+)?)/(.+)")
_BAD_URL: Final = "Please check if the URL trying to access is a correct one"
_TOO_MANY: Final = "The number of concurrent requests exceeded the allowed limit"
# UNCONFIRMED: Zoho does not publish the body of a 429 for exhausted credits; this one says "credits".
_NO_CREDITS: Final = "API credits exhausted for the rolling 24-hour window"


class ZohoEmulator:
    """A Zoho CRM org in memory, served as a WSGI app.

    Args:
        client_id: The OAuth client it knows.
        client_secret: Its secret.
        refresh_token: The refresh token it accepts.
        org_id: The org id (client-credentials ``soid``).
        edition: The edition, for the default concurrency limit.
        clock: Returns the current aware datetime (tests move it instead of sleeping).
        timezone: The org's time zone (``Modified_Time`` carries its offset).
        access_token_ttl: Access token lifetime.
        page_token_reach: Records one ``page_token`` chain reaches (lower it to test continuation).
        discrete_page_limit: Records reachable with ``page``.
        daily_credit_cap: API credits per rolling 24 hours, or None for no cap.
        concurrency: Calls in flight at once (default by edition).
        notify: Whether channels' callbacks are posted.
        seed: Seeds ids and tokens, so runs repeat.
        payment_terms: Values of the Accounts ``Payment_Terms`` picklist.
        customer_categories: Values of the Accounts ``Customer_Category`` picklist.
        extra_fields: More fields per module.
        notify_transport: An httpx transport for callbacks (None: real sockets).
        latency: Seconds each API call takes, spent while it counts against the concurrency limit (Zoho
            answers in tens to hundreds of milliseconds; set it to make concurrency observable).
        sleep: How ``latency`` and slow-reply faults wait: served on a socket, the emulator's thread waits;
            through :meth:`transport`, the calling thread does (inject one that returns at once in tests).
    """

    def __init__(
        self,
        *,
        client_id: str = "1000.EMULATOR",
        client_secret: str = "emulator-client-secret-0123456789",  # noqa: S107 - a fake org's credential
        refresh_token: str = "1000.emulator-refresh-token.0123456789abcdef",  # noqa: S107
        org_id: str = "5725767",
        edition: str = "enterprise",
        clock: Callable[[], datetime] | None = None,
        timezone: str = "America/Los_Angeles",
        access_token_ttl: timedelta = timedelta(hours=1),
        page_token_reach: int = 100_000,
        discrete_page_limit: int = 2000,
        daily_credit_cap: int | None = None,
        concurrency: int | None = None,
        notify: bool = True,
        seed: int = 0,
        payment_terms: Sequence[str] = DEFAULT_PAYMENT_TERMS,
        customer_categories: Sequence[str] = DEFAULT_CUSTOMER_CATEGORIES,
        extra_fields: Mapping[str, Sequence[ZohoField]] | None = None,
        notify_transport: httpx.BaseTransport | None = None,
        latency: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if edition not in EDITION_CONCURRENCY:
            raise ValueError(f"unknown edition {edition!r}; one of {', '.join(EDITION_CONCURRENCY)}")
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.org_id = org_id
        self.url = "https://zoho.emulator"
        """Base URL (and the token answer's ``api_domain``): the socket's while served, else a fake host."""
        self.notify = notify
        self.latency = latency
        self._sleep = sleep
        self.zone = ZoneInfo(timezone)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._last_stamp: tuple[int, str] = (-1, "")
        self._lock = threading.RLock()
        self._gate = Gate(concurrency or EDITION_CONCURRENCY[edition])
        self._ledger = CreditLedger(self._clock, daily_credit_cap)
        rng = random.Random(seed)
        self._next = 5_725_767_000_000_100_000 + seed * 10_000_000_000
        self._oauth = OAuthService(
            client_id=client_id, client_secret=client_secret, refresh_token=refresh_token, org_id=org_id,
            clock=self._clock, ttl=access_token_ttl, rng=rng,
        )  # fmt: skip
        self._oauth.api_domain = self.url
        schema = build_schema(
            payment_terms=payment_terms, customer_categories=customer_categories, extra_fields=extra_fields
        )
        self._stores: dict[str, ModuleStore] = {}
        for module, fields in schema.items():
            self._stores[module] = ModuleStore(
                module, fields, self._stores, next_id=self._new_id, zone=self.zone, fmt=self._fmt_ts
            )
        self._records = RecordsApi(
            self._stores, clock=self._clock, fmt=self._fmt, page_token_reach=page_token_reach,
            discrete_page_limit=discrete_page_limit,
        )  # fmt: skip
        self.version = "v8"
        self._watch_service = WatchService(
            list(schema), clock=self._clock, fmt=self._fmt, resource_uri=self._resource_uri
        )
        self._notifier = Notifier(transport=notify_transport)
        self.faults = Faults(seed=seed, sleep=sleep)
        self._log = RequestLog()
        self.app = self._log.wrap(self.faults.middleware(self._wsgi))
        """The WSGI application (request log, then fault injection, then the emulated API)."""

    # -- time and ids --------------------------------------------------------------------------------

    def _new_id(self) -> int:
        self._next += 1
        return self._next

    def _fmt(self, when: datetime) -> str:
        return when.astimezone(self.zone).replace(microsecond=0).isoformat()

    def _fmt_ts(self, seconds: int) -> str:
        # Seeding stamps many records in the same second; format each second once.
        last = self._last_stamp
        if last[0] != seconds:
            last = self._last_stamp = (seconds, datetime.fromtimestamp(seconds, self.zone).isoformat())
        return last[1]

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _resource_uri(self, module: str) -> str:
        return f"{self.url}/crm/{self.version}/{module}"

    # -- serving -------------------------------------------------------------------------------------

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[ZohoEmulator]:
        """Serve on a loopback socket; ``.url`` is its base URL (also the token answer's ``api_domain``).

        Args:
            host: The address to listen on.
            port: The port; 0 for a free one.

        Yields:
            The emulator.
        """
        with serve_wsgi(self.app, host=host, port=port) as url:
            previous, self.url = self.url, url
            self._oauth.api_domain = url
            try:
                yield self
            finally:
                self._notifier.close()
                self.url = self._oauth.api_domain = previous

    def transport(self) -> EmulatorTransport:
        """An httpx transport that runs requests through the emulator in-process (base URL ``.url``)."""
        return EmulatorTransport(self.app)

    def close(self) -> None:
        """Stop the callback thread."""
        self._notifier.close()

    def __enter__(self) -> ZohoEmulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- seeding and inspection ----------------------------------------------------------------------

    def _store(self, module: str) -> ModuleStore:
        store = self._stores.get(module)
        if store is None:
            raise KeyError(f"the emulator has no module {module!r}; it has {', '.join(self._stores)}")
        return store

    def _seed(self, operation: str, module: str, rows: Iterable[Mapping[str, object]]) -> list[str]:
        store, ids = self._store(module), []
        done: dict[str, list[str]] = {"insert": [], "update": []}
        with self._lock:
            for index, row in enumerate(rows):
                try:
                    # Each row reads the clock, as rows typed in one after the other would.
                    _, action, record_id = store.write(operation, dict(row), (), index, self._now())  # type: ignore[arg-type]
                except RecordRefusedError as refused:
                    raise ValueError(f"{module} row {index} refused: {refused.envelope()}") from None
                ids.append(str(record_id))
                done[action].append(str(record_id))
        self._deliver([Change(module, action, tuple(changed)) for action, changed in done.items() if changed])
        return ids

    def insert(self, module: str, values: Mapping[str, object]) -> str:
        """Create a record as a user in the UI would (stamps times, triggers callbacks). Returns its id.

        Args:
            module: The module (``"Accounts"``).
            values: Field API name -> value (lookups as ``{"id": ...}``).

        Raises:
            ValueError: Zoho would refuse the values (the message holds Zoho's error element).
        """
        return self._seed("insert", module, [values])[0]

    def insert_many(self, module: str, rows: Iterable[Mapping[str, object]]) -> list[str]:
        """Create many records at once (one lock, indexes kept); returns their ids in order.

        Args:
            module: The module.
            rows: The records' values, as for :meth:`insert`.

        Raises:
            ValueError: Zoho would refuse a record (the message names it).
        """
        return self._seed("insert", module, rows)

    def update(self, module: str, record_id: str, changes: Mapping[str, object]) -> None:
        """Change a record as a user would (stamps ``Modified_Time``, triggers callbacks).

        Args:
            module: The module.
            record_id: The record's id.
            changes: Field API name -> new value.

        Raises:
            ValueError: Zoho would refuse the values.
        """
        self._seed("update", module, [{**changes, "id": record_id}])

    def delete(self, module: str, record_id: str) -> None:
        """Delete a record to the recycle bin (listed by the deleted-records API; triggers callbacks).

        Args:
            module: The module.
            record_id: The record's id.

        Raises:
            KeyError: There is no such record.
        """
        store = self._store(module)
        with self._lock:
            if not record_id.isdigit() or not store.delete(int(record_id), self._now()):
                raise KeyError(f"no {module} record {record_id}")
        self._deliver([Change(module, "delete", (record_id,))])

    def get(self, module: str, record_id: str) -> dict[str, object] | None:
        """A record as the API shows it (every field, lookups with names), or None.

        Args:
            module: The module.
            record_id: The record's id.
        """
        store = self._store(module)
        with self._lock:
            return (
                store.render(int(record_id))
                if record_id.isdigit() and int(record_id) in store.records
                else None
            )

    def records(self, module: str) -> list[dict[str, object]]:
        """Every record of a module, oldest id first, as the API shows them.

        Args:
            module: The module.
        """
        store = self._store(module)
        with self._lock:
            return [store.render(record_id) for record_id in sorted(store.records)]

    def count(self, module: str) -> int:
        """How many records a module holds.

        Args:
            module: The module.
        """
        return len(self._store(module).records)

    @property
    def concurrency(self) -> int:
        """Calls the emulator lets in flight at once (more get 429 ``TOO_MANY_REQUESTS``)."""
        return self._gate.limit

    @property
    def peak_concurrency(self) -> int:
        """The most API calls that were in flight at once."""
        return self._gate.peak

    @property
    def credits_used(self) -> int:
        """API credits charged so far (1 per call, 1 per 10 records written)."""
        return self._ledger.used

    @property
    def request_log(self) -> list[LoggedRequest]:
        """Requests served: method, path, status (no query strings, headers or bodies)."""
        return self._log.entries()

    @property
    def deliveries(self) -> list[Delivery]:
        """Callbacks posted so far."""
        return list(self._notifier.log)

    def wait_for_deliveries(self, timeout: float = 5.0) -> bool:
        """Block until every queued callback has been posted; False when ``timeout`` seconds pass first.

        Args:
            timeout: Seconds to wait at most.
        """
        return self._notifier.wait(timeout)

    @property
    def token_requests(self) -> int:
        """Access tokens issued."""
        return self._oauth.issued_count

    def expire_tokens(self) -> None:
        """Invalidate every access token now (the next call gets ``INVALID_TOKEN``)."""
        self._oauth.expire_all()

    def revoke_refresh_token(self) -> None:
        """Revoke the refresh token (token requests then get ``invalid_code``)."""
        self._oauth.revoke(self.refresh_token)

    def issue_grant_code(self) -> str:
        """A one-time authorization code (valid three minutes) for the authorization-code grant."""
        return self._oauth.issue_grant_code()

    # -- the API -------------------------------------------------------------------------------------

    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        request = read_request(environ)
        limited = request.path.startswith("/crm/")
        if limited and not self._gate.enter():
            return respond(start_response, error(429, "TOO_MANY_REQUESTS", _TOO_MANY))
        try:
            if limited and self.latency:
                self._sleep(self.latency)
            answer = self._dispatch(request)
        finally:
            if limited:
                self._gate.leave()
        return respond(start_response, answer)

    def _dispatch(self, request: Request) -> Answer:
        if request.path.startswith("/oauth/v2/token") and request.method == "POST":
            return self._accounts(request)
        match = _API_PATH.fullmatch(request.path)
        if match is None:
            return error(404, "INVALID_URL_PATTERN", _BAD_URL)
        return self._api(request, match.group(2))

    def _accounts(self, request: Request) -> Answer:
        if request.path == "/oauth/v2/token/revoke":
            self._oauth.revoke(request.query.get("token", ""))
            return Answer(200, {"status": "success"})
        if request.path != "/oauth/v2/token":
            return error(404, "INVALID_URL_PATTERN", _BAD_URL)
        token = self._oauth.answer(request.query)
        return Answer(token.status, dict(token.body))

    def _api(self, request: Request, rest: str) -> Answer:
        header = request.headers.get("authorization", "")
        if not header.startswith("Zoho-oauthtoken "):
            return error(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        if not self._oauth.is_valid(header.removeprefix("Zoho-oauthtoken ").strip()):
            return error(401, "INVALID_TOKEN", "invalid oauth token")
        if not self._ledger.spend(call_cost(request, rest)):
            return error(429, "TOO_MANY_REQUESTS", _NO_CREDITS, limit_type="api_credits")
        with self._lock:
            try:
                answer, changes = self._route(request, rest.split("/"))
            except Refusal as refusal:
                answer, changes = refusal.answer, []
        self._deliver(changes)
        return answer

    def _since(self, request: Request) -> int | None:
        text = request.headers.get("if-modified-since")
        if text is None:
            return None
        try:
            when = datetime.fromisoformat(text.strip())
        except ValueError:
            raise Refusal(
                error(400, "INVALID_DATA", "invalid data", param_name="If-Modified-Since")
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.zone)
        return int(when.timestamp())

    def _route(self, request: Request, parts: list[str]) -> tuple[Answer, list[Change]]:
        method, head = request.method, parts[0]
        if parts == ["settings", "fields"] and method == "GET":
            return self._records.fields(request), []
        if parts == ["actions", "watch"]:
            return self._watch_service.handle(request), []
        store = self._records.store(head)
        if store is None:
            return error(
                400, "INVALID_MODULE", "the module name given seems to be invalid", resource_path_index=0
            ), []
        if len(parts) > 2:
            return error(404, "INVALID_URL_PATTERN", _BAD_URL), []
        return self._records.route(
            store, request, parts[1] if len(parts) == 2 else None, self._since(request), self._now()
        )

    def _deliver(self, changes: Sequence[Change]) -> None:
        if self.notify:
            for job in self._watch_service.callbacks(changes, self._clock()):
                self._notifier.submit(job)
