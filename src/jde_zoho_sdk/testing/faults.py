"""Fault injection shared by the AIS and Zoho emulators.

A :class:`Faults` object holds rules (:class:`Fault`); the emulator wraps its WSGI app with
:meth:`Faults.middleware`, and each request that matches a rule gets the fault instead of (or, for a slow
reply, before) the real answer. Rules are deterministic (``after``/``times``) or random with a seeded
generator, so a failing run can be replayed.

Example:
    >>> faults = Faults(seed=7)
    >>> rule = faults.add(Fault(path=r"/crm/v8/Accounts/upsert", status=429, headers={"Retry-After": "1"}))
    >>> rule.times
    1
"""

from __future__ import annotations

import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import attrs

from jde_zoho_sdk.testing._server import SOCKET_ENVIRON_KEY, InjectedResetError

__all__ = ["Fault", "Faults", "InjectedResetError"]

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    444: "Invalid Token",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@attrs.define(kw_only=True)
class Fault:
    """One fault rule.

    Attributes:
        path: A regular expression searched in the request path (``""`` matches every path).
        method: The HTTP method it applies to, or None for any.
        status: Answer with this status instead of the real answer (None: pass the request through).
        headers: Headers of the fault answer (``Retry-After``...).
        body: The fault answer's body: bytes, or a JSON-able value.
        delay: Seconds to wait before answering (a slow reply; combine with ``status=None`` to delay the real
            answer).
        reset: Close the connection without answering (a TCP reset).
        after: Let this many matching requests through before the fault starts.
        times: How many requests the fault hits; None for every one until removed.
        probability: Chance that a matching request gets the fault (drawn from the seeded generator).
        label: A name for the statistics (defaults to the kind of fault).
        when: An extra predicate on the WSGI environ (for body-dependent faults).
    """

    path: str = ""
    method: str | None = None
    status: int | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes | object = b""
    delay: float = 0.0
    reset: bool = False
    after: int = 0
    times: int | None = 1
    probability: float = 1.0
    label: str = ""
    when: Callable[[WSGIEnvironment], bool] | None = None
    seen: int = attrs.field(default=0, init=False)
    hits: int = attrs.field(default=0, init=False)

    @property
    def kind(self) -> str:
        """The label, or a name derived from what the fault does."""
        if self.label:
            return self.label
        if self.reset:
            return "reset"
        if self.status is not None:
            return f"http_{self.status}"
        return "slow" if self.delay else "noop"

    @property
    def exhausted(self) -> bool:
        """True once the fault has hit ``times`` requests."""
        return self.times is not None and self.hits >= self.times

    def _matches(self, method: str, path: str, environ: WSGIEnvironment) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        if self.path and re.search(self.path, path) is None:
            return False
        return self.when is None or self.when(environ)

    def _body_bytes(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "text/plain"
        return json.dumps(self.body).encode(), "application/json;charset=UTF-8"


class Faults:
    """The fault rules of one emulator, and what they injected.

    Args:
        seed: Seed of the generator used for ``probability`` draws.
        sleep: How a slow reply waits (the thread answering the request: the emulator's, or the caller's
            through an in-process transport).
    """

    def __init__(self, *, seed: int = 0, sleep: Callable[[float], None] = time.sleep) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []
        self._random = random.Random(seed)
        self._sleep = sleep
        self.injected: Counter[str] = Counter()

    def add(self, fault: Fault) -> Fault:
        """Add a rule; the first matching rule that is not exhausted wins. Returns the rule.

        Args:
            fault: The rule.
        """
        with self._lock:
            self._rules.append(fault)
        return fault

    def extend(self, faults: Iterable[Fault]) -> None:
        """Add several rules.

        Args:
            faults: The rules, in order.
        """
        for fault in faults:
            self.add(fault)

    def clear(self) -> None:
        """Remove every rule (the statistics stay)."""
        with self._lock:
            self._rules.clear()

    def pick(self, method: str, path: str, environ: WSGIEnvironment | None = None) -> Fault | None:
        """Choose the fault for a request, counting it; None when the request goes through untouched.

        Args:
            method: The request's HTTP method.
            path: The request's path.
            environ: The WSGI environ, for rules with a ``when`` predicate.
        """
        with self._lock:
            for rule in self._rules:
                if rule.exhausted or not rule._matches(method, path, environ or {}):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                rule.hits += 1
                self.injected[rule.kind] += 1
                return rule
        return None

    def middleware(self, app: WSGIApplication) -> WSGIApplication:
        """Wrap a WSGI app so matching requests get their fault.

        Args:
            app: The WSGI application.

        Returns:
            The wrapped application.
        """

        def faulty(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            fault = self.pick(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""), environ)
            if fault is None:
                return app(environ, start_response)
            if fault.delay:
                self._sleep(fault.delay)
            if fault.reset:
                _reset(environ)
            if fault.status is None:
                return app(environ, start_response)
            body, content_type = fault._body_bytes()
            headers = {"Content-Type": content_type, "Content-Length": str(len(body)), **fault.headers}
            reason = _REASONS.get(fault.status, "Error")
            start_response(f"{fault.status} {reason}", list(headers.items()))
            return [body]

        return faulty


def _reset(environ: WSGIEnvironment) -> None:
    sock = environ.get(SOCKET_ENVIRON_KEY)
    if isinstance(sock, socket.socket):
        # SO_LINGER with a zero timeout makes the server's final close() send RST; shutting down now makes
        # sure no answer can be written first (wsgiref still holds file objects on the socket).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    raise InjectedResetError("connection reset by fault injection")
