"""No password, token or session cookie reaches a log line, even at DEBUG, over a whole session."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from urllib.parse import quote
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import pytest

from jde_zoho_sdk.jde import AisClient, AisCredentials, OrchestrationError
from jde_zoho_sdk.testing._server import serve_wsgi
from jde_zoho_sdk.testing.ais import AisEmulator
from tests.jde.conftest import FakeClock, no_wait_retry

PASSWORD = "pa55-word-of-the-jde-user"


def recording(app: WSGIApplication, secrets: list[str]) -> WSGIApplication:
    """Collect the token and session cookie of every token answer, as a client would receive them."""

    def wrapper(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        chunks = list(app(environ, start_response))
        if environ["PATH_INFO"].endswith("/tokenrequest"):
            body = json.loads(b"".join(chunks))
            if "userInfo" in body:
                secrets.extend([body["userInfo"]["token"], body["aisSessionCookie"]])
        return chunks

    return wrapper


def test_full_cycle_logs_no_secret_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    emulator = AisEmulator(users={"JDE": PASSWORD}, clock=clock)
    emulator.tables.insert_many("F0101", ({"AN8": n, "ALPH": f"C{n}"} for n in range(1, 31)))
    secrets: list[str] = []
    caplog.set_level(logging.DEBUG)
    with serve_wsgi(recording(emulator.app, secrets)) as url:
        ais = AisClient(url, AisCredentials("JDE", PASSWORD), clock=clock, retry=no_wait_retry())
        with ais:
            chain = ais.browse("F0101", ["AN8"], page_size=7)
            rows = [next(chain) for _ in range(10)]
            emulator.expire_sessions()  # the next link with the old token is refused; a new login follows
            rows.extend(chain)
            ais.run_orchestration("JZ_CreateCustomer", {"ExternalReference": "r-1", "AlphaName": "Acme"})
            with pytest.raises(OrchestrationError):
                ais.run_orchestration("JZ_UpdateCustomer", {"AddressNumber": 999})
    assert len(rows) == 30
    assert len(secrets) == 4  # two logins: two tokens, two cookies
    forbidden = [PASSWORD, *secrets, *(quote(secret, safe="") for secret in secrets)]
    lines = [record.getMessage() for record in caplog.records]
    assert any("/dataservice/next" in line for line in lines), "next-page requests are logged (redacted)"
    assert any("logged out" in line for line in lines)
    leaks = [line for line in [*lines, caplog.text] for secret in forbidden if secret in line]
    assert leaks == []
