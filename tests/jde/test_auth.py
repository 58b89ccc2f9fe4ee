"""The session token lifecycle against a scripted AIS (httpx.MockTransport)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from jde_zoho_sdk import AuthenticationError, PermissionDeniedError, RequestTimeoutError, Secret
from jde_zoho_sdk.jde import (
    AisAuthenticationError,
    AisClient,
    AisConfigError,
    AisCredentials,
    AisError,
    AisPermissionDeniedError,
    AisServerError,
    OrchestrationError,
)
from tests.jde.conftest import FakeClock, no_wait_retry

USER_INFO = {"dateFormat": "MDE", "simpleDateFormat": "MM/dd/yyyy", "dateSeperator": "/"}
TOKEN_ANSWER = {"username": "JDE", "environment": "JDV920", "role": "*ALL"}
OK_ORCHESTRATION = {"AddressNumber": 4242, "jde__status": "SUCCESS"}

Answer = int | tuple[int, object]


class ScriptedAis:
    """Answers token requests with fresh tokens and other calls from a script, recording everything."""

    def __init__(
        self, *answers: Answer, login: Callable[[httpx.Request], httpx.Response] | None = None
    ) -> None:
        self.script = list(answers)
        self.requests: list[httpx.Request] = []
        self.tokens: list[str] = []
        self.logouts: list[str] = []
        self._login = login
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        snapshot = httpx.Request(
            request.method, request.url, headers=request.headers.copy(), content=request.content
        )
        with self._lock:
            self.requests.append(snapshot)  # the auth flow changes the request object it repeats
        path = request.url.path
        if path.endswith("/tokenrequest"):
            if self._login is not None:
                return self._login(request)
            return self.token()
        if path.endswith("/logout"):
            self.logouts.append(json.loads(request.content)["token"])
            return httpx.Response(200, json={"status": "Success"})
        with self._lock:
            answer = self.script.pop(0) if self.script else 200
        status, body = answer if isinstance(answer, tuple) else (answer, OK_ORCHESTRATION)
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    def token(self) -> httpx.Response:
        with self._lock:
            token = f"044token-number-{len(self.tokens) + 1}=="
            self.tokens.append(token)
        return httpx.Response(200, json={**TOKEN_ANSWER, "userInfo": {**USER_INFO, "token": token}})

    def calls(self, suffix: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith(suffix)]


def make(fake: ScriptedAis, clock: FakeClock | None = None, **options: object) -> AisClient:
    return AisClient(
        "https://ais.example.com:9300/jderest/",
        AisCredentials("JDE", "pa55-word-of-jde", environment="JDV920", role="*ALL"),
        transport=httpx.MockTransport(fake),
        retry=no_wait_retry(),
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


def run(ais: AisClient) -> int:
    return ais.run_orchestration("JZ_Update", {"AddressNumber": 1}, idempotent=True)["AddressNumber"]  # type: ignore[return-value]


def test_first_call_requests_a_token_and_sends_it_in_the_documented_headers() -> None:
    fake = ScriptedAis(200)
    with make(fake) as ais:
        assert run(ais) == 4242
    (login,) = fake.calls("/tokenrequest")
    assert json.loads(login.content) == {
        "username": "JDE",
        "password": "pa55-word-of-jde",
        "deviceName": "jde-zoho-sdk",
        "environment": "JDV920",
        "role": "*ALL",
    }
    (call,) = fake.calls("/JZ_Update")
    assert call.headers["jde-AIS-Auth"] == fake.tokens[0]
    assert call.headers["jde-AIS-Auth-Device"] == "jde-zoho-sdk"
    assert call.headers["Content-Type"] == "application/json"
    assert "password" not in call.content.decode()
    assert fake.logouts == fake.tokens  # close() logged the session out


def test_refused_credentials_raise_once_and_say_what_was_refused() -> None:
    fake = ScriptedAis(login=lambda _r: httpx.Response(403, json={"message": "Authorization Failure"}))
    with make(fake) as ais, pytest.raises(AisAuthenticationError) as caught:
        run(ais)
    assert isinstance(caught.value, AuthenticationError)
    assert "username, password, environment or role" in str(caught.value)
    assert "pa55-word-of-jde" not in str(caught.value)
    assert len(fake.requests) == 1  # never retried: retries could lock the account


def test_invalid_token_answer_leads_to_one_new_login_and_one_repeat() -> None:
    fake = ScriptedAis((444, {"message": "Invalid Token", "exception": "Exception"}), 200)
    with make(fake) as ais:
        assert run(ais) == 4242
        assert ais.logins == 2
    first, second = fake.calls("/JZ_Update")
    assert first.headers["jde-AIS-Auth"] == fake.tokens[0]
    assert second.headers["jde-AIS-Auth"] == fake.tokens[1]


@pytest.mark.parametrize("body", [{"message": "Token is Invalid"}, "Invalid Token"])
def test_a_403_saying_the_token_is_invalid_is_an_expired_session(body: object) -> None:
    fake = ScriptedAis((403, body), 200)
    with make(fake) as ais:
        assert run(ais) == 4242
        assert ais.logins == 2


def test_a_403_whose_other_keys_mention_an_invalid_token_is_not_an_expired_session() -> None:
    # An orchestration step's own error (its text in userDefinedErrorText): not the session's failure,
    # so a call that is not idempotent must not be sent again, nor the session replaced.
    body = {
        "jde__status": "ERROR",
        "jde__simpleMessage": "JZ_Pay failed",
        "userDefinedErrorText": "The payment token is invalid for this customer",
    }
    fake = ScriptedAis((403, body), 200)
    with make(fake) as ais:
        with pytest.raises(OrchestrationError, match="JZ_Pay failed"):
            ais.run_orchestration("JZ_Pay", {"AddressNumber": 1})
        assert ais.logins == 1
    assert len(fake.calls("/JZ_Pay")) == 1
    assert fake.logouts == fake.tokens  # the one session, logged out at close


def test_token_refused_again_after_a_new_login_is_an_authentication_error() -> None:
    fake = ScriptedAis(444, 444, 200)
    with make(fake) as ais, pytest.raises(AisAuthenticationError, match="refused again"):
        run(ais)
    assert len(fake.calls("/tokenrequest")) == 2
    assert len(fake.calls("/JZ_Update")) == 2


def test_permission_403_is_not_an_expired_session() -> None:
    fake = ScriptedAis(
        (403, {"message": "User JDE is not authorized to run JZ_Update", "exception": "Security"})
    )
    with make(fake) as ais:
        with pytest.raises(AisPermissionDeniedError) as caught:
            run(ais)
        assert ais.logins == 1
    assert isinstance(caught.value, PermissionDeniedError)
    assert caught.value.status == 403


def test_session_is_replaced_after_refresh_every_and_the_old_one_logged_out(clock: FakeClock) -> None:
    fake = ScriptedAis(200, 200, 200)
    with make(fake, clock, refresh_every=timedelta(minutes=25)) as ais:
        run(ais)
        clock.advance(minutes=24)
        run(ais)
        assert ais.logins == 1
        clock.advance(minutes=1)
        run(ais)
        assert ais.logins == 2
        assert fake.logouts == [fake.tokens[0]]
    assert fake.logouts == fake.tokens


class SlowAis(ScriptedAis):
    """A scripted AIS whose ``JZ_Slow`` calls answer only when the test says, and ``JZ_Lost`` calls never."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.finish = threading.Event()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/JZ_Slow"):
            self.entered.set()
            assert self.finish.wait(timeout=10)
        if request.url.path.endswith("/JZ_Lost"):
            raise httpx.ReadTimeout("read timed out", request=request)
        return super().__call__(request)


def test_a_session_replaced_while_a_call_on_it_runs_is_logged_out_after_that_call(clock: FakeClock) -> None:
    fake = SlowAis()
    with make(fake, clock) as ais:
        slow = threading.Thread(target=ais.run_orchestration, args=("JZ_Slow", {}))
        slow.start()
        assert fake.entered.wait(timeout=10)
        clock.advance(minutes=25)
        run(ais)  # on a new session: the first is retired
        assert ais.logins == 2
        assert fake.logouts == []  # the slow call still runs on it
        fake.finish.set()
        slow.join(timeout=10)
        assert fake.logouts == [fake.tokens[0]]
    (slow_call,) = fake.calls("/JZ_Slow")
    assert slow_call.headers["jde-AIS-Auth"] == fake.tokens[0]


def test_a_session_whose_call_got_no_answer_is_logged_out_when_replaced(clock: FakeClock) -> None:
    fake = SlowAis()
    with make(fake, clock) as ais:
        with pytest.raises(RequestTimeoutError):
            ais.run_orchestration("JZ_Lost", {})
        clock.advance(minutes=25)
        run(ais)
        assert fake.logouts == [fake.tokens[0]]  # the failed call let go of it


def test_renewal_seen_by_several_callers_logs_in_once() -> None:
    fake = ScriptedAis()
    with make(fake) as ais:
        manager = ais._manager
        stale = manager.current()
        fresh = manager.renew(stale)
        assert manager.renew(stale) is fresh  # a second thread that saw the same refusal
        assert ais.logins == 2


class CountingLock:
    """A lock that tells a test how many threads wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self.waiting = 0

    def __enter__(self) -> None:
        with self._changed:
            self.waiting += 1
            self._changed.notify_all()
        self._lock.acquire()
        with self._changed:
            self.waiting -= 1

    def __exit__(self, *_exc: object) -> None:
        self._lock.release()

    def wait_for(self, count: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.waiting >= count, timeout=10)


def test_concurrent_first_calls_share_one_login() -> None:
    release = threading.Event()
    lock = CountingLock()
    holder: list[ScriptedAis] = []

    def slow_login(_request: httpx.Request) -> httpx.Response:
        assert release.wait(timeout=10)  # the first caller holds the session lock here
        return holder[0].token()

    fake = ScriptedAis(login=slow_login)
    holder.append(fake)
    with make(fake) as ais:
        ais._manager._lock = lock  # type: ignore[assignment]
        threads = [threading.Thread(target=run, args=(ais,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        assert lock.wait_for(5)  # five callers queue behind the one logging in
        release.set()
        for thread in threads:
            thread.join(timeout=10)
        assert ais.logins == 1
    assert len(fake.calls("/JZ_Update")) == 6
    assert {r.headers["jde-AIS-Auth"] for r in fake.calls("/JZ_Update")} == {fake.tokens[0]}


def test_close_without_a_session_sends_nothing_and_the_client_then_refuses_calls() -> None:
    fake = ScriptedAis()
    ais = make(fake)
    ais.close()
    assert fake.requests == []
    with pytest.raises(AisError, match="closed"):
        run(ais)


def test_non_idempotent_orchestration_is_not_repeated_after_a_bad_gateway() -> None:
    fake = ScriptedAis(502, 200)
    with make(fake) as ais:
        with pytest.raises(AisServerError):
            ais.run_orchestration("JZ_Create", {"AlphaName": "x"})
        assert len(fake.calls("/JZ_Create")) == 1
        assert (
            ais.run_orchestration("JZ_Create", {"AlphaName": "x"}, idempotent=True)["AddressNumber"] == 4242
        )


def test_credentials_never_show_the_password() -> None:
    credentials = AisCredentials("JDE", "pa55-word-of-jde")
    assert isinstance(credentials.password, Secret)
    assert "pa55" not in repr(credentials)
    assert AisCredentials("JDE", Secret("pa55-word-of-jde")) == credentials


def test_session_facts_are_exposed_without_the_token() -> None:
    fake = ScriptedAis()
    with make(fake) as ais:
        info = ais.session
        assert info.date_format.pattern == "MM/dd/yyyy"
        assert info.environment == "JDV920"
        assert fake.tokens[0] not in repr(info)


@pytest.mark.parametrize(
    ("username", "password", "path"),
    [("", "pw-long-enough", "ais.username"), ("  ", "pw", "ais.username"), ("JDE", "", "ais.password")],
)
def test_blank_credentials_are_refused_before_any_login(username: str, password: str, path: str) -> None:
    with pytest.raises(AisConfigError) as refused:
        AisCredentials(username, password)
    assert refused.value.path == path


def test_a_password_that_is_not_text_is_refused_naming_it() -> None:
    with pytest.raises(AisConfigError, match=r"ais\.password: expected text or a Secret, got int"):
        AisCredentials("JDE", 1234)  # type: ignore[arg-type]
