"""Running a batch of remote writes: record errors fail one call, a system error stops the batch."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from jde_zoho_sdk.errors import (
    AuthenticationError,
    RateLimitedError,
    RequestTimeoutError,
    SdkError,
    ServerError,
    ValidationError,
)
from jde_zoho_sdk.sync._writes import run_all


def _calls(outcomes: list[object]) -> tuple[list[Callable[[], str]], list[int]]:
    ran: list[int] = []

    def call(index: int, outcome: object) -> Callable[[], str]:
        def run() -> str:
            ran.append(index)
            if isinstance(outcome, BaseException):
                raise outcome
            return str(outcome)

        return run

    return [call(index, outcome) for index, outcome in enumerate(outcomes)], ran


def test_a_record_error_fails_one_call_and_the_rest_run() -> None:
    refused = ValidationError("bad e-mail")
    calls, ran = _calls(["a", refused, "c"])
    attempts, stop = run_all(calls, concurrency=1)
    assert stop is None
    assert ran == [0, 1, 2]
    assert [(a.value, a.error, a.unknown) for a in attempts] == [
        ("a", None, False),
        (None, refused, False),
        ("c", None, False),
    ]


@pytest.mark.parametrize(
    ("error", "unknown"),
    [
        (RequestTimeoutError("no answer in time"), True),  # the server may have done the work
        (ServerError("502 from the proxy"), True),
        (AuthenticationError("session refused"), False),  # refused before anything ran
        (RateLimitedError("429", retry_after=30.0), False),
    ],
)
@pytest.mark.parametrize("concurrency", [1, 3])
def test_a_system_error_stops_the_batch_and_marks_what_may_have_landed(
    error: SdkError, unknown: bool, concurrency: int
) -> None:
    calls, ran = _calls(["a", error, "c", "d", "e"])
    attempts, stop = run_all(calls, concurrency=concurrency)
    assert stop is error
    assert attempts[0].value == "a"
    assert (attempts[1].value, attempts[1].error, attempts[1].unknown) == (None, None, unknown)
    never_ran = [attempts[index] for index in range(2, 5) if index not in ran]
    assert all(a.value is None and a.error is None and not a.unknown for a in never_ran)
    if concurrency == 1:
        assert ran == [0, 1]  # nothing starts after the error
