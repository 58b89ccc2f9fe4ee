"""OAuth 2.0 for Zoho CRM as an ``httpx.Auth`` flow: refresh-token and client-credentials grants.

The access token is cached and refreshed shortly before it expires, never per request: Zoho issues at
most 10 access tokens per refresh token per 10 minutes. Refreshes happen under a lock (and under the
:class:`TokenCache`'s own lock when one is shared between processes). The token answer's ``api_domain``
routes every later call, after :meth:`Region.accepts` says it is an API host of the configured region.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable
from urllib.parse import urlencode

import httpx

from jde_zoho_sdk._http import DEFAULT_TIMEOUT
from jde_zoho_sdk._redact import Secret, get_logger, redact_url
from jde_zoho_sdk.errors import TransportError
from jde_zoho_sdk.zoho._token import AccessToken, parse_token_answer
from jde_zoho_sdk.zoho.errors import ZohoConfigError, ZohoTokenError
from jde_zoho_sdk.zoho.regions import Region

__all__ = ["AccessToken", "MemoryTokenCache", "TokenCache", "ZohoOAuth"]

_log = get_logger(__name__)

_REJECTED_TOKEN_CODES = frozenset({"INVALID_TOKEN", "INVALID_OAUTHTOKEN", "AUTHENTICATION_FAILURE"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


@runtime_checkable
class TokenCache(Protocol):
    """Where several processes share one access token (a file, Redis, a database row...).

    Refreshing is serialized with :meth:`lock`: without it, every process would refresh at once and burn
    Zoho's allowance of 10 access tokens per refresh token per 10 minutes.
    """

    def get(self) -> AccessToken | None:
        """Return the shared token, or None."""
        ...

    def put(self, token: AccessToken) -> None:
        """Store a new token for the others.

        Args:
            token: The token just issued.
        """
        ...

    def lock(self) -> AbstractContextManager[object]:
        """A lock held (across processes) while one of them refreshes."""
        ...


class MemoryTokenCache:
    """A :class:`TokenCache` shared by the clients of one process (and a model for your own)."""

    def __init__(self) -> None:
        self._token: AccessToken | None = None
        self._lock = threading.RLock()

    def get(self) -> AccessToken | None:
        """Return the shared token, or None."""
        return self._token

    def put(self, token: AccessToken) -> None:
        """Store a new token.

        Args:
            token: The token just issued.
        """
        self._token = token

    @contextmanager
    def lock(self) -> Iterator[object]:
        """Hold the refresh lock."""
        with self._lock:
            yield self


def _token_rejected(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return True
    code = body.get("code") if isinstance(body, dict) else None
    return code is None or code in _REJECTED_TOKEN_CODES


TokenSender = Callable[[httpx.Request], httpx.Response]
"""Sends a token request and returns the final answer (see :meth:`ZohoOAuth.with_token_sender`)."""


class ZohoOAuth(httpx.Auth):
    """Access tokens for Zoho CRM, as an ``httpx.Auth`` flow shared by every thread of a client.

    Give it one of ``refresh_token`` (the usual, long-lived grant) or ``org_id`` (the self-client
    client-credentials grant), or build it with :meth:`from_refresh_token`,
    :meth:`from_client_credentials` or :meth:`from_authorization_code`.

    Args:
        client_id: The OAuth client id (``1000.XXXX``).
        client_secret: The client secret.
        region: The org's data center: a :class:`Region`, or its name (``"eu"``; see :meth:`Region.named`).
        refresh_token: The refresh token, for the refresh-token grant.
        org_id: The org id (``zsoid``), for the client-credentials grant.
        scopes: Scopes asked for by the client-credentials grant.
        cache: A :class:`TokenCache` to share tokens with other processes.
        clock: Returns the current aware datetime (tests move it instead of sleeping).
        refresh_margin: How long before expiry a token is replaced.

    Raises:
        ZohoConfigError: A credential is missing, both grants are given, or no data center has the name.

    Example:
        >>> oauth = ZohoOAuth.from_refresh_token("1000.ABC", "secret", "1000.refresh", Region.EU)
        >>> oauth
        ZohoOAuth(client_id='1000.ABC', region='EU', grant='refresh_token')
    """

    requires_response_body = True

    def __init__(
        self,
        client_id: str,
        client_secret: str | Secret,
        *,
        region: Region | str,
        refresh_token: str | Secret | None = None,
        org_id: str | None = None,
        scopes: Sequence[str] = ("ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL", "ZohoCRM.notifications.ALL"),
        cache: TokenCache | None = None,
        clock: Callable[[], datetime] | None = None,
        refresh_margin: timedelta = timedelta(minutes=1),
    ) -> None:
        secret = client_secret if isinstance(client_secret, Secret) else Secret(client_secret)
        refresh = Secret(refresh_token) if isinstance(refresh_token, str) else refresh_token
        if not client_id:
            raise ZohoConfigError("the client id is empty", path="zoho.client_id")
        if not secret:
            raise ZohoConfigError("the client secret is empty", path="zoho.client_secret")
        if (refresh is None) == (org_id is None):
            raise ZohoConfigError(
                "give exactly one of refresh_token and org_id",
                path="zoho.refresh_token",
                hint="a refresh token for the usual grant, or the org id for a self client's credentials",
            )
        if refresh is not None and not refresh:
            raise ZohoConfigError("the refresh token is empty", path="zoho.refresh_token")
        self.client_id = client_id
        self.region = region if isinstance(region, Region) else Region.named(region)
        self._client_secret = secret
        self._refresh_token = refresh
        self._org_id = org_id
        self._scopes = tuple(scopes)
        self._cache = cache
        self._clock = clock or _utc_now
        self._margin = refresh_margin
        self._lock = threading.RLock()
        self._token: AccessToken | None = None
        self._token_requests = 0

    @classmethod
    def from_refresh_token(
        cls,
        client_id: str,
        client_secret: str | Secret,
        refresh_token: str | Secret,
        region: Region | str,
        *,
        cache: TokenCache | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> ZohoOAuth:
        """Tokens from a refresh token (``grant_type=refresh_token``).

        Args:
            client_id: The OAuth client id.
            client_secret: The client secret.
            refresh_token: The refresh token.
            region: The org's data center (a :class:`Region` or its name, ``"eu"``).
            cache: A :class:`TokenCache` shared with other processes.
            clock: Returns the current aware datetime.

        Returns:
            The auth flow.
        """
        return cls(
            client_id, client_secret, region=region, refresh_token=refresh_token, cache=cache, clock=clock
        )

    @classmethod
    def from_client_credentials(
        cls,
        client_id: str,
        client_secret: str | Secret,
        org_id: str,
        scopes: Sequence[str],
        region: Region | str,
        *,
        cache: TokenCache | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> ZohoOAuth:
        """Tokens from a self client's credentials (``grant_type=client_credentials`` with ``soid``).

        Args:
            client_id: The self client's id.
            client_secret: Its secret.
            org_id: The CRM org id (sent as ``soid=ZohoCRM.<org_id>``).
            scopes: The scopes to ask for.
            region: The org's data center (a :class:`Region` or its name, ``"eu"``).
            cache: A :class:`TokenCache` shared with other processes.
            clock: Returns the current aware datetime.

        Returns:
            The auth flow.
        """
        return cls(
            client_id, client_secret, region=region, org_id=org_id, scopes=scopes, cache=cache, clock=clock
        )

    @classmethod
    def from_authorization_code(
        cls,
        client_id: str,
        client_secret: str | Secret,
        code: str | Secret,
        region: Region,
        *,
        redirect_uri: str | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> ZohoOAuth:
        """Exchange a one-time grant code for a refresh token (do this once, then store the refresh token).

        Args:
            client_id: The OAuth client id.
            client_secret: The client secret.
            code: The grant code (from the redirect, or generated for a self client).
            region: The data center that issued the code (``accounts-server`` of the redirect).
            redirect_uri: The registered redirect URI (not needed for a self client).
            http_client: A client to send the exchange with.
            transport: A transport for a temporary client (emulators, tests).
            clock: Returns the current aware datetime.

        Returns:
            The auth flow, already holding the access token of the exchange; read
            :attr:`refresh_token` to store it.

        Raises:
            ZohoTokenError: The code was refused, or no refresh token came back.
            ZohoConfigError: The answer's ``api_domain`` is not in ``region``.
            TransportError: The accounts server could not be reached.
        """
        form = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret.reveal() if isinstance(client_secret, Secret) else client_secret,
            "code": code.reveal() if isinstance(code, Secret) else code,
        }
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        now = (clock or _utc_now)()
        sender = http_client or httpx.Client(transport=transport, timeout=DEFAULT_TIMEOUT)
        try:
            response = sender.post(region.token_url, data=form)
        except httpx.TransportError as error:
            raise TransportError(
                f"{type(error).__name__}: {error}", method="POST", url=redact_url(region.token_url)
            ) from error
        finally:
            if http_client is None:
                sender.close()
        token, refresh = parse_token_answer(response, now=now, default_api_domain=region.api_domain)
        if refresh is None:
            raise ZohoTokenError(
                "the code exchange returned no refresh_token",
                code="no_refresh_token",
                hint="ask for the code with access_type=offline and prompt=consent",
            )
        oauth = cls(client_id, client_secret, region=region, refresh_token=refresh, clock=clock)
        oauth._check_api_domain(token.api_domain)
        oauth._token = token
        oauth._token_requests = 1
        return oauth

    @staticmethod
    def authorization_url(
        client_id: str, scopes: Sequence[str], redirect_uri: str, region: Region, *, state: str = ""
    ) -> str:
        """The URL where a user grants access and is redirected back with a code (offline access).

        Args:
            client_id: The OAuth client id.
            scopes: The scopes to ask for.
            redirect_uri: The registered redirect URI.
            region: The data center to start from.
            state: An opaque value echoed back to the redirect URI (CSRF protection).

        Returns:
            The URL to send the user to.
        """
        query = {
            "scope": ",".join(scopes),
            "client_id": client_id,
            "response_type": "code",
            "access_type": "offline",
            "prompt": "consent",
            "redirect_uri": redirect_uri,
        }
        if state:
            query["state"] = state
        return f"{region.accounts_url}/oauth/v2/auth?{urlencode(query)}"

    @property
    def refresh_token(self) -> Secret | None:
        """The refresh token (None for the client-credentials grant)."""
        return self._refresh_token

    @property
    def api_domain(self) -> str:
        """Where API calls go: the last token answer's ``api_domain``, else the region's host."""
        token = self._token
        return token.api_domain if token is not None else self.region.api_domain

    @property
    def token_requests(self) -> int:
        """How many tokens this object asked the token endpoint for."""
        return self._token_requests

    def __repr__(self) -> str:
        grant = "refresh_token" if self._refresh_token is not None else "client_credentials"
        return f"ZohoOAuth(client_id={self.client_id!r}, region={self.region.name!r}, grant={grant!r})"

    # -- the flow ------------------------------------------------------------------------------------

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add a valid token (refreshing first when needed), and refresh once if Zoho refuses it.

        Args:
            request: The request to authorize (httpx calls this; you do not).

        Yields:
            The token request when one is needed, then the request itself (again after a refresh).
        """
        yield from self._flow(request, None)

    def with_token_sender(self, send: TokenSender) -> httpx.Auth:
        """This flow, with each token request sent by ``send`` instead of by the ``httpx.Client`` bare.

        :class:`~jde_zoho_sdk.zoho.ZohoClient` uses it so that a token request the accounts server fails
        (429, 502, 503, 504, a reset) is retried under the client's :class:`~jde_zoho_sdk.RetryPolicy`.
        The token itself stays shared: every flow made from this object uses the same cache and lock.

        Args:
            send: Sends a token request and returns the final answer (or raises ``TransportError``).

        Returns:
            An ``httpx.Auth`` to send API requests with.
        """
        return _SenderAuth(self, send)

    def _flow(
        self, request: httpx.Request, send: TokenSender | None
    ) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._usable_token()
        if token is None:
            token = yield from self._refresh(stale=None, send=send)
        self._authorize(request, token)
        response = yield request
        if response.status_code == 401 and _token_rejected(response):
            _log.info("Zoho refused the access token; refreshing it once")
            token = yield from self._refresh(stale=token, send=send)
            self._authorize(request, token)
            yield request

    def _fresh(self, token: AccessToken) -> bool:
        return self._clock() < token.expires_at - self._margin

    def _usable_token(self) -> AccessToken | None:
        with self._lock:
            token = self._token
            if token is not None and self._fresh(token):
                return token
            if self._cache is not None:
                shared = self._cache.get()
                if shared is not None and self._fresh(shared) and self.region.accepts(shared.api_domain):
                    self._token = shared
                    return shared
            return None

    def _refresh(
        self, stale: AccessToken | None, *, send: TokenSender | None
    ) -> Generator[httpx.Request, httpx.Response, AccessToken]:
        with self._lock:
            current = self._token
            if current is not None and current is not stale and self._fresh(current):
                return current  # another thread refreshed while this one waited
            if self._cache is None:
                token = yield from self._request_token(send)
            else:
                with self._cache.lock():
                    shared = self._cache.get()
                    if (
                        shared is not None
                        and self._fresh(shared)
                        and self.region.accepts(shared.api_domain)
                        and (stale is None or shared.access_token.reveal() != stale.access_token.reveal())
                    ):
                        token = shared
                    else:
                        token = yield from self._request_token(send)
                        self._cache.put(token)
            self._token = token
            return token

    def _request_token(
        self, send: TokenSender | None
    ) -> Generator[httpx.Request, httpx.Response, AccessToken]:
        form: dict[str, str] = {"client_id": self.client_id, "client_secret": self._client_secret.reveal()}
        if self._refresh_token is not None:
            form |= {"grant_type": "refresh_token", "refresh_token": self._refresh_token.reveal()}
        else:
            form |= {
                "grant_type": "client_credentials",
                "scope": ",".join(self._scopes),
                "soid": f"ZohoCRM.{self._org_id}",
            }
        request = httpx.Request(
            "POST", self.region.token_url, data=form, headers={"Accept": "application/json"}
        )
        now = self._clock()
        self._token_requests += 1
        response = (yield request) if send is None else send(request)
        token, _ = parse_token_answer(response, now=now, default_api_domain=self.region.api_domain)
        self._check_api_domain(token.api_domain)
        _log.info(
            "Zoho access token issued by %s (expires %s)",
            self.region.accounts_url,
            token.expires_at.isoformat(),
        )
        return token

    def _check_api_domain(self, api_domain: str) -> None:
        if not self.region.accepts(api_domain):
            raise ZohoConfigError(
                f"the token answer routes API calls to {redact_url(api_domain)}, which is not a Zoho API "
                f"host of region {self.region.name}; the token was discarded and never sent there",
                path="zoho.region",
                hint=(
                    "choose the region of the org's data center (the one whose accounts server issued the "
                    "refresh token); for an emulator use Region.custom(accounts_url, api_domain)"
                ),
            )

    def _authorize(self, request: httpx.Request, token: AccessToken) -> None:
        target = httpx.URL(token.api_domain)
        url = request.url
        if (url.scheme, url.host, url.port) != (target.scheme, target.host, target.port):
            request.url = url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
            request.headers["Host"] = request.url.netloc.decode("ascii")
        request.headers["Authorization"] = f"Zoho-oauthtoken {token.access_token.reveal()}"


class _SenderAuth(httpx.Auth):
    """A :class:`ZohoOAuth` flow whose token requests go through a sender (the client's retries)."""

    requires_response_body = True

    def __init__(self, oauth: ZohoOAuth, send: TokenSender) -> None:
        self._oauth = oauth
        self._send = send

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield from self._oauth._flow(request, self._send)
