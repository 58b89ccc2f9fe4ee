"""The run lock: one run at a time per state store, kept alive by a heartbeat, freed when its holder dies.

The holder renews its lease from a background thread every third of the lease, so a long batch never loses
the lock and a killed run frees it within one lease. A run that finds the lock held by a process of *this*
host that no longer exists takes it over at once (the owner names host and pid); a holder on another host
is waited out by its lease.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType

from jde_zoho_sdk._redact import get_logger
from jde_zoho_sdk.errors import SdkError
from jde_zoho_sdk.sync.protocols import StateStore

__all__ = ["RunLock", "SyncLockedError"]

_log = get_logger(__name__)


class SyncLockedError(SdkError):
    """Another run holds the run lock (it frees it when it ends, or when its lease runs out if it died)."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user
        return True
    return True


class RunLock:
    """Hold the store's lock ``name`` for the length of a ``with`` block.

    Args:
        store: The state store.
        name: The lock's name.
        run_id: The run taking it (part of the owner name, with host and pid).
        lease: How long the lock holds without renewal.
        clock: Current time (aware).
    """

    def __init__(
        self, store: StateStore, name: str, run_id: str, *, lease: timedelta, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.name = name
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{run_id}"
        self.lease = lease
        self.clock = clock
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self.lost = threading.Event()
        """Set when a renewal found another run holding the lock (this one paused past its lease)."""

    def renew(self) -> bool:
        """Extend the lease now; False when the lock was lost (another run took it after it expired)."""
        return self.store.acquire_lock(self.name, self.owner, lease=self.lease, now=self.clock())

    def _take_from_dead_holder(self) -> bool:
        holder = self.store.lock_holder(self.name)
        if holder is None:
            return self.renew()
        owner, _ = holder
        host, _, rest = owner.partition(":")
        pid_text = rest.partition(":")[0]
        if host != socket.gethostname() or not pid_text.isdigit() or _alive(int(pid_text)):
            return False
        _log.warning("run lock %s: holder %s is dead; taking the lock over", self.name, owner)
        self.store.release_lock(self.name, owner)
        return self.renew()

    def _beat(self) -> None:
        interval = max(self.lease.total_seconds() / 3, 0.01)
        while not self._stop.wait(interval):
            try:
                if not self.renew():
                    _log.error("run lock %s was lost: another run took it", self.name)
                    self.lost.set()
                    return
            except Exception:  # a disk error, a busy database, a host's own store: the next beat may pass
                _log.exception("run lock %s: renewal failed; will retry", self.name)

    def __enter__(self) -> RunLock:
        if not self.renew() and not self._take_from_dead_holder():
            holder = self.store.lock_holder(self.name)
            until = f" until {holder[1].isoformat()}" if holder else ""
            raise SyncLockedError(
                f"another sync run holds the lock{until} ({holder[0] if holder else 'unknown'})",
                hint="wait for it to finish; if it died on another host, its lease frees the lock",
            )
        self._heartbeat = threading.Thread(target=self._beat, name=f"lock:{self.name}", daemon=True)
        self._heartbeat.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
        self.store.release_lock(self.name, self.owner)
