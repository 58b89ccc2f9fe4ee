"""The retry policy: what is retried, how long it waits, and when it gives up."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from jde_zoho_sdk import RequestTimeoutError, RetryEvent, RetryPolicy, TransportError
from jde_zoho_sdk._http import Requester, parse_retry_after


class FakeTime:
    """A clock that only moves when the policy sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*answers: int | Exception | httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    """A transport handler that plays the given statuses/errors in order, recording each request."""
    seen: list[httpx.Request] = []
    queue: Iterator[int | Exception | httpx.Response] = iter(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = next(queue)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(answer, json={"n": len(seen)})

    return handle, seen


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def make(handler: Handler, fake_time: FakeTime, **policy: object) -> Requester:
    retry = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock, random=lambda: 1.0, **policy)  # type: ignore[arg-type]
    return Requester(transport=httpx.MockTransport(handler), base_url="https://api.example", retry=retry)


def get(requester: Requester, *, idempotent: bool = True) -> httpx.Response:
    return requester.send(requester.http.build_request("GET", "/things"), idempotent=idempotent)


def post(requester: Requester, *, idempotent: bool = False) -> httpx.Response:
    return requester.send(
        requester.http.build_request("POST", "/things", json={"a": 1}), idempotent=idempotent
    )


def test_success_is_returned_after_one_call(fake_time: FakeTime) -> None:
    handler, seen = scripted(200)
    response = get(make(handler, fake_time))
    assert response.status_code == 200
    assert len(seen) == 1
    assert fake_time.sleeps == []


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retryable_statuses_are_retried_until_success(fake_time: FakeTime, status: int) -> None:
    handler, seen = scripted(status, status, 200)
    requester = make(handler, fake_time)
    assert get(requester).status_code == 200
    assert len(seen) == 3
    assert requester.stats.snapshot().calls == 3
    assert requester.stats.snapshot().retries == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500])
def test_client_errors_and_500_are_not_retried(fake_time: FakeTime, status: int) -> None:
    handler, seen = scripted(status, 200)
    assert get(make(handler, fake_time)).status_code == status
    assert len(seen) == 1
    assert fake_time.sleeps == []


def test_waits_grow_exponentially_with_full_jitter_and_cap(fake_time: FakeTime) -> None:
    handler, _ = scripted(503, 503, 503, 503, 503, 200)
    requester = make(handler, fake_time, max_tries=6, initial_delay=1.0, max_delay=5.0)
    assert get(requester).status_code == 200
    # random() == 1.0 gives the upper bound of each jitter range: 1, 2, 4, then capped at 5.
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_jitter_spreads_waits_below_the_bound(fake_time: FakeTime) -> None:
    handler, _ = scripted(503, 200)
    retry = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock, random=lambda: 0.25, initial_delay=2.0)
    requester = Requester(transport=httpx.MockTransport(handler), base_url="https://x", retry=retry)
    get(requester)
    assert fake_time.sleeps == [0.5]


def test_gives_up_after_max_tries_and_returns_last_answer(fake_time: FakeTime) -> None:
    handler, seen = scripted(*([503] * 10))
    response = get(make(handler, fake_time, max_tries=4))
    assert response.status_code == 503
    assert len(seen) == 4
    assert len(fake_time.sleeps) == 3


def test_retry_after_seconds_replaces_the_computed_wait(fake_time: FakeTime) -> None:
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": "7"}), 200)
    assert get(make(handler, fake_time)).status_code == 200
    assert fake_time.sleeps == [7.0]


def test_retry_after_http_date_is_honoured(fake_time: FakeTime) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    handler, _ = scripted(httpx.Response(503, headers={"Retry-After": when}), 200)
    get(make(handler, fake_time))
    assert len(fake_time.sleeps) == 1
    assert 28.0 <= fake_time.sleeps[0] <= 30.0


def test_retry_after_longer_than_allowed_gives_up_at_once(fake_time: FakeTime) -> None:
    handler, seen = scripted(httpx.Response(429, headers={"Retry-After": "600"}), 200)
    response = get(make(handler, fake_time, max_retry_after=60.0))
    assert response.status_code == 429
    assert len(seen) == 1
    assert fake_time.sleeps == []


def test_retry_after_beyond_remaining_budget_gives_up_at_once(fake_time: FakeTime) -> None:
    handler, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "20"}),
        httpx.Response(429, headers={"Retry-After": "20"}),
        200,
    )
    response = get(make(handler, fake_time, max_time=30.0))
    assert response.status_code == 429
    assert len(seen) == 2
    assert fake_time.sleeps == [20.0]  # the second wait would end past the 30 s budget


def test_total_time_bounds_the_retries(fake_time: FakeTime) -> None:
    handler, seen = scripted(*([503] * 50))
    get(make(handler, fake_time, max_tries=50, initial_delay=4.0, max_delay=4.0, max_time=10.0))
    assert sum(fake_time.sleeps) <= 10.0
    assert len(seen) == 3  # waits of 4 + 4; a third would pass 10 s


def test_connection_errors_are_retried_even_for_non_idempotent_requests(fake_time: FakeTime) -> None:
    handler, seen = scripted(httpx.ConnectError("refused"), 201)
    assert post(make(handler, fake_time)).status_code == 201
    assert len(seen) == 2


def test_read_timeout_is_not_retried_for_non_idempotent_requests(fake_time: FakeTime) -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"), 201)
    with pytest.raises(RequestTimeoutError) as caught:
        post(make(handler, fake_time))
    assert len(seen) == 1
    assert "POST https://api.example/things" in str(caught.value)


def test_read_timeout_is_retried_for_idempotent_requests(fake_time: FakeTime) -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset"), 200)
    assert post(make(handler, fake_time), idempotent=True).status_code == 200
    assert len(seen) == 3


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_errors_are_not_retried_for_non_idempotent_requests(fake_time: FakeTime, status: int) -> None:
    handler, seen = scripted(status, 201)
    assert post(make(handler, fake_time)).status_code == status
    assert len(seen) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_not_applied_statuses_are_retried_for_non_idempotent_requests(
    fake_time: FakeTime, status: int
) -> None:
    handler, seen = scripted(status, 201)
    assert post(make(handler, fake_time)).status_code == 201
    assert len(seen) == 2


def test_persistent_connection_failure_raises_transport_error(fake_time: FakeTime) -> None:
    handler, seen = scripted(*[httpx.ConnectError("refused")] * 3)
    with pytest.raises(TransportError) as caught:
        get(make(handler, fake_time, max_tries=3))
    assert len(seen) == 3
    assert not isinstance(caught.value, RequestTimeoutError)
    assert caught.value.method == "GET"
    assert caught.value.hint


def test_never_policy_makes_one_attempt(fake_time: FakeTime) -> None:
    handler, seen = scripted(503, 200)
    requester = Requester(
        transport=httpx.MockTransport(handler), base_url="https://x", retry=RetryPolicy.never()
    )
    assert get(requester).status_code == 503
    assert len(seen) == 1


def test_on_retry_hook_sees_each_retry_with_redacted_url(fake_time: FakeTime) -> None:
    events: list[RetryEvent] = []
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": "2"}), 503, 200)
    requester = make(handler, fake_time, on_retry=events.append)
    request = requester.http.build_request("GET", "/next", params={"token": "044secret-session-token"})
    requester.send(request, idempotent=True)
    assert [(e.attempt, e.reason, e.retry_after) for e in events] == [
        (1, "HTTP 429", 2.0),
        (2, "HTTP 503", None),
    ]
    assert all("044secret" not in e.url for e in events)
    assert [e.delay for e in events] == fake_time.sleeps


def test_request_body_is_resent_identically(fake_time: FakeTime) -> None:
    handler, seen = scripted(503, 201)
    post(make(handler, fake_time), idempotent=True)
    assert seen[0].content == seen[1].content == b'{"a":1}'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("0", 0.0),
        ("12", 12.0),
        ("1.5", 1.5),
        (" 3 ", 3.0),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_date_in_the_past_is_zero() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 0.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now=now) == 60.0


def test_invalid_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="max_tries"):
        RetryPolicy(max_tries=0)


def test_default_requester_has_timeouts_and_tls_verification() -> None:
    requester = Requester(base_url="https://x")
    try:
        assert requester.http.timeout.read == 30.0
        assert requester.http.timeout.connect == 10.0
        assert requester.http.headers["User-Agent"].startswith("jde-zoho-sdk/")
    finally:
        requester.close()


def test_caller_owned_client_is_not_closed() -> None:
    client = httpx.Client()
    Requester(http_client=client).close()
    assert not client.is_closed
    client.close()


def test_give_up_predicate_returns_a_hopeless_answer_at_once(fake_time: FakeTime) -> None:
    spent = httpx.Response(429, json={"code": "TOO_MANY_REQUESTS", "message": "API credits exhausted"})
    handler, seen = scripted(spent, 200)
    requester = make(handler, fake_time, give_up=lambda response: b"credits" in response.content)
    assert get(requester).status_code == 429
    assert len(seen) == 1
    assert fake_time.sleeps == []
    handler, seen = scripted(httpx.Response(429, json={"message": "concurrency"}), 200)
    requester = make(handler, fake_time, give_up=lambda response: b"credits" in response.content)
    assert get(requester).status_code == 200
