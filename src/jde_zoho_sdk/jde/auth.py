"""The AIS session token lifecycle: request, proactive refresh, one re-login on expiry, logout.

One :class:`SessionManager` per client holds the current session. Threads share it: the first caller that
needs a token logs in while the others wait for it, and an invalid-session answer seen by several threads
leads to one new login. A session replaced by a proactive refresh is logged out only once nothing uses it
any more: each request *holds* its session until its answer is read, and page chains hold theirs from the
first page to the last (their next-page links embed its token).
:class:`AisAuth` is the ``httpx.Auth`` flow that puts the token on each request (headers
``jde-AIS-Auth`` and ``jde-AIS-Auth-Device``, as Oracle documents) and, on an invalid-session answer (444,
or a 403 saying the token is invalid), logs in again once and repeats the request once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta
from typing import Final

import attrs
import httpx

from jde_zoho_sdk._http import Requester
from jde_zoho_sdk._redact import Secret, get_logger
from jde_zoho_sdk.errors import TransportError
from jde_zoho_sdk.jde._convert import TokenAnswer, structure_answer
from jde_zoho_sdk.jde.dates import DateFormat
from jde_zoho_sdk.jde.errors import (
    AisAuthenticationError,
    AisConfigError,
    AisError,
    error_from_response,
    is_invalid_session,
    loads,
)

__all__ = ["AisAuth", "AisCredentials", "PinnedAuth", "Session", "SessionInfo", "SessionManager"]

_log = get_logger(__name__)

TOKEN_HEADER: Final = "jde-AIS-Auth"  # noqa: S105 - a header name, not a credential
DEVICE_HEADER: Final = "jde-AIS-Auth-Device"
SESSION_EXTENSION: Final = "jde_zoho_sdk.ais_session"
"""Key of ``request.extensions`` holding the :class:`Session` a request is (or was last) sent with."""

JSON_HEADERS: Final = {"Content-Type": "application/json", "Accept": "application/json"}


def _as_secret(value: Secret | str) -> Secret:
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise AisConfigError(f"expected text or a Secret, got {type(value).__name__}", path="ais.password")
    return Secret(value)


@attrs.frozen
class AisCredentials:
    """Who logs in to AIS.

    Args:
        username: The JD Edwards user.
        password: The password (kept as a :class:`~jde_zoho_sdk.Secret`; never shown).
        environment: The JD Edwards environment (``"JDV920"``); the AIS default when None.
        role: The role (``"*ALL"``); the AIS default when None.

    Example:
        >>> AisCredentials("JDE", "s3cret-pa55", environment="JDV920")
        AisCredentials(username='JDE', password=Secret('********'), environment='JDV920', role=None)
    """

    username: str
    password: Secret = attrs.field(converter=_as_secret)
    environment: str | None = None
    role: str | None = None

    def __attrs_post_init__(self) -> None:
        # Refused here rather than as "AIS refused the login of user ''" at the first call.
        if not str(self.username).strip():
            raise AisConfigError("expected the JD Edwards user the client logs in as", path="ais.username")
        if not self.password.reveal():
            raise AisConfigError("the password is empty", path="ais.password")


@attrs.frozen(kw_only=True)
class SessionInfo:
    """Facts about the open AIS session (never the token).

    Attributes:
        username: The user as AIS reports it.
        environment: The environment the session runs in.
        role: The role.
        device_name: The device name the token is bound to.
        date_format: The user's date format, used for date values in queries.
        decimal_format: The user's decimal separator.
        locale: The user's locale.
        address_number: The user's own address book number, when AIS says.
        started_at: When the token was issued (client clock).
        password_about_to_expire: AIS's warning flag.
    """

    username: str
    environment: str
    role: str
    device_name: str
    date_format: DateFormat
    decimal_format: str
    locale: str
    address_number: int | None
    started_at: datetime
    password_about_to_expire: bool = False


@attrs.frozen(kw_only=True, eq=False)
class Session:
    """An open session: its token and its facts. Compared by identity."""

    token: Secret = attrs.field(repr=False)
    info: SessionInfo

    def apply(self, request: httpx.Request) -> None:
        """Put the token on ``request`` (the documented header pair) and remember the session there."""
        request.headers[TOKEN_HEADER] = self.token.reveal()
        request.headers[DEVICE_HEADER] = self.info.device_name
        request.extensions[SESSION_EXTENSION] = self


def dumps(value: object) -> bytes:
    """Encode a request body."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class SessionManager:
    """Owns the session token of one client (thread-safe).

    Args:
        requester: The client's HTTP core.
        base_url: The AIS base URL, ending before ``/jderest``.
        credentials: Who logs in.
        device_name: The device name the token is bound to.
        refresh_every: Age after which the next call gets a new token first.
        clock: Aware "now", injectable for tests.
    """

    def __init__(
        self,
        requester: Requester,
        base_url: str,
        credentials: AisCredentials,
        *,
        device_name: str,
        refresh_every: timedelta,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._requester = requester
        self._base = base_url
        self._credentials = credentials
        self._device = device_name
        self._refresh_every = refresh_every
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._current: Session | None = None
        self._holds: dict[Session, int] = {}
        self._retired: list[Session] = []
        self._closed = False
        self.logins = 0
        """Token requests made so far (for tests and statistics)."""

    @property
    def info(self) -> SessionInfo | None:
        """The facts of the current session, or None before the first login."""
        current = self._current
        return current.info if current is not None else None

    def current(self) -> Session:
        """The session to use now: logs in on first use and after ``refresh_every``."""
        return self._take(hold=False)

    def acquire(self) -> Session:
        """Like :meth:`current`, and hold the session open until :meth:`release` (requests, page chains)."""
        return self._take(hold=True)

    def _take(self, *, hold: bool) -> Session:
        with self._lock:
            if self._closed:
                raise AisError("the AisClient is closed", hint="open a new AisClient")
            session = self._current
            if session is not None and self._clock() - session.info.started_at >= self._refresh_every:
                _log.info("AIS session is %s old; requesting a new token", self._refresh_every)
                self._retired.append(session)
                session = self._current = None
            if session is None:
                session = self._current = self._login()
            if hold:
                self._holds[session] = self._holds.get(session, 0) + 1
            done = self._unheld_retired()
        self._logout_all(done)
        return session

    def hold(self, session: Session) -> None:
        """Hold ``session`` open (a request that names it; a page chain that began on it after a renewal)."""
        with self._lock:
            self._holds[session] = self._holds.get(session, 0) + 1

    def release(self, session: Session) -> None:
        """Stop holding ``session``; a retired session no one holds is logged out."""
        with self._lock:
            count = self._holds.get(session, 0) - 1
            if count > 0:
                self._holds[session] = count
            else:
                self._holds.pop(session, None)
            done = self._unheld_retired()
        self._logout_all(done)

    def renew(self, stale: Session, *, hold: bool = False) -> Session:
        """Replace ``stale`` after AIS refused its token (once, however many threads saw the refusal).

        Args:
            stale: The refused session.
            hold: Hold the session returned, as :meth:`acquire` does.

        Returns:
            The current session.
        """
        with self._lock:
            if self._current is stale or self._current is None:
                _log.info("AIS refused the session token; requesting a new one")
                self._current = self._login()
            session = self._current
            if hold:
                self._holds[session] = self._holds.get(session, 0) + 1
            return session

    def invalidate(self, stale: Session) -> None:
        """Forget ``stale`` (AIS refused its token): the next call logs in again. Nothing is logged out."""
        with self._lock:
            if self._current is stale:
                self._current = None
            if stale in self._retired:
                self._retired.remove(stale)

    def close(self) -> None:
        """Log out every open session (best effort) and refuse further use."""
        with self._lock:
            self._closed = True
            sessions = [*self._retired, *([self._current] if self._current else [])]
            self._retired.clear()
            self._current = None
            self._holds.clear()
        self._logout_all(sessions)

    def _unheld_retired(self) -> list[Session]:
        done = [session for session in self._retired if session not in self._holds]
        self._retired = [session for session in self._retired if session in self._holds]
        return done

    def _login(self) -> Session:
        credentials = self._credentials
        body: dict[str, object] = {
            "username": credentials.username,
            "password": credentials.password.reveal(),
            "deviceName": self._device,
        }
        if credentials.environment:
            body["environment"] = credentials.environment
        if credentials.role:
            body["role"] = credentials.role
        request = self._requester.http.build_request(
            "POST", f"{self._base}/jderest/v2/tokenrequest", content=dumps(body), headers=JSON_HEADERS
        )
        response = self._requester.send(request, idempotent=True)
        self.logins += 1
        if response.status_code == 403:
            raise AisAuthenticationError(
                f"AIS refused the login of user {credentials.username!r} (environment "
                f"{credentials.environment or 'default'}, role {credentials.role or 'default'}): the "
                "username, password, environment or role is wrong, or the user may not sign in",
                status=403,
                method="POST",
                url=str(request.url),
                hint="check AisCredentials; the call was not retried, to avoid locking the account",
            )
        if response.status_code != 200:
            raise error_from_response(response, what="token request")
        try:
            data = loads(response.content)
        except ValueError:
            data = None
        answer = structure_answer(data, TokenAnswer, what="AIS token answer")
        user = answer.user_info
        info = SessionInfo(
            username=answer.username or credentials.username,
            environment=answer.environment or credentials.environment or "",
            role=answer.role or credentials.role or "",
            device_name=self._device,
            date_format=DateFormat.from_user_info(
                simple_date_format=user.simple_date_format,
                date_format=user.date_format,
                separator=user.date_separator,
            ),
            decimal_format=user.decimal_format,
            locale=user.locale,
            address_number=user.address_number,
            started_at=self._clock(),
            password_about_to_expire=answer.password_about_to_expire,
        )
        _log.info(
            "AIS session opened for %s in %s (role %s, device %s)",
            info.username,
            info.environment or "the default environment",
            info.role or "default",
            info.device_name,
        )
        if answer.password_about_to_expire:
            _log.warning("AIS says the password of %s is about to expire", info.username)
        return Session(token=user.token, info=info)

    def _logout_all(self, sessions: list[Session]) -> None:
        for session in sessions:
            self._logout(session)

    def _logout(self, session: Session) -> None:
        body = {"token": session.token.reveal(), "deviceName": session.info.device_name}
        request = self._requester.http.build_request(
            "POST", f"{self._base}/jderest/v2/tokenrequest/logout", content=dumps(body), headers=JSON_HEADERS
        )
        try:
            response = self._requester.send(request, idempotent=True)
        except TransportError as failure:  # best effort: the session times out on the server anyway
            _log.warning("AIS logout failed (%s); the session will time out on the server", failure.message)
            return
        if response.status_code == 200:
            _log.info("AIS session of %s logged out", session.info.username)
        else:
            _log.info("AIS logout answered HTTP %d; the session was already gone", response.status_code)


class AisAuth(httpx.Auth):
    """Adds the session token to each request; on an invalid-session answer logs in once and repeats once.

    A request that already names its session (``request.extensions[SESSION_EXTENSION]``) is sent with it.
    The session is held until the answer has been read, so a proactive refresh in another thread does not
    log it out under a request still running on it.

    Args:
        manager: The client's session manager.
    """

    requires_response_body = True

    def __init__(self, manager: SessionManager) -> None:
        self._manager = manager

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send with the current token; renew it and repeat once if AIS says it is invalid."""
        manager = self._manager
        session = request.extensions.get(SESSION_EXTENSION)
        if isinstance(session, Session):
            manager.hold(session)
        else:
            session = manager.acquire()
        try:
            session.apply(request)
            response = yield request
            if is_invalid_session(response):
                stale, session = session, manager.renew(session, hold=True)
                manager.release(stale)
                session.apply(request)
                yield request
        finally:  # httpx closes the flow when the answer is read or the request fails
            manager.release(session)


class PinnedAuth(httpx.Auth):
    """Sends with one given session and never renews it (next-page links belong to their session).

    Args:
        session: The session whose token the request carries.
    """

    requires_response_body = True

    def __init__(self, session: Session) -> None:
        self._session = session

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send once with the pinned token."""
        self._session.apply(request)
        yield request
