"""The bare HTTP baseline: the run's exact exchange sent again with a plain ``httpx.Client``.

The replay goes to fresh emulators loaded with the same data on the same fake clock, so they answer as
they did to the run. Only what the servers invent differs (AIS session tokens and result-set ids, Zoho
access and page tokens); each is learned from the replayed answer and put in place of the recorded one.
That bookkeeping is timed apart and left out of the baseline.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs
import httpx

from bench._clock import FakeClock
from bench._heap import gc_time
from bench._wire import Exchange

__all__ = ["Replay", "replay"]

_TOKEN_HEADERS = frozenset({"jde-ais-auth", "authorization"})
_URL_SECRETS = frozenset({"rid", "token", "page_token"})


@attrs.frozen
class Replay:
    """What the bare exchange cost.

    Attributes:
        wall: Seconds of wall time sending and reading (bookkeeping left out).
        cpu: Seconds of CPU time, likewise.
        gc: Seconds spent in garbage collections during the replay (its bookkeeping's included).
        calls: Exchanges sent.
        mismatches: Exchanges whose status differed from the run's (0 when the replay is faithful).
    """

    wall: float
    cpu: float
    gc: float
    calls: int
    mismatches: int


class _Secrets:
    """Recorded server-made values and their replayed counterparts."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def swap(self, text: str) -> str:
        return self.known.get(text, text)

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if not parts.query or not any(name in parts.query for name in _URL_SECRETS):
            return url
        query = [(k, self.swap(v) if k in _URL_SECRETS else v) for k, v in parse_qsl(parts.query)]
        return urlunsplit(parts._replace(query=urlencode(query, safe="|.,")))

    def headers(self, headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        result = []
        for name, value in headers:
            if name.lower() == "content-length":
                continue  # the body may change length (a swapped token); httpx counts it again
            if name.lower() not in _TOKEN_HEADERS:
                result.append((name, value))
                continue
            prefix, _, secret = value.rpartition(" ")
            result.append((name, f"{prefix} {self.swap(secret)}" if prefix else self.swap(secret)))
        return result

    def body(self, exchange: Exchange) -> bytes:
        if not exchange.url.endswith("/tokenrequest/logout"):
            return exchange.content
        body = json.loads(exchange.content)
        body["token"] = self.swap(str(body.get("token", "")))
        return json.dumps(body).encode()

    def learn(self, exchange: Exchange, answer: bytes) -> None:
        recorded, replayed = exchange.answer, answer
        if recorded == replayed:
            return
        path = urlsplit(exchange.url).path
        markers = (b'"rid"', b'"token"', b"access_token", b'next_page_token": "')
        if not any(marker in recorded for marker in markers):
            return
        try:
            old, new = json.loads(recorded), json.loads(replayed)
        except ValueError:
            return
        for key_path in _secret_paths(path):
            before, after = _dig(old, key_path), _dig(new, key_path)
            if isinstance(before, str) and isinstance(after, str) and before:
                self.known[before] = after


def _secret_paths(path: str) -> tuple[tuple[str, ...], ...]:
    if path.endswith("/tokenrequest"):
        return (("userInfo", "token"),)
    if "/dataservice" in path:
        return (("rid",),)
    if path.startswith("/oauth/"):
        return (("access_token",),)
    return (("info", "next_page_token"),)


def _dig(body: object, path: tuple[str, ...]) -> object:
    for key in path:
        if not isinstance(body, Mapping):
            return None
        body = body.get(key)
    return body


def replay(
    exchanges: Sequence[Exchange], transports: Mapping[str, httpx.BaseTransport], clock: FakeClock
) -> Replay:
    """Send ``exchanges`` in order with plain clients, timing only the sending.

    Args:
        exchanges: What the run sent, in order.
        transports: The fresh emulators' transports, by system.
        clock: The fresh emulators' clock: set to each call's recorded time, so they stamp as before.
    """
    secrets = _Secrets()
    clients = {system: httpx.Client(transport=transport) for system, transport in transports.items()}
    wall = cpu = 0.0
    mismatches = 0
    segment = exchanges[0].segment if exchanges else 0
    with gc_time() as collecting:
        try:
            for exchange in exchanges:
                if exchange.segment != segment:  # where the run froze its heap (bench._heap)
                    segment = exchange.segment
                    gc.freeze()
                url, headers, body = (
                    secrets.url(exchange.url),
                    secrets.headers(exchange.headers),
                    secrets.body(exchange),
                )
                clock.now = exchange.at
                began, used = time.perf_counter(), time.process_time()
                request = httpx.Request(exchange.method, url, headers=headers, content=body)
                response = clients[exchange.system].send(request)
                answer = response.read()
                wall += time.perf_counter() - began
                cpu += time.process_time() - used
                mismatches += response.status_code != exchange.status
                secrets.learn(exchange, answer)
        finally:
            for client in clients.values():
                client.close()
    return Replay(wall=wall, cpu=cpu, gc=collecting.total, calls=len(exchanges), mismatches=mismatches)
