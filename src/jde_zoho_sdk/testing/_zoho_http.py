"""WSGI plumbing of the Zoho emulator: read a request, write a JSON answer, log what was served."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from decimal import Decimal
from http import HTTPStatus
from typing import Final
from urllib.parse import parse_qsl
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import attrs

from jde_zoho_sdk.testing._zoho_api import Answer, Request

__all__ = ["LoggedRequest", "RequestLog", "read_request", "respond"]

_MAX_BODY: Final = 10_000_000


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
