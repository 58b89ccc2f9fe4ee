"""Contract tests: the client against cassettes hand-built from Oracle's documented example exchanges.

The cassettes (``tests/cassettes/ais``) are replayed with record mode ``none``: no network. Requests must
match the recorded ones by method, URL (secrets redacted) *and* JSON body, so the client is shown to send
the documented request shapes as well as to read the documented answers.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import vcr
from vcr.request import Request as VcrRequest

from jde_zoho_sdk._redact import redact_json
from jde_zoho_sdk.jde import (
    AisAuthenticationError,
    AisClient,
    AisCredentials,
    Condition,
    Operator,
    OrchestrationError,
)
from jde_zoho_sdk.testing.vcr import make_vcr
from tests.jde.conftest import no_wait_retry

CASSETTES = Path(__file__).parent.parent / "cassettes" / "ais"
MATCH_ON = ("method", "scheme", "host", "port", "path", "redacted_query", "json_body")


def _json_body(live: VcrRequest, recorded: VcrRequest) -> None:
    def parsed(request: VcrRequest) -> object:
        body = request.body or b"{}"
        return redact_json(json.loads(body))

    if parsed(live) != parsed(recorded):
        raise AssertionError(f"body differs: {parsed(live)} != {parsed(recorded)}")


@pytest.fixture
def replay() -> vcr.VCR:
    recorder = make_vcr(CASSETTES, record_mode="none")
    recorder.register_matcher("json_body", _json_body)
    return recorder


def client() -> AisClient:
    return AisClient(
        "https://ais.example.com:9300",
        AisCredentials("JDE", "live-password-never-recorded", environment="JDV920", role="*ALL"),
        retry=no_wait_retry(),
    )


def test_documented_token_and_data_service_pages_with_a_next_link(replay: vcr.VCR) -> None:
    with replay.use_cassette("browse_with_next_link.yaml", match_on=MATCH_ON) as cassette, client() as ais:
        assert ais.session.date_format.pattern == "dd/MM/yyyy"  # from userInfo.simpleDateFormat
        rows = list(
            ais.browse(
                "F0101",
                ["AN8", "ALPH", "AT1"],
                where=Condition("UPMJ", Operator.GREATER_EQUAL, date(2024, 1, 31)),
                page_size=5,
            )
        )
    assert cassette.all_played
    assert [row["AN8"] for row in rows] == [1, 9, 20, 27, 28, 30, 1001]
    assert rows[0] == {"AT1": "O", "AN8": 1, "ALPH": "Financial/Distribution Company"}


def test_documented_orchestration_success(replay: vcr.VCR) -> None:
    with replay.use_cassette("orchestration_success.yaml", match_on=MATCH_ON) as cassette, client() as ais:
        result = ais.run_orchestration(
            "JZ_CreateCustomer", {"ExternalReference": "5725767000003000064", "AlphaName": "Acme Industrial"}
        )
    assert cassette.all_played
    assert result.outputs == {"AddressNumber": 4242}
    assert result.status == "SUCCESS"
    assert result.started_at == datetime(2026, 4, 13, 5, 14, 3, 619000, tzinfo=UTC)
    assert result.ended_at == datetime(2026, 4, 13, 5, 14, 5, 929000, tzinfo=UTC)
    assert result.server_seconds == 2.31


def test_documented_orchestration_failure(replay: vcr.VCR) -> None:
    with (
        replay.use_cassette("orchestration_failure.yaml", match_on=MATCH_ON),
        client() as ais,
        pytest.raises(OrchestrationError) as caught,
    ):
        ais.run_orchestration("FR_59_ReceivePurchaseOrder", {"OrderNumber": 4711, "BusinessUnit": "XX"})
    error = caught.value
    assert error.status == 500
    assert error.exception_id == "9dd5a5b6-69dc-4e11-a7ee-7ce03da55e92"
    assert error.simple_message == "FR_59_ReceivePurchaseOrder failed: Error: Business Unit Invalid"
    (form_error,) = error.form_errors
    assert (form_error.code, form_error.title) == ("0052", "Error: Business Unit Invalid")
    assert form_error.description.startswith("CAUSE . . . .")
    assert str(error).startswith("[0052] FR_59_ReceivePurchaseOrder failed")


def test_documented_invalid_token_answer_leads_to_a_new_login(replay: vcr.VCR) -> None:
    with (
        replay.use_cassette("invalid_token_then_new_login.yaml", match_on=MATCH_ON) as cassette,
        client() as ais,
    ):
        result = ais.run_orchestration("JZ_UpdateCustomer", {"AddressNumber": 4242}, idempotent=True)
        assert ais.logins == 2
    assert cassette.all_played
    assert result["AddressNumber"] == 4242


def test_documented_authorization_failure_of_the_token_request(replay: vcr.VCR) -> None:
    with (
        replay.use_cassette("refused_credentials.yaml", match_on=MATCH_ON) as cassette,
        client() as ais,
        pytest.raises(AisAuthenticationError, match="refused the login"),
    ):
        _ = ais.session
    assert cassette.play_count == 1


def test_cassettes_hold_no_live_secret() -> None:
    for cassette in CASSETTES.glob("*.yaml"):
        text = cassette.read_text()
        assert "live-password-never-recorded" not in text
        assert '"token": "REDACTED"' in text or "Authorization Failure" in text
