"""Fault injection middleware and the loopback server the emulators use."""

from __future__ import annotations

from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIEnvironment

import httpx
import pytest

from jde_zoho_sdk.testing._server import EmulatorTransport, serve_wsgi
from jde_zoho_sdk.testing.faults import Fault, Faults


def ok(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def test_fault_hits_the_given_number_of_matching_requests_after_the_first_ones() -> None:
    faults = Faults()
    faults.add(
        Fault(path=r"^/upsert$", method="POST", status=429, headers={"Retry-After": "3"}, after=1, times=2)
    )
    client = httpx.Client(base_url="http://emulator", transport=EmulatorTransport(faults.middleware(ok)))
    statuses = [client.post("/upsert").status_code for _ in range(5)]
    assert statuses == [200, 429, 429, 200, 200]
    assert client.get("/upsert").status_code == 200  # other method
    assert client.post("/other").status_code == 200  # other path
    assert faults.injected == {"http_429": 2}


def test_fault_answer_carries_headers_and_json_body() -> None:
    faults = Faults()
    body = {"code": "TOO_MANY_REQUESTS", "details": {}, "message": "slow down", "status": "error"}
    faults.add(Fault(status=429, headers={"Retry-After": "1"}, body=body))
    client = httpx.Client(base_url="http://emulator", transport=EmulatorTransport(faults.middleware(ok)))
    answer = client.get("/x")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    assert answer.json() == body


def test_probability_is_reproducible_from_the_seed() -> None:
    def run(seed: int) -> list[int]:
        faults = Faults(seed=seed)
        faults.add(Fault(status=503, times=None, probability=0.5))
        client = httpx.Client(base_url="http://emulator", transport=EmulatorTransport(faults.middleware(ok)))
        return [client.get("/").status_code for _ in range(30)]

    first = run(11)
    assert first == run(11)
    assert 503 in first
    assert 200 in first


def test_slow_reply_waits_in_the_emulator_then_answers() -> None:
    waited: list[float] = []
    faults = Faults(sleep=waited.append)
    faults.add(Fault(delay=2.5))
    client = httpx.Client(base_url="http://emulator", transport=EmulatorTransport(faults.middleware(ok)))
    assert client.get("/").text == "ok"
    assert waited == [2.5]


def test_reset_in_process_is_a_read_error() -> None:
    faults = Faults()
    faults.add(Fault(reset=True))
    client = httpx.Client(base_url="http://emulator", transport=EmulatorTransport(faults.middleware(ok)))
    with pytest.raises(httpx.ReadError):
        client.get("/")
    assert client.get("/").text == "ok"


def test_reset_over_a_real_socket_drops_the_connection() -> None:
    faults = Faults()
    faults.add(Fault(reset=True))
    with serve_wsgi(faults.middleware(ok)) as url, httpx.Client(base_url=url) as client:
        with pytest.raises(httpx.TransportError):
            client.get("/")
        assert client.get("/").text == "ok"


def test_clear_removes_rules_but_keeps_statistics() -> None:
    faults = Faults()
    faults.add(Fault(status=500, times=None))
    client = httpx.Client(base_url="http://emulator", transport=EmulatorTransport(faults.middleware(ok)))
    assert client.get("/").status_code == 500
    faults.clear()
    assert client.get("/").status_code == 200
    assert faults.injected["http_500"] == 1
