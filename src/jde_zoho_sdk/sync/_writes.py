"""Running a batch of remote writes: which errors fail one record and which stop the run, and concurrency."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

import attrs

from jde_zoho_sdk.errors import (
    AuthenticationError,
    MappingError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    SdkError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)

__all__ = ["Attempt", "is_record_error", "run_all"]

T = TypeVar("T")

# Errors that concern the record sent, not the system: the record fails, the batch goes on.
_RECORD_ERRORS = (
    MappingError,
    ValidationError,
    NotFoundError,
    PermissionDeniedError,
    UnexpectedResponseError,
)
# Errors that say the system cannot take work now: the run stops with its cursors where they were.
_SYSTEM_ERRORS = (TransportError, ServerError, AuthenticationError, RateLimitedError)


def is_record_error(error: BaseException) -> bool:
    """Whether ``error`` fails one record (True) or must stop the run (False).

    A JDE orchestration ERROR answer is a record error whatever its HTTP status (the orchestration ran and
    refused this record's data); a network failure, a 5xx, refused credentials or an exhausted rate limit
    are not.
    """
    if isinstance(error, _SYSTEM_ERRORS):
        return False
    return isinstance(error, _RECORD_ERRORS)


@attrs.frozen
class Attempt(Generic[T]):
    """The outcome of one call: a value, or the record-level error it raised.

    Neither means the call never ran, or (``unknown``) that it raised the system error that stopped the
    batch: it may have done its work all the same (a timeout, a reset after the request went out).
    """

    value: T | None = None
    error: BaseException | None = None
    unknown: bool = False


_NOT_RUN: Attempt[object] = Attempt()
"""A call never started (frozen: one instance serves every slot)."""


def _not_run(count: int) -> list[Attempt[T]]:
    return [_NOT_RUN] * count  # type: ignore[list-item]  # neither value nor error: fits any T


_UNKNOWN: Attempt[object] = Attempt(unknown=True)


def _stopped(error: SdkError) -> Attempt[object]:
    """The attempt of a call that raised ``error``, a system error: unknown unless it certainly did not run.

    A network failure or a server error may come after the server did the work; a refusal of the
    credentials or of the rate never does.
    """
    return _UNKNOWN if isinstance(error, TransportError | ServerError) else _NOT_RUN


def _run_one(call: Callable[[], T]) -> Attempt[T]:
    try:
        return Attempt(value=call())
    except SdkError as error:
        if not is_record_error(error):
            raise
        return Attempt(error=error)


def _sequential(calls: Sequence[Callable[[], T]]) -> tuple[list[Attempt[T]], SdkError | None]:
    attempts: list[Attempt[T]] = _not_run(len(calls))
    for index, call in enumerate(calls):
        try:
            attempts[index] = _run_one(call)
        except SdkError as error:
            attempts[index] = _stopped(error)  # type: ignore[assignment]  # no value nor error: fits any T
            return attempts, error
    return attempts, None


def run_all(
    calls: Sequence[Callable[[], T]], *, concurrency: int
) -> tuple[list[Attempt[T]], SdkError | None]:
    """Run calls (up to ``concurrency`` at once), results in input order.

    Record-level errors are returned in their :class:`Attempt`. The first system-level error stops new calls
    from starting; calls already running finish; it is returned so the caller can commit what succeeded
    before raising it. Calls never started get an ``Attempt`` with neither value nor error; a call that
    raised a system error gets one marked ``unknown``.

    Args:
        calls: Zero-argument callables.
        concurrency: Calls in flight at once (1 runs them one after the other).

    Returns:
        The attempts, and the system error that stopped the batch (or None).
    """
    if concurrency <= 1 or len(calls) <= 1:
        return _sequential(calls)
    attempts: list[Attempt[T]] = _not_run(len(calls))
    stop: SdkError | None = None
    upcoming = iter(enumerate(calls))
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="jde-zoho-write") as pool:
        pending: dict[Future[Attempt[T]], int] = {}
        while True:
            while stop is None and len(pending) < concurrency and (item := next(upcoming, None)) is not None:
                pending[pool.submit(_run_one, item[1])] = item[0]
            if not pending:
                return attempts, stop
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                try:
                    attempts[index] = future.result()
                except SdkError as error:
                    attempts[index] = _stopped(error)  # type: ignore[assignment]  # no value nor error: fits any T
                    stop = stop or error
