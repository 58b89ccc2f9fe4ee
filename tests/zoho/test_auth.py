"""OAuth: tokens cached and refreshed once, routed to a checked api_domain, errors typed with advice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest

from jde_zoho_sdk import (
    AuthenticationError,
    PermissionDeniedError,
    RateLimitedError,
    RetryEvent,
    ServerError,
)
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import (
    MemoryTokenCache,
    Region,
    TokenThrottledError,
    ZohoAuthenticationError,
    ZohoClient,
    ZohoConfigError,
    ZohoOAuth,
    ZohoPermissionError,
    ZohoRateLimitedError,
    ZohoServerError,
    ZohoTokenError,
)

from .conftest import Clock, in_process_client, no_sleep_retry

SECRET = "client-secret-9f8e7d6c5b4a3928"
REFRESH = "1000.refresh.0a1b2c3d4e5f6a7b8c9d"
RECORD = {"data": [{"id": "1", "Account_Name": "Zylker", "Modified_Time": "2025-03-03T01:00:00-08:00"}]}


class FakeZoho:
    """A scripted accounts server and API host (``httpx.MockTransport`` handler)."""

    def __init__(self, api_domain: str = "https://www.zohoapis.eu", *, ttl: int = 3600) -> None:
        self.api_domain = api_domain
        self.ttl = ttl
        self.token_forms: list[dict[str, list[str]]] = []
        self.api_requests: list[httpx.Request] = []
        self.token_answer: Callable[[int], httpx.Response] | None = None
        self.api_answer: Callable[[httpx.Request], httpx.Response] | None = None
        self.rejected: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            with self.lock:
                self.token_forms.append(parse_qs(request.content.decode()))
                number = len(self.token_forms)
            if self.token_answer is not None:
                return self.token_answer(number)
            body = {
                "access_token": f"1000.access-{number}.abcdef",
                "api_domain": self.api_domain,
                "token_type": "Bearer",
                "expires_in": self.ttl,
            }
            return httpx.Response(200, json=body)
        with self.lock:
            # A snapshot: the client sends the same request object again on a retry.
            self.api_requests.append(
                httpx.Request(request.method, request.url, headers=request.headers.copy())
            )
        if self.api_answer is not None:
            return self.api_answer(request)
        token = request.headers.get("Authorization", "").removeprefix("Zoho-oauthtoken ")
        if token in self.rejected:
            return httpx.Response(
                401,
                json={
                    "code": "INVALID_TOKEN",
                    "details": {},
                    "message": "invalid oauth token",
                    "status": "error",
                },
            )
        return httpx.Response(200, json=RECORD)

    @property
    def tokens_issued(self) -> int:
        return len(self.token_forms)


def client(
    fake: FakeZoho,
    region: Region = Region.EU,
    clock: Clock | None = None,
    cache: MemoryTokenCache | None = None,
) -> ZohoClient:
    oauth = ZohoOAuth("1000.CLIENT", SECRET, region=region, refresh_token=REFRESH, clock=clock, cache=cache)
    return ZohoClient(oauth, transport=httpx.MockTransport(fake), retry=no_sleep_retry())


def test_first_call_gets_a_token_and_goes_to_the_answered_api_domain(clock: Clock) -> None:
    fake = FakeZoho(api_domain="https://sandbox.zohoapis.eu")
    with client(fake, clock=clock) as zoho:
        record = zoho.get_record("Accounts", "1")
    assert record is not None
    assert record.get("Account_Name") == "Zylker"
    assert fake.tokens_issued == 1
    assert fake.token_forms[0]["grant_type"] == ["refresh_token"]
    assert fake.token_forms[0]["refresh_token"] == [REFRESH]
    sent = fake.api_requests[0]
    assert str(sent.url) == "https://sandbox.zohoapis.eu/crm/v8/Accounts/1"
    assert sent.headers["Host"] == "sandbox.zohoapis.eu"
    assert sent.headers["Authorization"] == "Zoho-oauthtoken 1000.access-1.abcdef"


def test_token_is_kept_until_shortly_before_it_expires(clock: Clock) -> None:
    fake = FakeZoho()
    with client(fake, clock=clock) as zoho:
        zoho.get_record("Accounts", "1")
        clock.advance(timedelta(minutes=58))
        zoho.get_record("Accounts", "1")
        assert fake.tokens_issued == 1
        clock.advance(timedelta(seconds=90))  # inside the one-minute margin before the hour
        zoho.get_record("Accounts", "1")
    assert fake.tokens_issued == 2
    assert fake.api_requests[-1].headers["Authorization"].endswith("access-2.abcdef")


def test_rejected_token_is_refreshed_once_and_the_call_repeated(clock: Clock) -> None:
    fake = FakeZoho()
    fake.rejected.add("1000.access-1.abcdef")
    with client(fake, clock=clock) as zoho:
        assert zoho.get_record("Accounts", "1") is not None
    assert fake.tokens_issued == 2
    assert [r.headers["Authorization"][-15:] for r in fake.api_requests] == [
        "access-1.abcdef",
        "access-2.abcdef",
    ]


def test_a_second_rejection_raises_instead_of_refreshing_again(clock: Clock) -> None:
    fake = FakeZoho()
    fake.api_answer = lambda _request: httpx.Response(
        401,
        json={
            "code": "AUTHENTICATION_FAILURE",
            "details": {},
            "message": "Authentication failed",
            "status": "error",
        },
    )
    with client(fake, clock=clock) as zoho, pytest.raises(ZohoAuthenticationError) as caught:
        zoho.get_record("Accounts", "1")
    assert isinstance(caught.value, AuthenticationError)
    assert caught.value.code == "AUTHENTICATION_FAILURE"
    assert fake.tokens_issued == 2
    assert len(fake.api_requests) == 2


def test_scope_mismatch_is_a_permission_error_not_a_refresh(clock: Clock) -> None:
    fake = FakeZoho()
    envelope = {
        "code": "OAUTH_SCOPE_MISMATCH",
        "details": {},
        "message": "invalid oauth scope to access this URL",
        "status": "error",
    }
    fake.api_answer = lambda _request: httpx.Response(401, json=envelope)
    with client(fake, clock=clock) as zoho, pytest.raises(ZohoPermissionError) as caught:
        zoho.fields("Accounts")
    assert isinstance(caught.value, PermissionDeniedError)
    assert "scope" in str(caught.value)
    assert fake.tokens_issued == 1


@pytest.mark.parametrize(
    "api_domain",
    [
        "https://www.zohoapis.com",
        "https://www.zohoapis.eu.attacker.example",
        "http://www.zohoapis.eu",
        "https://zohoapis.eu",
        "not a url",
    ],
)
def test_api_domain_outside_the_region_is_refused_and_the_token_never_sent(
    clock: Clock, api_domain: str
) -> None:
    fake = FakeZoho(api_domain=api_domain)
    with client(fake, clock=clock) as zoho, pytest.raises(ZohoConfigError) as caught:
        zoho.get_record("Accounts", "1")
    assert fake.api_requests == []
    assert "not a Zoho API host of region EU" in str(caught.value)
    assert "Region.custom" in str(caught.value)


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        ("invalid_code", "generate a new one"),
        ("invalid_client", "client id"),
        ("invalid_client_secret", "client secret"),
    ],
)
def test_grant_errors_answered_with_200_become_typed_errors_with_advice(
    clock: Clock, error: str, hint: str
) -> None:
    fake = FakeZoho()
    fake.token_answer = lambda _number: httpx.Response(200, json={"error": error})
    with client(fake, clock=clock) as zoho, pytest.raises(ZohoTokenError) as caught:
        zoho.get_record("Accounts", "1")
    assert caught.value.code == error
    assert hint in str(caught.value)
    assert isinstance(caught.value, AuthenticationError)
    assert fake.api_requests == []


def test_throttled_token_endpoint_says_to_share_tokens(clock: Clock) -> None:
    fake = FakeZoho()
    body = {
        "error_description": "You have made too many requests continuously. Please try again after some time.",
        "error": "Access Denied",
        "status": "failure",
    }
    fake.token_answer = lambda _number: httpx.Response(400, json=body)
    with client(fake, clock=clock) as zoho, pytest.raises(TokenThrottledError) as caught:
        zoho.get_record("Accounts", "1")
    assert isinstance(caught.value, RateLimitedError)
    assert "10 access tokens per refresh token per 10 minutes" in str(caught.value)
    assert "TokenCache" in str(caught.value)


def gateway_page(status: int) -> httpx.Response:
    return httpx.Response(
        status, text="<html>Service Unavailable</html>", headers={"Content-Type": "text/html"}
    )


def test_a_token_endpoint_failing_with_5xx_is_retried_under_the_client_policy(clock: Clock) -> None:
    fake = FakeZoho()
    token = {"access_token": "1000.access.abcdef", "api_domain": fake.api_domain, "expires_in": 3600}
    fake.token_answer = lambda number: {1: gateway_page(503), 2: gateway_page(502)}.get(
        number, httpx.Response(200, json=token)
    )
    retries: list[RetryEvent] = []
    oauth = ZohoOAuth("1000.CLIENT", SECRET, region=Region.EU, refresh_token=REFRESH, clock=clock)
    policy = no_sleep_retry(on_retry=retries.append)
    with ZohoClient(oauth, transport=httpx.MockTransport(fake), retry=policy) as zoho:
        assert zoho.get_record("Accounts", "1") is not None
        assert zoho.stats.calls == 1  # token requests are no API calls
    assert fake.tokens_issued == 3
    assert [event.reason for event in retries] == ["HTTP 503", "HTTP 502"]


def test_a_token_endpoint_that_keeps_failing_is_a_server_error(clock: Clock) -> None:
    fake = FakeZoho()
    fake.token_answer = lambda _number: gateway_page(503)
    with client(fake, clock=clock) as zoho, pytest.raises(ZohoServerError) as caught:
        zoho.get_record("Accounts", "1")
    assert isinstance(caught.value, ServerError)
    assert caught.value.status == 503
    assert "token endpoint answered HTTP 503" in str(caught.value)
    assert fake.tokens_issued == 5  # the policy's tries
    assert fake.api_requests == []


def test_a_bare_429_from_the_token_endpoint_is_rate_limiting_but_zohos_throttle_is_not_retried(
    clock: Clock,
) -> None:
    fake = FakeZoho()
    fake.token_answer = lambda _number: httpx.Response(429, text="slow down")
    with client(fake, clock=clock) as zoho, pytest.raises(ZohoRateLimitedError):
        zoho.get_record("Accounts", "1")
    assert fake.tokens_issued == 5
    throttled = FakeZoho()
    body = {"error": "Access Denied", "error_description": "You have made too many requests continuously."}
    throttled.token_answer = lambda _number: httpx.Response(429, json=body)
    with client(throttled, clock=clock) as zoho, pytest.raises(TokenThrottledError):
        zoho.get_record("Accounts", "1")
    assert throttled.tokens_issued == 1  # Zoho's throttle lasts minutes: no backoff of seconds helps


@pytest.mark.parametrize("status", [400, 500, 503])
def test_zohos_throttle_is_known_by_its_body_whatever_the_status(clock: Clock, status: int) -> None:
    throttled = FakeZoho()
    body = {"error": "Access Denied", "error_description": "You have made too many requests continuously."}
    throttled.token_answer = lambda _number: httpx.Response(status, json=body)
    with client(throttled, clock=clock) as zoho, pytest.raises(TokenThrottledError) as caught:
        zoho.get_record("Accounts", "1")
    assert throttled.tokens_issued == 1
    assert "TokenCache" in (caught.value.hint or "")


def test_threads_starting_together_share_one_refresh(clock: Clock) -> None:
    fake = FakeZoho()
    pause = threading.Event()

    def slow_token(number: int) -> httpx.Response:
        pause.wait(0.2)  # time for the other threads to ask for a token too, which the lock must prevent
        body = {
            "access_token": f"1000.access-{number}.abcdef",
            "api_domain": fake.api_domain,
            "expires_in": 3600,
        }
        return httpx.Response(200, json=body)

    fake.token_answer = slow_token
    start = threading.Barrier(8)
    with client(fake, clock=clock) as zoho:

        def call() -> None:
            start.wait()
            zoho.get_record("Accounts", "1")

        workers = [threading.Thread(target=call) for _ in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert fake.tokens_issued == 1
    assert len(fake.api_requests) == 8


def test_a_token_cache_lets_two_clients_share_one_token(clock: Clock) -> None:
    fake = FakeZoho()
    cache = MemoryTokenCache()
    with client(fake, clock=clock, cache=cache) as first, client(fake, clock=clock, cache=cache) as second:
        first.get_record("Accounts", "1")
        second.get_record("Accounts", "1")
        assert fake.tokens_issued == 1
        fake.rejected.add("1000.access-1.abcdef")
        second.get_record("Accounts", "1")  # refreshes once, for both
        first.get_record("Accounts", "1")
    assert fake.tokens_issued == 2


def test_a_cached_token_of_another_region_is_not_used(clock: Clock) -> None:
    us, eu = FakeZoho(api_domain="https://www.zohoapis.com"), FakeZoho()
    cache = MemoryTokenCache()
    with client(us, Region.US, clock=clock, cache=cache) as american:
        american.get_record("Accounts", "1")
    with client(eu, Region.EU, clock=clock, cache=cache) as european:
        european.get_record("Accounts", "1")
    assert eu.tokens_issued == 1
    assert eu.api_requests[0].url.host == "www.zohoapis.eu"


def test_client_credentials_grant_sends_the_org_as_soid(clock: Clock) -> None:
    fake = FakeZoho()
    oauth = ZohoOAuth.from_client_credentials(
        "1000.SELF", SECRET, "600123456", ["ZohoCRM.modules.ALL"], Region.EU, clock=clock
    )
    with ZohoClient(oauth, transport=httpx.MockTransport(fake)) as zoho:
        zoho.get_record("Accounts", "1")
    form = fake.token_forms[0]
    assert form["grant_type"] == ["client_credentials"]
    assert form["soid"] == ["ZohoCRM.600123456"]
    assert form["scope"] == ["ZohoCRM.modules.ALL"]
    assert oauth.refresh_token is None


def test_authorization_code_exchange_keeps_the_refresh_token_and_its_first_token(
    emulator: ZohoEmulator,
) -> None:
    code = emulator.issue_grant_code()
    region = Region.custom(emulator.url, emulator.url)
    oauth = ZohoOAuth.from_authorization_code(
        emulator.client_id, emulator.client_secret, code, region, transport=emulator.transport()
    )
    assert oauth.refresh_token is not None
    assert oauth.refresh_token.reveal().startswith("1000.")
    with ZohoClient(oauth, transport=emulator.transport()) as zoho:
        zoho.fields("Vendors")
    assert emulator.token_requests == 1  # the exchange's own access token was used
    with pytest.raises(ZohoTokenError, match="invalid_code"):
        ZohoOAuth.from_authorization_code(
            emulator.client_id, emulator.client_secret, code, region, transport=emulator.transport()
        )


def test_authorization_url_asks_for_offline_access() -> None:
    url = ZohoOAuth.authorization_url(
        "1000.ID", ["ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL"], "https://app/cb", Region.EU, state="xyz"
    )
    parsed = httpx.URL(url)
    assert parsed.host == "accounts.zoho.eu"
    assert parsed.params["access_type"] == "offline"
    assert parsed.params["scope"] == "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL"
    assert parsed.params["state"] == "xyz"


def test_revoked_refresh_token_is_reported_with_what_to_do(emulator: ZohoEmulator) -> None:
    emulator.revoke_refresh_token()
    with in_process_client(emulator) as zoho, pytest.raises(ZohoTokenError) as caught:
        zoho.fields("Accounts")
    assert caught.value.code == "invalid_code"
    assert "generate a new one" in str(caught.value)


def test_emulator_throttles_the_eleventh_token_in_ten_minutes(emulator: ZohoEmulator, clock: Clock) -> None:
    for _ in range(10):
        with in_process_client(emulator, clock) as zoho:
            zoho.fields("Accounts")
    with in_process_client(emulator, clock) as zoho, pytest.raises(TokenThrottledError):
        zoho.fields("Accounts")
    clock.advance(timedelta(minutes=10))
    with in_process_client(emulator, clock) as zoho:
        assert zoho.fields("Accounts")


def test_credentials_are_checked_before_anything_is_sent() -> None:
    with pytest.raises(ZohoConfigError, match="exactly one of refresh_token and org_id"):
        ZohoOAuth("1000.ID", SECRET, region=Region.US)
    with pytest.raises(ZohoConfigError, match="client secret is empty"):
        ZohoOAuth.from_refresh_token("1000.ID", "", REFRESH, Region.US)


def test_oauth_repr_shows_no_secret() -> None:
    oauth = ZohoOAuth.from_refresh_token("1000.ID", SECRET, REFRESH, Region.IN)
    assert repr(oauth) == "ZohoOAuth(client_id='1000.ID', region='IN', grant='refresh_token')"
    assert SECRET not in repr(vars(oauth))
    assert REFRESH not in repr(vars(oauth))


def test_client_credentials_work_against_the_emulator(emulator: ZohoEmulator) -> None:
    region = Region.custom(emulator.url, emulator.url)
    oauth = ZohoOAuth.from_client_credentials(
        emulator.client_id, emulator.client_secret, emulator.org_id, ["ZohoCRM.modules.ALL"], region
    )
    with ZohoClient(oauth, transport=emulator.transport()) as zoho:
        assert zoho.fields("Contacts")
    wrong_org = ZohoOAuth.from_client_credentials(
        emulator.client_id, emulator.client_secret, "999", ["ZohoCRM.modules.ALL"], region
    )
    with ZohoClient(wrong_org, transport=emulator.transport()) as zoho, pytest.raises(ZohoTokenError):
        zoho.fields("Contacts")
