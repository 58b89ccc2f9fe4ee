"""The notification endpoint: verified notifications are queued and answered at once; anything else refused."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import cast
from wsgiref.types import WSGIEnvironment

import pytest

from jde_zoho_sdk._cli.receiver import MAX_BODY, NotificationReceiver
from jde_zoho_sdk.sync import ChannelKeeper, SyncEngine
from jde_zoho_sdk.zoho import ForgedNotificationError, InvalidNotificationError, Notification

PATH = "/zoho/notify"
GOOD = b'{"channel_id": "7", "token": "right"}'


class Keeper:
    def verify(self, body: bytes) -> Notification:
        if body == GOOD:
            return Notification(
                module="Accounts",
                operation="update",
                ids=("1", "2"),
                channel_id="7",
                server_time=datetime.now(UTC),
            )
        if body.startswith(b"{"):
            raise ForgedNotificationError("wrong token")
        if body == b"boom":
            raise RuntimeError("the store is on fire")
        raise InvalidNotificationError("not JSON")


class Engine:
    def __init__(self) -> None:
        self.queued: list[Notification] = []

    def handle_notification(self, notification: Notification) -> int:
        self.queued.append(notification)
        return len(notification.ids)


def call(
    app: NotificationReceiver, body: bytes, *, method: str = "POST", path: str = PATH
) -> tuple[str, dict[str, object]]:
    environ: WSGIEnvironment = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    seen: list[str] = []
    chunks = app(environ, lambda status, _headers, _exc=None: seen.append(status))  # type: ignore[arg-type]
    return seen[0], json.loads(b"".join(chunks))


@pytest.fixture
def engine() -> Engine:
    return Engine()


@pytest.fixture
def app(engine: Engine) -> NotificationReceiver:
    arrivals: list[int] = []
    receiver = NotificationReceiver(
        cast(ChannelKeeper, Keeper()), cast(SyncEngine, engine), path=PATH, on_queued=arrivals.append
    )
    receiver.arrivals = arrivals  # type: ignore[attr-defined]
    return receiver


def test_a_verified_notification_is_queued_and_the_scheduler_told(
    app: NotificationReceiver, engine: Engine
) -> None:
    status, body = call(app, GOOD)
    assert status == "200 OK"
    assert body == {"status": "success", "message": "2 queued"}
    assert engine.queued[0].ids == ("1", "2")
    assert app.arrivals == [2]  # type: ignore[attr-defined]
    assert app.received == 1


def test_forged_invalid_and_stray_requests_are_refused_without_queueing(
    app: NotificationReceiver, engine: Engine
) -> None:
    assert call(app, b'{"channel_id": "7", "token": "guess"}')[0] == "401 Unauthorized"
    assert call(app, b"not json")[0] == "400 Bad Request"
    assert call(app, GOOD, path="/other")[0] == "404 Not Found"
    assert call(app, GOOD, method="GET")[0] == "405 Method Not Allowed"
    assert call(app, b"x" * (MAX_BODY + 1))[0] == "413 Content Too Large"
    assert engine.queued == []


def test_an_unexpected_error_is_a_500_with_one_line_never_a_traceback(app: NotificationReceiver) -> None:
    status, body = call(app, b"boom")
    assert status == "500 Internal Server Error"
    assert body == {"status": "error", "message": "the notification could not be queued"}


def test_until_the_keeper_is_known_notifications_get_503(engine: Engine) -> None:
    receiver = NotificationReceiver(None, cast(SyncEngine, engine), path=PATH)
    assert call(receiver, GOOD)[0] == "503 Service Unavailable"
