"""The sync's notification channel: enabled once, renewed from Zoho's answered expiry, verified, delivered."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from wsgiref.types import StartResponse, WSGIEnvironment

import pytest

from jde_zoho_sdk.sync.channels import ChannelKeeper
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing._server import serve_wsgi
from jde_zoho_sdk.zoho import ForgedNotificationError, InvalidNotificationError
from tests.sync.conftest import Systems


def test_channel_is_kept_in_the_store_and_renewed_from_the_answered_expiry(systems: Systems) -> None:
    keeper = ChannelKeeper(
        systems.zoho,
        systems.store,
        modules=["Accounts"],
        notify_url="https://sync.example/zoho",
        clock=systems.clock,
    )
    first = keeper.ensure()
    assert first.expires_at - systems.clock() <= timedelta(days=7)
    assert keeper.ensure() == first  # not due: no call, same channel
    systems.clock.advance((first.expires_at - systems.clock() - timedelta(minutes=30)).total_seconds())
    renewed = keeper.ensure()
    assert renewed.channel_id == first.channel_id
    assert renewed.expires_at > first.expires_at
    # A new keeper (a restarted service) picks up the same channel from the store.
    again = ChannelKeeper(
        systems.zoho,
        systems.store,
        modules=["Accounts"],
        notify_url="https://sync.example/zoho",
        clock=systems.clock,
    )
    assert again.ensure().channel_id == first.channel_id
    assert len(systems.store.list_channels()) == 1


def test_real_notification_is_delivered_verified_queued_and_synced(systems: Systems) -> None:
    systems.load(seed.generate(customers=10, seed=4))
    engine = systems.engine()
    engine.run()
    received: list[bytes] = []

    def receiver(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        received.append(body)
        engine.handle_notification(keeper.verify(body))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    systems.zoho_emu.notify = True
    with serve_wsgi(receiver) as url:
        keeper = ChannelKeeper(
            systems.zoho, systems.store, modules=["Accounts"], notify_url=url, clock=systems.clock
        )
        keeper.ensure()
        account = systems.account(100_003)
        systems.zoho_emu.update("Accounts", str(account["id"]), {"Phone": "608 555-0142"})
        assert systems.zoho_emu.wait_for_deliveries(timeout=10)
    assert received
    assert json.loads(received[-1])["ids"] == [account["id"]]
    assert systems.store.queue_depth() == 1
    engine.drain()
    phones = [r for r in systems.ais_emu.tables.rows("F0115") if r["AN8"] == 100_003 and r["IDLN"] == 0]
    assert (phones[0]["AR1"], phones[0]["PH1"]) == ("608", "555-0142")


def test_forged_notification_is_refused(systems: Systems) -> None:
    keeper = ChannelKeeper(
        systems.zoho, systems.store, modules=["Accounts"], notify_url="https://x", clock=systems.clock
    )
    state = keeper.ensure()
    body = {"server_time": 1718117126473, "module": "Accounts", "ids": ["1"], "operation": "update"}
    with pytest.raises(ForgedNotificationError):
        keeper.verify(json.dumps({**body, "channel_id": state.channel_id, "token": "guess"}).encode())
    with pytest.raises(ForgedNotificationError):
        keeper.verify(json.dumps({**body, "channel_id": "999", "token": state.token.reveal()}).encode())
    real = keeper.verify(
        json.dumps({**body, "channel_id": state.channel_id, "token": state.token.reveal()}).encode()
    )
    assert real.ids == ("1",)


@pytest.mark.parametrize("body", [b"\xff\xfe", b"{not json", b"[" * 100_000 + b"]" * 100_000])
def test_a_body_that_is_not_json_is_an_invalid_notification(systems: Systems, body: bytes) -> None:
    keeper = ChannelKeeper(
        systems.zoho, systems.store, modules=["Accounts"], notify_url="https://x", clock=systems.clock
    )
    keeper.ensure()
    with pytest.raises(InvalidNotificationError, match="not JSON"):
        keeper.verify(body)


def test_a_channel_zoho_keeps_shorter_than_renew_before_is_not_renewed_over_and_over(
    systems: Systems,
) -> None:
    keeper = ChannelKeeper(
        systems.zoho,
        systems.store,
        modules=["Accounts"],
        notify_url="https://x",
        lifetime=timedelta(hours=2),
        renew_before=timedelta(hours=3),  # longer than the channel lives
        clock=systems.clock,
    )
    state = keeper.ensure()
    calls = len(systems.zoho_emu.request_log)
    due = keeper.next_renewal()
    assert due is not None
    assert due == systems.clock() + (state.expires_at - systems.clock()) / 2  # halfway, not at once
    keeper.ensure()
    assert len(systems.zoho_emu.request_log) == calls  # not due yet: no call


def test_a_week_is_asked_with_a_margin_for_clock_skew(systems: Systems) -> None:
    keeper = ChannelKeeper(
        systems.zoho,
        systems.store,
        modules=["Accounts"],
        notify_url="https://x",
        lifetime=timedelta(weeks=1),  # Zoho's maximum: a clock ahead of Zoho's would pass it
        clock=systems.clock,
    )
    state = keeper.ensure()
    assert state.expires_at == systems.clock() + timedelta(weeks=1) - timedelta(minutes=10)
