"""Delivery of the emulator's notification callbacks: the documented body, posted from one background thread.

Retries of a failed delivery are not documented (UNCONFIRMED), so the emulator delivers once and logs it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

import attrs
import httpx

__all__ = ["Delivery", "Job", "Notifier", "callback_body"]


@attrs.frozen
class Delivery:
    """One callback the emulator posted.

    Attributes:
        channel_id: The channel.
        url: The notify URL.
        module: The module.
        operation: ``insert``, ``update`` or ``delete``.
        ids: The record ids.
        status: The HTTP status the endpoint answered, or None when it could not be reached.
        error: Why the delivery failed, if it did.
    """

    channel_id: str
    url: str
    module: str
    operation: str
    ids: tuple[str, ...]
    status: int | None
    error: str | None = None


@attrs.frozen
class Job:
    """One callback to post."""

    channel_id: str
    url: str
    module: str
    operation: str
    ids: tuple[str, ...]
    body: bytes


class Notifier:
    """Posts callbacks from one background thread, in order; tests wait on it instead of sleeping.

    Args:
        transport: An httpx transport for the posts (None: real sockets).
        timeout: Seconds to wait for a notify URL to answer.
    """

    def __init__(self, *, transport: httpx.BaseTransport | None = None, timeout: float = 5.0) -> None:
        self._transport = transport
        self._timeout = timeout
        self._jobs: deque[Job] = deque()
        self._cond = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._closed = False
        self.log: list[Delivery] = []

    def submit(self, job: Job) -> None:
        """Queue one callback."""
        with self._cond:
            self._jobs.append(job)
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="zoho-emulator-notify", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self, timeout: float) -> bool:
        """Block until every queued callback was posted (True) or ``timeout`` seconds passed (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        """Stop the thread (callbacks still queued are dropped); a later callback starts a new one."""
        with self._cond:
            self._closed = True
            self._pending -= len(self._jobs)
            self._jobs.clear()
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=self._timeout + 1)
        with self._cond:
            self._closed = False

    def _run(self) -> None:
        with httpx.Client(transport=self._transport, timeout=self._timeout) as client:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._jobs or self._closed)
                    if self._closed:
                        return
                    job = self._jobs.popleft()
                delivery = self._post(client, job)
                with self._cond:
                    self.log.append(delivery)
                    self._pending -= 1
                    self._cond.notify_all()

    def _post(self, client: httpx.Client, job: Job) -> Delivery:
        try:
            answer = client.post(job.url, content=job.body, headers={"Content-Type": "application/json"})
        except httpx.HTTPError as error:
            return Delivery(
                job.channel_id, job.url, job.module, job.operation, job.ids, None, type(error).__name__
            )
        return Delivery(job.channel_id, job.url, job.module, job.operation, job.ids, answer.status_code)


def callback_body(
    *,
    module: str,
    operation: str,
    ids: Sequence[str],
    channel_id: str,
    token: str | None,
    uri: str,
    url: str,
    now: datetime,
) -> dict[str, object]:
    """The documented callback body (``server_time`` in epoch milliseconds, notify URL query echoed)."""
    return {
        "server_time": int(now.timestamp() * 1000),
        "query_params": dict(parse_qsl(urlsplit(url).query)),
        "module": module,
        "resource_uri": uri,
        "ids": list(ids),
        "affected_fields": [],
        "operation": operation,
        "channel_id": channel_id,
        "token": token,
    }
