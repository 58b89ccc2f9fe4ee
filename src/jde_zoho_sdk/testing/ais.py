"""An emulator of the JD Edwards AIS Server endpoints the SDK uses, for tests, the demo and benchmarks.

Written from Oracle's documentation (see ``reference/jde-ais.md``), not from the client: it imports nothing
of :mod:`jde_zoho_sdk.jde`. It serves ``POST /jderest/v2/tokenrequest`` (and ``/logout``, ``/validate``),
``POST /jderest/v2/dataservice`` (BROWSE) with ``/next`` pages, ``POST /jderest/v3/orchestrator/{name}``
and ``GET /jderest/discover``, as a WSGI app: in-process through :meth:`AisEmulator.transport` or on a
real loopback socket with :meth:`AisEmulator.serve`.

Example:
    >>> from jde_zoho_sdk.testing.ais import AisEmulator
    >>> emu = AisEmulator(users={"JDE": "JDE"})
    >>> emu.tables.insert("F0101", {"ALPH": "Acme Industrial", "AT1": "C"})["AN8"]
    1001
    >>> with emu.serve() as running:  # doctest: +SKIP
    ...     ...  # point an AisClient at running.url
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Final
from wsgiref.types import WSGIApplication
from zoneinfo import ZoneInfo

from jde_zoho_sdk.testing._ais_builtins import BUILT_INS
from jde_zoho_sdk.testing._ais_data import DataService
from jde_zoho_sdk.testing._ais_endpoints import Endpoints, OrchestrationRecord, RequestRecord, request_logger
from jde_zoho_sdk.testing._ais_orchestrations import (
    DEFAULT_UDC,
    FormErrorSpec,
    OrchestrationCall,
    OrchestrationFailure,
    OrchestrationHandler,
    Registration,
    Settings,
)
from jde_zoho_sdk.testing._ais_query import java_to_strptime
from jde_zoho_sdk.testing._ais_schema import Column, ColumnRuleError, TableDef
from jde_zoho_sdk.testing._ais_sessions import EmulatedSession, SessionRegistry
from jde_zoho_sdk.testing._ais_store import Tables
from jde_zoho_sdk.testing._server import EmulatorTransport, Latency, serve_wsgi
from jde_zoho_sdk.testing.faults import Fault, Faults

__all__ = [
    "DEFAULT_UDC",
    "AisEmulator",
    "Column",
    "ColumnRuleError",
    "EmulatedSession",
    "Fault",
    "FormErrorSpec",
    "OrchestrationCall",
    "OrchestrationFailure",
    "OrchestrationHandler",
    "OrchestrationRecord",
    "RequestRecord",
    "TableDef",
    "Tables",
]

# The loopback server logs each request line, and a next-page link carries the session token in its query.

_DATE_CODES: Final = {"D": "dd", "M": "MM", "E": "yyyy", "Y": "yy"}


class AisEmulator:
    """A JD Edwards AIS Server in a box: sessions, data service over seeded tables, orchestrations.

    Args:
        users: Usernames and passwords that may log in.
        username: One more user (with ``password``).
        password: The password of ``username``.
        environment: The environment sessions run in.
        role: The role sessions get.
        timezone: The JDE database server's zone (UPMJ/UPMT are stamped in it).
        clock: Aware "now" (inject a fake clock so tests never sleep).
        session_idle_timeout: Session inactivity timeout.
        session_ttl: Session time to live.
        result_set_timeout: How long an open page chain survives without a next-page request.
        date_format: The users' date format code (``MDE``, ``DME``, ``EMD``...), reported in ``userInfo``
            and expected for date values in queries (``YYYYMMDD`` is accepted too).
        customer_search_type: F0101.AT1 of customers.
        supplier_search_type: F0101.AT1 of suppliers.
        external_reference_column: The F0101 column create orchestrations keep the external reference in.
        contact_reference_column: The F0111 column contact creates keep it in.
        udc: UDC value lists replacing the defaults (keys of :data:`DEFAULT_UDC`).
        seed: Seed of the emulator's random choices (exception ids, seed data).
        orchestration_error_status: HTTP status of an orchestration's ERROR answer (UNCONFIRMED; 500 as
            Oracle documents ServiceErrorResponse for 500).
        latency: Seconds each call takes, waited before the emulator answers and outside its lock, so
            calls made in parallel wait in parallel (an AIS server answers in tens of milliseconds to
            seconds, orchestrations the slowest; set it to make concurrency observable).
        sleep: How ``latency`` and slow-reply faults wait: served on a socket, the emulator's thread waits;
            through :meth:`transport`, the calling thread does (inject one that returns at once in tests).

    Example:
        >>> emu = AisEmulator(users={"SYNC": "pa55-w0rd"}, customer_search_type="C")
        >>> emu.tables.insert_many("F0101", [{"AN8": 4242, "ALPH": "Acme", "AT1": "C"}])
        1
        >>> emu.deny("F0401", username="SYNC")  # a permission 403 on that table, not a 444
        >>> with emu.serve() as running:  # doctest: +SKIP
        ...     client = AisClient(running.url, AisCredentials("SYNC", "pa55-w0rd"))
    """

    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        username: str | None = None,
        password: str | None = None,
        environment: str = "JDV920",
        role: str = "*ALL",
        timezone: str = "America/Chicago",
        clock: Callable[[], datetime] | None = None,
        session_idle_timeout: timedelta = timedelta(minutes=30),
        session_ttl: timedelta = timedelta(hours=12),
        result_set_timeout: timedelta = timedelta(seconds=60),
        date_format: str = "MDE",
        customer_search_type: str = "C",
        supplier_search_type: str = "V",
        external_reference_column: str = "ALKY",
        contact_reference_column: str = "REM1",
        udc: Mapping[str, Iterable[str]] | None = None,
        seed: int = 0,
        orchestration_error_status: int = 500,
        latency: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._users = {name.upper(): secret for name, secret in (users or {"JDE": "JDE"}).items()}
        if username is not None:
            self._users[username.upper()] = password or ""
        self.environment = environment
        self.role = role
        self.zone = ZoneInfo(timezone)
        self.clock = clock or (lambda: datetime.now(UTC))
        code = date_format.upper()
        self.simple_date_format = "/".join(_DATE_CODES[letter] for letter in code)
        self.date_format = code
        self.orchestration_error_status = orchestration_error_status
        self.lock = threading.RLock()
        """Held while a request is answered; hold it to change the emulator from a test thread."""
        self.random = random.Random(seed)
        self.seed = seed
        self.tables = Tables(self.clock, self.zone, self.lock)
        """The emulated tables: ``insert``, ``insert_many``, ``update``, ``delete``, ``get``, ``rows``."""
        self.tables.table("F0101").add_index(external_reference_column)
        self.tables.table("F0111").add_index(contact_reference_column)
        self.settings = Settings(
            customer_search_type=customer_search_type,
            supplier_search_type=supplier_search_type,
            external_reference_column=external_reference_column,
            contact_reference_column=contact_reference_column,
            udc={**DEFAULT_UDC, **{k: frozenset(v.upper() for v in vs) for k, vs in (udc or {}).items()}},
        )
        self.registry = SessionRegistry(
            idle_timeout=session_idle_timeout, ttl=session_ttl, result_set_timeout=result_set_timeout
        )
        self._denied: set[tuple[str | None, str]] = set()
        self.data = DataService(
            self.tables,
            self.registry,
            clock=self.clock,
            today=lambda: self.clock().astimezone(self.zone).date(),
            date_pattern=java_to_strptime(self.simple_date_format),
            may_read=self.allowed,
        )
        self.orchestrations: dict[str, Registration] = {item.name: item for item in BUILT_INS}
        self.faults = Faults(seed=seed, sleep=sleep)
        """Fault rules applied before the emulator answers (see :mod:`jde_zoho_sdk.testing.faults`)."""
        self.request_log: list[RequestRecord] = []
        self.orchestration_log: list[OrchestrationRecord] = []
        self.url: str | None = None
        """The base URL while :meth:`serve` runs."""
        self._latency = Latency(Endpoints(self), latency, sleep)
        self.app: WSGIApplication = request_logger(self.faults.middleware(self._latency), self)
        """The WSGI application (request log, then faults, then the latency, then the endpoints)."""

    # -- control and inspection -------------------------------------------------------------------------

    def register_orchestration(
        self,
        name: str,
        handler: OrchestrationHandler,
        *,
        description: str = "",
        input_format: str = "Generic",
        inputs: Iterable[tuple[str, str]] = (),
        outputs: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Add (or replace) an orchestration.

        Args:
            name: Its name, as in ``/jderest/v3/orchestrator/{name}``.
            handler: ``handler(call)`` returns the outputs, or raises :class:`OrchestrationFailure` for a
                business error (answered in the documented ERROR shape).
            description: What discovery says it does.
            input_format: ``"Generic"`` (flat JSON) or ``"JDE Standard"`` (``inputs`` name/value list).
            inputs: ``(name, type)`` of its inputs, for discovery.
            outputs: ``(name, type)`` of its outputs, for discovery.
        """
        self.orchestrations[name] = Registration(
            name=name,
            handler=handler,
            description=description,
            input_format=input_format,
            inputs=tuple(inputs),
            outputs=tuple(outputs),
        )

    def deny(self, name: str, *, username: str | None = None) -> None:
        """Refuse a table or orchestration to one user (or everyone): a permission 403, not a 444.

        Args:
            name: The table or orchestration.
            username: The user; None for everyone.
        """
        self._denied.add((username.upper() if username else None, name))

    def allow(self, name: str, *, username: str | None = None) -> None:
        """Undo :meth:`deny`.

        Args:
            name: The table or orchestration.
            username: The user; None for everyone.
        """
        self._denied.discard((username.upper() if username else None, name))

    def allowed(self, username: str, name: str) -> bool:
        """Whether ``username`` may use the table or orchestration ``name``.

        Args:
            username: The user.
            name: The table or orchestration.
        """
        return (None, name) not in self._denied and (username.upper(), name) not in self._denied

    def accepts(self, username: str, password: str, environment: str, role: str) -> bool:
        """Whether a token request with these credentials succeeds.

        Args:
            username: The user.
            password: The password.
            environment: The environment asked for.
            role: The role asked for (``*ALL`` is always accepted).
        """
        known = self._users.get(username.upper())
        return (
            known is not None
            and known == password
            and environment == self.environment
            and role in (self.role, "*ALL")
        )

    @property
    def latency(self) -> float:
        """Seconds each call takes (settable)."""
        return self._latency.seconds

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._latency.seconds = seconds

    @property
    def peak_concurrency(self) -> int:
        """The most calls that were in flight at once (past fault injection)."""
        return self._latency.peak

    def sessions(self) -> list[EmulatedSession]:
        """The sessions open now."""
        with self.lock:
            return list(self.registry.sessions.values())

    def expire_sessions(self, token: str | None = None) -> int:
        """End every session (or the one of ``token``): their next use answers 444. Returns how many.

        Args:
            token: One session's token; None for every session.
        """
        with self.lock:
            return self.registry.expire(token)

    def expire_result_sets(self) -> int:
        """Expire every open page chain: its next page answers 500 ``JAS_MSG347``. Returns how many."""
        with self.lock:
            return self.registry.expire_result_sets()

    @contextmanager
    def serve(self, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[AisEmulator]:
        """Serve on a real loopback socket in a background thread; ``.url`` is set while it runs.

        Args:
            host: The address to listen on.
            port: The port; 0 for a free one.

        Yields:
            The emulator, serving.
        """
        with serve_wsgi(self.app, host=host, port=port) as url:
            self.url = url
            try:
                yield self
            finally:
                self.url = None

    def transport(self) -> EmulatorTransport:
        """An httpx transport that runs requests through the emulator in-process."""
        return EmulatorTransport(self.app)

    def seed_customers(self, count: int) -> list[int]:
        """Insert ``count`` customers (F0101, F0111, F0116, F01151, F0115, F03012) in bulk; their AN8s.

        Args:
            count: How many customers.
        """
        rng = random.Random(self.seed)
        with self.lock:
            first = self.tables.next_number("AN8")
            numbers = list(range(first, first + count))
            for _ in range(count - 1):
                self.tables.next_number("AN8")
            words = (
                "Acme",
                "Summit",
                "Harbor",
                "Pioneer",
                "Atlas",
                "Cedar",
                "Granite",
                "Union",
                "Metro",
                "Prairie",
            )
            kinds = (
                "Supply",
                "Industrial",
                "Foods",
                "Tools",
                "Logistics",
                "Electric",
                "Parts",
                "Distribution",
            )
            states = sorted(self.settings.udc["states"] - {""})
            tables = self.tables
            tables.insert_many(
                "F0101",
                (
                    {
                        "AN8": n,
                        "ALPH": f"{rng.choice(words)} {rng.choice(kinds)} {n}",
                        "AT1": "C",
                        "ATR": "Y",
                        "TAX": f"{rng.randrange(10, 99)}-{n:07d}",
                        "AC01": rng.choice(("A", "B", "C")),
                    }
                    for n in numbers
                ),
            )
            tables.insert_many("F0111", ({"AN8": n, "IDLN": 0, "MLNM": f"Customer {n}"} for n in numbers))
            tables.insert_many(
                "F0116",
                (
                    {
                        "AN8": n,
                        "ADD1": f"{n % 9000 + 100} Main St",
                        "CTY1": "Springfield",
                        "ADDS": rng.choice(states),
                        "ADDZ": f"{n % 90000 + 10000}",
                        "CTR": "US",
                    }
                    for n in numbers
                ),
            )
            tables.insert_many(
                "F01151",
                ({"AN8": n, "IDLN": 0, "RCK7": 1, "ETP": "E", "EMAL": f"ap{n}@example.com"} for n in numbers),
            )
            tables.insert_many(
                "F0115",
                (
                    {"AN8": n, "IDLN": 0, "RCK7": 1, "AR1": "312", "PH1": f"555-{n % 10000:04d}"}
                    for n in numbers
                ),
            )
            tables.insert_many(
                "F03012",
                (
                    {
                        "AN8": n,
                        "CO": "00000",
                        "ACL": rng.randrange(0, 200) * 500,
                        "TRAR": "N30",
                        "CRCD": "USD",
                    }
                    for n in numbers
                ),
            )
        return numbers

    # -- WSGI ------------------------------------------------------------------------------------------
