"""The emulated Zoho Accounts token endpoint and the access tokens it issued.

As documented: grant errors come back with HTTP 200 and ``{"error": "<code>"}``; at most 10 access
tokens per refresh token per 10 minutes (then the "too many requests" answer); at most 15 live access
tokens per refresh token (the 16th replaces the oldest); access tokens live one hour by default.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Final

import attrs

__all__ = ["OAuthService", "TokenAnswer"]

_THROTTLE_WINDOW: Final = timedelta(minutes=10)
_THROTTLE_COUNT: Final = 10
_MAX_LIVE_TOKENS: Final = 15
_GRANT_CODE_TTL: Final = timedelta(minutes=3)
_SCOPE: Final = "ZohoCRM.modules.ALL ZohoCRM.settings.ALL ZohoCRM.notifications.ALL"
THROTTLED: Final = {
    "error_description": "You have made too many requests continuously. Please try again after some time.",
    "error": "Access Denied",
    "status": "failure",
}


@attrs.frozen
class TokenAnswer:
    """What the token endpoint answers: an HTTP status and a JSON body."""

    status: int
    body: Mapping[str, object]


class OAuthService:
    """Issues and checks access tokens.

    Args:
        client_id: The one OAuth client the emulator knows.
        client_secret: Its secret.
        refresh_token: The refresh token it accepts.
        org_id: The org id a client-credentials grant must name (``soid=ZohoCRM.<org_id>``).
        clock: The emulator's clock.
        ttl: Access token lifetime.
        rng: Source of token text (seeded, so runs repeat).
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        org_id: str,
        clock: Callable[[], datetime],
        ttl: timedelta,
        rng: random.Random,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._org_id = org_id
        self._clock = clock
        self._ttl = ttl
        self._rng = rng
        self._lock = threading.Lock()
        self._refresh_tokens = {refresh_token}
        self._tokens: dict[str, datetime] = {}
        self._issued: dict[str, deque[datetime]] = {}
        self._live: dict[str, deque[str]] = {}
        self._codes: dict[str, datetime] = {}
        self.issued_count = 0
        self.api_domain = ""

    def _random(self, prefix: str = "1000") -> str:
        return f"{prefix}.{self._rng.getrandbits(128):032x}.{self._rng.getrandbits(128):032x}"

    def issue_grant_code(self) -> str:
        """A one-time authorization code, valid three minutes (as a self client generates)."""
        with self._lock:
            code = self._random()
            self._codes[code] = self._clock() + _GRANT_CODE_TTL
            return code

    def expire_all(self) -> None:
        """Make every issued access token invalid (as if an hour had passed)."""
        with self._lock:
            self._tokens.clear()

    def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token and the access tokens issued from it."""
        with self._lock:
            self._refresh_tokens.discard(refresh_token)
            for token in self._live.pop(refresh_token, deque()):
                self._tokens.pop(token, None)

    def is_valid(self, token: str) -> bool:
        """Whether an access token is live."""
        with self._lock:
            expires = self._tokens.get(token)
            if expires is None:
                return False
            if self._clock() >= expires:
                del self._tokens[token]
                return False
            return True

    def answer(self, form: Mapping[str, str]) -> TokenAnswer:
        """Answer a token request (``grant_type`` refresh_token, client_credentials or authorization_code)."""
        if form.get("client_id") != self._client_id:
            return TokenAnswer(200, {"error": "invalid_client"})
        if form.get("client_secret") != self._client_secret:
            return TokenAnswer(200, {"error": "invalid_client_secret"})
        grants = {
            "refresh_token": self._refresh,
            "client_credentials": self._client_credentials,
            "authorization_code": self._exchange,
        }
        grant = grants.get(form.get("grant_type", ""))
        if grant is None:
            return TokenAnswer(200, {"error": "unsupported_grant_type"})
        with self._lock:
            return grant(form)

    def _refresh(self, form: Mapping[str, str]) -> TokenAnswer:
        source = form.get("refresh_token", "")
        if source not in self._refresh_tokens:
            return TokenAnswer(200, {"error": "invalid_code"})
        return self._issue(source, scope=_SCOPE)

    def _client_credentials(self, form: Mapping[str, str]) -> TokenAnswer:
        soid = form.get("soid")
        if not soid:
            return TokenAnswer(200, {"error": "missing_org_info"})
        if soid != f"ZohoCRM.{self._org_id}":
            return TokenAnswer(200, {"error": "invalid_client"})  # UNCONFIRMED: the error for a wrong org
        return self._issue(f"client:{self._client_id}", scope=form.get("scope", "").replace(",", " "))

    def _exchange(self, form: Mapping[str, str]) -> TokenAnswer:
        expires = self._codes.pop(form.get("code", ""), None)
        if expires is None or self._clock() >= expires:
            return TokenAnswer(200, {"error": "invalid_code"})
        refresh = self._random()
        self._refresh_tokens.add(refresh)
        answer = self._issue(refresh, scope=_SCOPE)
        return TokenAnswer(answer.status, {**answer.body, "refresh_token": refresh})

    def _issue(self, source: str, *, scope: str) -> TokenAnswer:
        now = self._clock()
        recent = self._issued.setdefault(source, deque())
        while recent and now - recent[0] >= _THROTTLE_WINDOW:
            recent.popleft()
        if len(recent) >= _THROTTLE_COUNT:
            # UNCONFIRMED: HTTP 400 (a published client) or 200 (Kaizen #43); clients must read the body.
            return TokenAnswer(400, THROTTLED)
        recent.append(now)
        token = self._random()
        self._tokens[token] = now + self._ttl
        live = self._live.setdefault(source, deque())
        live.append(token)
        if len(live) > _MAX_LIVE_TOKENS:
            self._tokens.pop(live.popleft(), None)
        self.issued_count += 1
        return TokenAnswer(
            200,
            {
                "access_token": token,
                "scope": scope,
                "api_domain": self.api_domain,
                "token_type": "Bearer",
                "expires_in": int(self._ttl.total_seconds()),
            },
        )
