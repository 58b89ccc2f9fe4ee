"""HTTP plumbing of the Zoho emulator: requests, answers, refusals, the request log (WSGI)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cached_property
from http import HTTPStatus
from typing import Final
from urllib.parse import parse_qsl
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import attrs

__all__ = [
    "Answer",
    "Change",
    "LoggedRequest",
    "Refusal",
    "Request",
    "RequestLog",
    "error",
    "int_param",
    "read_request",
    "refuse",
    "respond",
]

_MAX_BODY: Final = 10_000_000


class Request:
    """A parsed HTTP request (query values are the first of each name; header names lower-case)."""

    def __init__(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body

    @cached_property
    def json(self) -> object:
        """The body as JSON (numbers with a fraction as ``Decimal``), or None when it is not JSON."""
        try:
            return json.loads(self.body, parse_float=Decimal) if self.body else None
        except (ValueError, RecursionError):
            return None


@attrs.frozen
class Answer:
    """An HTTP answer: status, JSON body (None for no body), extra headers."""

    status: int
    body: object = None
    headers: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Change:
    """Records changed by one request, for notifications."""

    module: str
    operation: str
    ids: tuple[str, ...]


def error(status: int, code: str, message: str, **details: object) -> Answer:
    """An error answer with Zoho's envelope."""
    return Answer(status, {"code": code, "details": details, "message": message, "status": "error"})


class Refusal(Exception):  # noqa: N818 - a refusal carried to the answer, not an error of the emulator
    """Raised by request checks; carries the error answer."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def refuse(status: int, code: str, message: str, **details: object) -> Refusal:
    """A :class:`Refusal` carrying Zoho's error envelope."""
    return Refusal(error(status, code, message, **details))


def int_param(text: str | None, default: int, low: int, high: int | None, name: str) -> int:
    """Read an integer query parameter between ``low`` and ``high``, else refuse with INVALID_DATA."""
    if text is None:
        return default
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        raise refuse(400, "INVALID_DATA", "invalid data", param_name=name)
    return int(text)


@attrs.frozen
class LoggedRequest:
    """One request the emulator served (no query string, headers or body: nothing secret).

    Attributes:
        method: The HTTP method.
        path: The path.
        status: The status answered (fault injections included).
    """

    method: str
    path: str
    status: int


class RequestLog:
    """The requests served, in order, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def wrap(self, app: WSGIApplication) -> WSGIApplication:
        """Log each request's method, path and final status around ``app``."""

        def logged(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            def capture(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> object:
                with self._lock:
                    self._entries.append(
                        LoggedRequest(
                            environ.get("REQUEST_METHOD", "GET"),
                            environ.get("PATH_INFO", ""),
                            int(status[:3]),
                        )
                    )
                return start_response(status, headers)

            return app(environ, capture)  # type: ignore[arg-type]

        return logged

    def entries(self) -> list[LoggedRequest]:
        """A copy of the log."""
        with self._lock:
            return list(self._entries)


def read_request(environ: WSGIEnvironment) -> Request:
    """Parse a WSGI environ (form bodies are merged into the query, as Zoho's token endpoint reads both)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(min(length, _MAX_BODY)) if length else b""
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    if "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        query = {**dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)), **query}
    headers = {
        key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
    }
    return Request(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""), query, headers, body)


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def respond(start_response: StartResponse, answer: Answer) -> list[bytes]:
    """Write ``answer`` as a WSGI response."""
    payload = b"" if answer.body is None else json.dumps(answer.body, default=_default).encode()
    headers = [("Content-Type", "application/json;charset=UTF-8"), ("Content-Length", str(len(payload)))]
    start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", [*headers, *answer.headers])
    return [payload]
