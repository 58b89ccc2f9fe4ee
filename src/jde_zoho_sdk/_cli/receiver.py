"""The notification endpoint as a plain WSGI app: verify the channel token, queue the ids, answer at once.

Used by ``serve`` (under waitress) and by the demo (under the standard library's server). It does no
remote call: the ids are queued durably in the state store and processed later by the engine, so Zoho
gets its answer within a second. It never answers with a traceback: 401 for a forged notification, 400
for a body that is not one, 404/405 for other paths and methods, 500 with a one-line body otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Final
from wsgiref.types import StartResponse, WSGIEnvironment

from jde_zoho_sdk._redact import get_logger
from jde_zoho_sdk.sync import ChannelKeeper, SyncEngine
from jde_zoho_sdk.zoho import ForgedNotificationError, InvalidNotificationError

__all__ = ["MAX_BODY", "NotificationReceiver"]

_log = get_logger("jde_zoho_sdk.cli.receiver")

MAX_BODY: Final = 1_000_000
"""Bytes read from a notification at most (Zoho sends ids only: a few kilobytes)."""
_REASONS: Final = {
    200: "200 OK",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    500: "500 Internal Server Error",
    503: "503 Service Unavailable",
}


class NotificationReceiver:
    """A WSGI app that accepts Zoho notifications on one path.

    Args:
        keeper: Verifies a notification against the token of the channel it names (None until the
            notify URL is known: a server on a free port learns it only once listening; 503 meanwhile).
        engine: Queues the ids (``handle_notification``).
        path: The path served (``/zoho/notify``).
        on_queued: Called after ids were queued (with how many were new), e.g. to schedule a drain.
    """

    def __init__(
        self,
        keeper: ChannelKeeper | None,
        engine: SyncEngine,
        *,
        path: str,
        on_queued: Callable[[int], None] | None = None,
    ) -> None:
        self.keeper = keeper
        self.engine = engine
        self.path = path
        self.on_queued = on_queued
        self.received = 0
        """Notifications accepted so far."""

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        try:
            status, message = self._handle(environ)
        except Exception:  # the endpoint must answer, never crash or show a traceback
            _log.exception("notification handling failed")
            status, message = 500, "the notification could not be queued"
        body = json.dumps({"status": "success" if status == 200 else "error", "message": message}).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if status == 405:
            headers.append(("Allow", "POST"))
        start_response(_REASONS[status], headers)
        return [body]

    def _handle(self, environ: WSGIEnvironment) -> tuple[int, str]:  # noqa: PLR0911 - one status per refusal
        if environ.get("PATH_INFO", "") != self.path:
            return 404, "no such path"
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, "notifications are POSTed"
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 400, "bad Content-Length"
        if length > MAX_BODY:
            return 413, "the body is too large for a notification"
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        if self.keeper is None:
            return 503, "not ready yet"
        try:
            notification = self.keeper.verify(body)
        except ForgedNotificationError:
            _log.warning("refused a notification with an unknown channel or a wrong token")
            return 401, "the channel token does not match"
        except InvalidNotificationError as invalid:
            _log.warning("refused an invalid notification: %s", invalid)
            return 400, "not a Zoho notification"
        queued = self.engine.handle_notification(notification)
        self.received += 1
        _log.info(
            "queued %d of %d %s id(s) (%s) from channel %s",
            queued,
            len(notification.ids),
            notification.module,
            notification.operation,
            notification.channel_id,
        )
        if self.on_queued is not None:
            self.on_queued(queued)
        return 200, f"{queued} queued"
