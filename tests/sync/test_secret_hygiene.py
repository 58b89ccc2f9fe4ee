"""No secret anywhere: logs at every level, reprs, exception texts, audit and failure rows, cassettes.

A full two-way sync (with a notification channel, a drain and a replay) and a failing scenario (wrong AIS
password, revoked Zoho refresh token, a forged notification, refused records) run with DEBUG logging on
every logger, recorded by the SDK's vcrpy configuration. Every secret either system handed out (the AIS
session tokens and Zoho access tokens are collected from the emulators' own answers) is then searched for in
everything a user or an operator could see.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import pytest

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.errors import SdkError
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync import ChannelKeeper, SqliteStateStore, SyncEngine
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing._server import EmulatorTransport
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.vcr import find_secrets, make_vcr
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import Region, ZohoClient, ZohoOAuth

PASSWORD = "Jde-Service-Password-7f3a91"
CLIENT_SECRET = "zoho-client-secret-5e0c7d2b94a1"
REFRESH_TOKEN = "1000.refresh.8c1f0a7be34d4f7e9a55c6d2"


class Spy:
    """Wraps an emulator's WSGI app and keeps every answer body, to learn the tokens it handed out."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.bodies: list[bytes] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = b"".join(self.app(environ, start_response))
        self.bodies.append(body)
        return [body]

    def tokens(self) -> set[str]:
        found: set[str] = set()
        for body in self.bodies:
            try:
                answer = json.loads(body)
            except ValueError:
                continue
            if isinstance(answer, dict):
                info = answer.get("userInfo")
                if isinstance(info, dict) and isinstance(info.get("token"), str):
                    found.add(info["token"])
                for key in ("access_token", "refresh_token", "aisSessionCookie"):
                    if isinstance(answer.get(key), str):
                        found.add(answer[key])
        return found


def test_no_secret_reaches_logs_reprs_errors_audit_or_cassettes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    ais_emu = AisEmulator(users={"SYNCSVC": PASSWORD}, timezone="America/Chicago")
    zoho_emu = ZohoEmulator(client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN, notify=False)
    seed.load(seed.generate(customers=15, seed=21), ais=ais_emu, zoho=zoho_emu)
    ais_spy, zoho_spy = Spy(ais_emu.app), Spy(zoho_emu.app)
    retry = RetryPolicy(max_tries=2, sleep=lambda _s: None)
    region = Region.custom(zoho_emu.url, zoho_emu.url)
    oauth = ZohoOAuth.from_refresh_token(zoho_emu.client_id, CLIENT_SECRET, REFRESH_TOKEN, region)
    credentials = AisCredentials("SYNCSVC", PASSWORD, environment="JDV920")
    texts: list[str] = []
    recorder = make_vcr(tmp_path / "cassettes", record_mode="all")
    with (
        recorder.use_cassette("sync.yaml"),
        AisClient(
            "https://ais.emulator", credentials, transport=EmulatorTransport(ais_spy), retry=retry
        ) as ais,
        ZohoClient(oauth, transport=EmulatorTransport(zoho_spy), retry=retry) as zoho,
        SqliteStateStore(tmp_path / "state.db") as store,
    ):
        engine = SyncEngine(ais=ais, zoho=zoho, store=store)
        report = engine.run()
        keeper = ChannelKeeper(zoho, store, modules=["Accounts"], notify_url="https://sync.example/zoho")
        channel = keeper.ensure()
        account = zoho_emu.records("Accounts")[0]
        zoho_emu.update("Accounts", str(account["id"]), {"Billing_Country": "Narnia"})  # fails mapping
        body = {"server_time": 1, "module": "Accounts", "ids": [account["id"]], "operation": "update"}
        note = keeper.verify(
            json.dumps({**body, "channel_id": channel.channel_id, "token": channel.token.reveal()}).encode()
        )
        engine.handle_notification(note)
        failing = engine.drain()
        for forged in (
            {**body, "channel_id": channel.channel_id, "token": "x"},
            {**body, "token": channel.token.reveal()},
        ):
            with pytest.raises(SdkError) as caught:
                keeper.verify(json.dumps(forged).encode())
            texts.append(str(caught.value))
        engine.replay()
        zoho_emu.revoke_refresh_token()
        zoho_emu.expire_tokens()
        with pytest.raises(SdkError) as revoked:
            engine.run()
        texts += [str(revoked.value), repr(revoked.value)]
        texts += [repr(x) for x in (ais, zoho, oauth, credentials, engine, report, failing, channel, store)]
        texts += [repr(event) for event in store.query_audit(limit=100_000)]
        texts += [repr(failure) for failure in store.list_failures(include_resolved=True)]
        assert store.list_failures(include_resolved=True), "the failing scenario should have failed something"
    wrong = AisCredentials("SYNCSVC", PASSWORD + "-wrong")
    with AisClient("https://ais.emulator", wrong, transport=EmulatorTransport(ais_spy), retry=retry) as bad:
        with pytest.raises(SdkError) as refused:
            next(iter(bad.browse("F0101", ["AN8"])))
        texts += [str(refused.value), repr(bad)]

    secrets = {PASSWORD, PASSWORD + "-wrong", CLIENT_SECRET, REFRESH_TOKEN, channel.token.reveal()}
    secrets |= ais_spy.tokens() | zoho_spy.tokens()
    assert len(secrets) > 6, "the spies should have seen the issued tokens"
    everything = "\n".join([caplog.text, *texts])
    assert any(record.levelno == logging.DEBUG for record in caplog.records)
    leaked = {
        secret[:12]: everything[max(0, everything.index(secret) - 120) : everything.index(secret) + 20]
        for secret in secrets
        if secret in everything
    }
    assert leaked == {}
    assert find_secrets(tmp_path / "cassettes" / "sync.yaml", secrets) == []
