"""The scheduler of ``jde-zoho serve``: one thread that runs one job at a time, when it is due.

Jobs: renew the notification channel at the keeper's next renewal; drain the notification queue at most
``queue_delay`` after a notification arrives (what arrives meanwhile joins the same drain); poll JDE on its
schedule (a full ``run()``); ``reconcile`` on its schedule. The thread waits on a :class:`threading.Event`
until the next due time or until it is woken (a notification, a stop), never by sleeping. A stop lets the
job in progress finish; ids still queued stay in the durable queue for the next start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

import attrs

from jde_zoho_sdk._cli.schedule import Schedule
from jde_zoho_sdk._redact import get_logger, redact_text
from jde_zoho_sdk.errors import SdkError
from jde_zoho_sdk.sync import ChannelKeeper, SyncAbortedError, SyncEngine, SyncLockedError, SyncReport

__all__ = ["RETRY_AFTER", "SyncService"]

_log = get_logger("jde_zoho_sdk.cli.service")

RETRY_AFTER: Final = timedelta(minutes=1)
_RESTOP: Final = 0.2  # seconds between asks to stop while the scheduler thread finishes its job
"""When a job failed on a system error (or the lock was held), how long before it is tried again."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@attrs.define
class _Due:
    """When each job is next due (None: not scheduled)."""

    channel: datetime | None = None
    drain: datetime | None = None
    jde: datetime | None = None
    reconcile: datetime | None = None

    def earliest(self) -> datetime | None:
        times = [
            moment for moment in (self.channel, self.drain, self.jde, self.reconcile) if moment is not None
        ]
        return min(times) if times else None


class SyncService:
    """Runs the sync's jobs on their schedules in one background thread.

    Args:
        engine: The engine (its run lock keeps other processes' runs out).
        keeper: The notification channel keeper.
        jde_schedule: When JDE is polled (a full ``run()``).
        reconcile_schedule: When ``reconcile()`` runs.
        queue_delay: How long after a notification the queue is drained.
        clock: Current time (aware).
        on_report: Called with each job's name and report (the serve command logs them).
    """

    def __init__(
        self,
        engine: SyncEngine,
        keeper: ChannelKeeper,
        *,
        jde_schedule: Schedule,
        reconcile_schedule: Schedule,
        queue_delay: timedelta,
        clock: Callable[[], datetime] = _utc_now,
        on_report: Callable[[str, SyncReport], None] | None = None,
    ) -> None:
        self.engine = engine
        self.keeper = keeper
        self.jde_schedule = jde_schedule
        self.reconcile_schedule = reconcile_schedule
        self.queue_delay = queue_delay
        self._clock = clock
        self._on_report = on_report
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # guards _due.drain, set by the receiver's threads
        self._due = _Due()
        self._thread: threading.Thread | None = None
        self.jobs_run: dict[str, int] = {"channel": 0, "drain": 0, "jde": 0, "reconcile": 0}
        """How many times each job ran (for logs and tests)."""

    # -- control -----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler thread (the channel is ensured first, then jobs run as they fall due)."""
        now = self._clock()
        self._due = _Due(
            channel=now,
            jde=self.jde_schedule.next_after(now),
            reconcile=self.reconcile_schedule.next_after(now),
        )
        if self.engine.store.queue_depth():
            # Ids left queued by the previous run of the service (a stop, a crash): drain them soon.
            self._due.drain = now + self.queue_delay
        self._thread = threading.Thread(target=self._loop, name="jde-zoho-scheduler")
        self._thread.start()

    def notification_arrived(self, queued: int = 1) -> None:
        """Schedule a drain ``queue_delay`` from now, unless one is already due sooner (batching)."""
        if not queued:
            return
        with self._lock:
            if self._due.drain is None:
                self._due.drain = self._clock() + self.queue_delay
        self._wake.set()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop after the batch in progress; True when the thread ended within ``timeout`` seconds.

        A long run is asked to end after its current batch (``SyncEngine.stop``): what it wrote is
        checkpointed and the next start picks up from the cursors it did not move.
        """
        self._stopping.set()
        self._wake.set()
        self.engine.stop()
        if self._thread is None:
            return True
        # A run that starts just after engine.stop() clears the request (a stop is for the run in progress);
        # asking again while the thread lives stops that run too, after its batch in flight.
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._thread.is_alive():
            left = _RESTOP if deadline is None else min(_RESTOP, deadline - time.monotonic())
            if left <= 0:
                break
            self._thread.join(left)
            self.engine.stop()
        return not self._thread.is_alive()

    @property
    def next_due(self) -> dict[str, datetime | None]:
        """When each job is next due."""
        with self._lock:
            return attrs.asdict(self._due)

    # -- the loop ----------------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stopping.is_set():
            # Clear before reading the due times: a wake-up set after this point ends the wait below.
            self._wake.clear()
            with self._lock:
                earliest = self._due.earliest()
            timeout = None if earliest is None else max(0.0, (earliest - self._clock()).total_seconds())
            self._wake.wait(timeout)
            if self._stopping.is_set():
                break
            self._run_due()
        _log.info("scheduler stopped")

    def _run_due(self) -> None:
        now = self._clock()
        due = self._due
        if due.channel is not None and due.channel <= now:
            self._channel()
        with self._lock:
            drain_due = due.drain is not None and due.drain <= now
            if drain_due:
                due.drain = None  # notifications arriving during the drain schedule the next one
        if drain_due and not self._stopping.is_set():
            self._job("drain", self.engine.drain, retry=lambda: self._retry("drain"))
        if due.jde is not None and due.jde <= now and not self._stopping.is_set():
            due.jde = self.jde_schedule.next_after(max(due.jde, now))
            self._job("jde", self.engine.run, retry=lambda: self._retry("jde"))
        if due.reconcile is not None and due.reconcile <= now and not self._stopping.is_set():
            due.reconcile = self.reconcile_schedule.next_after(max(due.reconcile, now))
            self._job("reconcile", self.engine.reconcile, retry=lambda: self._retry("reconcile"))

    def _retry(self, job: str) -> None:
        soon = self._clock() + RETRY_AFTER
        with self._lock:
            current = getattr(self._due, job)
            setattr(self._due, job, soon if current is None else min(current, soon))

    def _channel(self) -> None:
        try:
            state = self.keeper.ensure()
        except SdkError as error:
            _log.error("notification channel could not be enabled or renewed: %s", redact_text(str(error)))
            self._due.channel = self._clock() + RETRY_AFTER
            return
        except Exception:  # the service must outlive one bad renewal; the next one may succeed
            _log.exception("notification channel renewal failed unexpectedly")
            self._due.channel = self._clock() + RETRY_AFTER
            return
        self.jobs_run["channel"] += 1
        renewal = self.keeper.next_renewal()
        self._due.channel = renewal if renewal is not None else self._clock() + RETRY_AFTER
        _log.info("channel %s valid until %s; next renewal %s", state.channel_id, state.expires_at, renewal)

    def _job(self, name: str, call: Callable[[], SyncReport], *, retry: Callable[[], None]) -> None:
        try:
            report = call()
        except SyncLockedError as locked:
            _log.warning("%s skipped: %s; trying again in %s", name, locked, RETRY_AFTER)
            retry()
            return
        except SyncAbortedError as aborted:
            _log.error("%s stopped: %s", name, redact_text(str(aborted)))
            retry()
            return
        except SdkError as error:
            _log.error("%s failed: %s", name, redact_text(str(error)))
            retry()
            return
        except Exception:  # the service must outlive one bad job; the next one may succeed
            _log.exception("%s failed unexpectedly", name)
            retry()
            return
        self.jobs_run[name] += 1
        if self._on_report is not None:
            self._on_report(name, report)
