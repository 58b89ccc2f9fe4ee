"""Recorded cassettes never hold a secret, and replay works on the redacted form."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.types import StartResponse, WSGIEnvironment

import httpx
import pytest

from jde_zoho_sdk.testing._server import EmulatorTransport
from jde_zoho_sdk.testing.vcr import find_secrets, make_vcr

PASSWORD = "pa55word-of-the-service-account"
AIS_TOKEN = "044ZQNmLGH+5+8ker4Q0hFKq6zIMNxGzCm4kpgtfVOl8to=MDE5"
COOKIE = "AkB7N6U0r65v!-302166512!1775888737588"
CLIENT_SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
REFRESH = "1000.refresh.0a1b2c3d4e5f6a7b8c9d"
ACCESS = "1000.access.f0e1d2c3b4a5968778695a4b"
CHANNEL_TOKEN = "channel-verification-token-77"
SECRETS = (PASSWORD, AIS_TOKEN, COOKIE, CLIENT_SECRET, REFRESH, ACCESS, CHANNEL_TOKEN)


def remote(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """A stand-in remote that answers with every kind of secret the real systems send."""
    path = environ["PATH_INFO"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    if path == "/jderest/v2/tokenrequest":
        answer: object = {
            "username": "JDE",
            "userInfo": {"token": AIS_TOKEN, "simpleDateFormat": "MM/dd/yyyy"},
            "aisSessionCookie": COOKIE,
        }
    elif path == "/jderest/v2/dataservice":
        href = f"http://ais/jderest/v2/dataservice/next?stackId=1&token={AIS_TOKEN}&rid=9"
        answer = {"fs_DATABROWSE_F0101": {"data": {}}, "links": [{"rel": "next", "href": href}]}
    elif path == "/oauth/v2/token":
        assert parse_qs(body.decode())["client_secret"] == [CLIENT_SECRET]
        answer = {"access_token": ACCESS, "refresh_token": REFRESH, "api_domain": "https://www.zohoapis.com"}
    else:
        answer = {"watch": [{"code": "SUCCESS", "details": {"token": CHANNEL_TOKEN}}]}
    payload = json.dumps(answer).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Set-Cookie", f"JSESSIONID={COOKIE}")])
    return [payload]


def exchange(client: httpx.Client) -> list[dict[str, object]]:
    answers = [
        client.post("/jderest/v2/tokenrequest", json={"username": "JDE", "password": PASSWORD}),
        client.post(
            "/jderest/v2/dataservice",
            json={"token": AIS_TOKEN, "targetName": "F0101"},
            headers={"jde-AIS-Auth": AIS_TOKEN},
        ),
        client.post(
            "/oauth/v2/token",
            data={"grant_type": "refresh_token", "refresh_token": REFRESH, "client_secret": CLIENT_SECRET},
        ),
        client.post(
            "/crm/v8/actions/watch",
            json={"watch": [{"channel_id": "1", "token": CHANNEL_TOKEN}]},
            headers={"Authorization": f"Zoho-oauthtoken {ACCESS}"},
            params={"access_token": ACCESS},
        ),
    ]
    return [answer.json() for answer in answers]


def test_recorded_cassette_holds_no_secret_and_replays(tmp_path: Path) -> None:
    recorder = make_vcr(tmp_path, record_mode="once")
    with (
        httpx.Client(base_url="http://remote.test", transport=EmulatorTransport(remote)) as client,
        recorder.use_cassette("exchange.yaml"),
    ):
        live = exchange(client)
    cassette = tmp_path / "exchange.yaml"
    assert cassette.exists()
    assert find_secrets(cassette, SECRETS) == []
    assert "REDACTED" in cassette.read_text()
    # Replay needs no remote at all, and the same (live, secret-bearing) requests match the redacted record.
    replayer = make_vcr(tmp_path, record_mode="none")
    unreachable = httpx.MockTransport(lambda request: pytest.fail(f"network used for {request.url}"))
    with (
        httpx.Client(base_url="http://remote.test", transport=unreachable) as client,
        replayer.use_cassette("exchange.yaml"),
    ):
        replayed = exchange(client)
    assert replayed[0]["username"] == live[0]["username"] == "JDE"
    assert replayed[2]["api_domain"] == "https://www.zohoapis.com"


def test_find_secrets_reports_what_leaked(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.yaml"
    leaky.write_text(f"body: {ACCESS}\n")
    assert find_secrets(leaky, SECRETS) == [ACCESS]
