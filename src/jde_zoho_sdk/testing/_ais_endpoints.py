"""The HTTP side of the AIS emulator: parsing requests, routing, tokens, orchestrations, discovery.

Status codes and bodies follow Oracle's REST pages: 415 "Invalid Content-Type Header - Must use
application/json", 400 "Bad Request - Invalid JSON Input", 403 "Authorization Failure" for refused
credentials, 444 "Invalid Token" (``{"message", "exception", "timeStamp"}``) for a missing, expired or
foreign token. The exact texts of the 403 and 404 bodies are UNCONFIRMED.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, unquote
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import attrs

from jde_zoho_sdk._redact import REDACTED, is_secret_key
from jde_zoho_sdk.testing._ais_orchestrations import FormErrorSpec, OrchestrationCall, OrchestrationFailure
from jde_zoho_sdk.testing._ais_sessions import EmulatedSession

if TYPE_CHECKING:
    from jde_zoho_sdk.testing.ais import AisEmulator

__all__ = ["Endpoints", "OrchestrationRecord", "RequestRecord", "request_logger"]

Answer = tuple[int, Mapping[str, object]]

_REASONS: Final = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    415: "Unsupported Media Type",
    444: "Invalid Token",
    500: "Internal Server Error",
}


@attrs.frozen(kw_only=True)
class RequestRecord:
    """One request the emulator answered (no query string, headers or body: they may hold secrets).

    Attributes:
        method: The HTTP method.
        path: The path.
        status: The HTTP status answered (0 when the connection was reset).
        at: When it arrived (the emulator's clock).
        duration_ms: How long the answer took, in milliseconds.
    """

    method: str
    path: str
    status: int
    at: datetime
    duration_ms: float


@attrs.frozen(kw_only=True)
class OrchestrationRecord:
    """One orchestration run: name, inputs (secret-looking ones redacted), outputs or errors.

    Attributes:
        name: The orchestration.
        username: Who ran it.
        inputs: Its inputs (secret-looking ones redacted).
        status: ``"SUCCESS"`` or ``"ERROR"``.
        at: When it ran (the emulator's clock).
        outputs: What it answered, when it succeeded.
        errors: The form errors, when it failed.
    """

    name: str
    username: str
    inputs: Mapping[str, object]
    status: str
    at: datetime
    outputs: Mapping[str, object] = attrs.field(factory=dict)
    errors: tuple[FormErrorSpec, ...] = ()


@attrs.frozen(kw_only=True)
class _Request:
    method: str
    route: str
    path: str
    params: Mapping[str, str]
    body: Mapping[str, object]
    headers: Mapping[str, str]
    base: str

    def credential(self) -> tuple[str, str | None]:
        """The token and device name, from the documented headers, the body or the query string."""
        token = self.headers.get("jde-ais-auth") or self.body.get("token") or self.params.get("token") or ""
        device = (
            self.headers.get("jde-ais-auth-device")
            or self.body.get("deviceName")
            or self.params.get("deviceName")
        )
        return str(token), str(device) if device else None


def timestamp(moment: datetime) -> str:
    """AIS's timestamp format: ``2026-04-13T05:14:03.619+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    raise TypeError(f"{type(value).__name__} is not JSON")


def request_logger(app: WSGIApplication, emulator: AisEmulator) -> WSGIApplication:
    """Wrap ``app`` so every answered request is appended to ``emulator.request_log``."""

    def logged(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        begun = time.perf_counter()
        seen: list[int] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> object:
            seen.append(int(status.split(" ", 1)[0]))
            return start_response(status, headers)

        try:
            return app(environ, start)  # type: ignore[arg-type]
        finally:
            emulator.request_log.append(
                RequestRecord(
                    method=environ.get("REQUEST_METHOD", "GET"),
                    path=environ.get("PATH_INFO", ""),
                    status=seen[0] if seen else 0,
                    at=emulator.clock(),
                    duration_ms=(time.perf_counter() - begun) * 1000,
                )
            )

    return logged


class Endpoints:
    """Routes a WSGI request to the emulator's services and writes the JSON answer."""

    def __init__(self, emulator: AisEmulator) -> None:
        self.emu = emulator

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI application of the endpoints."""
        with self.emu.lock:
            status, body = self.dispatch(environ)
        payload = json.dumps(body, default=_json_default, separators=(",", ":")).encode()
        headers = [("Content-Type", "application/json;charset=UTF-8"), ("Content-Length", str(len(payload)))]
        start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
        return [payload]

    def error(self, status: int, message: str, exception: str = "Exception") -> Answer:
        """A ``ServiceErrorResponse``."""
        return status, {"message": message, "exception": exception, "timeStamp": timestamp(self.emu.clock())}

    def _parse(self, environ: WSGIEnvironment) -> _Request | Answer:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").rstrip("/")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        body: object = {}
        if method == "POST":
            if not environ.get("CONTENT_TYPE", "").lower().startswith("application/json"):
                return self.error(415, "Invalid Content-Type Header - Must use application/json")
            try:
                body = json.loads(raw, parse_float=Decimal) if raw.strip() else {}
            except ValueError:
                body = None
        if not isinstance(body, dict):
            return self.error(400, "Bad Request - Invalid JSON Input")
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        return _Request(
            method=method,
            path=path,
            route=path.removeprefix("/jderest").removeprefix("/v2").removeprefix("/v3"),
            params=dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)),
            body=body,
            headers={k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")},
            base=f"{environ.get('wsgi.url_scheme', 'http')}://{host}",
        )

    def dispatch(self, environ: WSGIEnvironment) -> Answer:
        """Answer one request."""
        request = self._parse(environ)
        if not isinstance(request, _Request):
            return request
        route, method = request.route, request.method
        if route == "/tokenrequest" and method == "POST":
            return self.login(request)
        if route == "/defaultconfig":
            registry = self.emu.registry
            minutes = int(registry.idle_timeout.total_seconds() // 60)
            return 200, {
                "sessionTimeout": str(minutes),
                "timeToLive": str(int(registry.ttl.total_seconds() // 60)),
            }
        if route in ("/tokenrequest/logout", "/tokenrequest/validate") and method == "POST":
            return self.logout_or_validate(request)
        token, device = request.credential()
        session = self.emu.registry.find(token, device, self.emu.clock()) if token else None
        if session is None:
            return self.error(444, "Invalid Token")
        return self.serve(request, session)

    def serve(self, request: _Request, session: EmulatedSession) -> Answer:
        """Answer a request of a valid session."""
        route, method, data = request.route, request.method, self.emu.data
        if route == "/dataservice" and method == "POST":
            answer = data.browse(request.body, session, request.base)
            return answer.status, answer.body
        if route == "/dataservice/next" and method in ("POST", "GET"):
            params = {**request.params, **{k: str(v) for k, v in request.body.items()}}
            answer = data.next_page(params, session, request.base)
            return answer.status, answer.body
        if route.startswith("/orchestrator/") and method in ("POST", "GET"):
            inputs = request.body if method == "POST" else request.params
            return self.orchestrate(unquote(route.removeprefix("/orchestrator/")), inputs, session)
        if route == "/discover" or route.startswith("/discover/"):
            return self.discover(unquote(route.removeprefix("/discover").lstrip("/")))
        return self.error(404, f"Not Found: {method} {request.path}")

    def logout_or_validate(self, request: _Request) -> Answer:
        """``/tokenrequest/logout`` (``{"status": "Success"}``) and ``/tokenrequest/validate``."""
        token, device = request.credential()
        token = str(request.body.get("token") or token)
        registry = self.emu.registry
        if request.route.endswith("validate"):
            valid = registry.find(token, device, self.emu.clock()) is not None
            return (200, {"isValidSession": True}) if valid else self.error(444, "Invalid Token")
        return (200, {"status": "Success"}) if registry.end(token) else self.error(444, "Invalid Token")

    def login(self, request: _Request) -> Answer:
        """``/tokenrequest``: body credentials, or a Basic header with ``jde-AIS-Auth-*`` headers."""
        emu, body, headers = self.emu, request.body, request.headers
        username, secret = str(body.get("username") or ""), str(body.get("password") or "")
        authorization = headers.get("authorization", "")
        if not username and authorization.lower().startswith("basic "):
            username, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        environment = str(
            body.get("environment") or headers.get("jde-ais-auth-environment") or emu.environment
        )
        role = str(body.get("role") or headers.get("jde-ais-auth-role") or emu.role)
        device = str(body.get("deviceName") or headers.get("jde-ais-auth-device") or "")
        if not emu.accepts(username, secret, environment, role):
            return self.error(403, "Authorization Failure")
        session = emu.registry.open(
            username=username.upper(), environment=environment, role=role, device_name=device, now=emu.clock()
        )
        offset = emu.clock().astimezone(emu.zone).strftime("%z")
        user_info = {
            "token": session.token,
            "langPref": "E",
            "locale": "en",
            "dateFormat": emu.date_format,
            "dateSeperator": "/",
            "simpleDateFormat": emu.simple_date_format,
            "timeFormat": "12",
            "decimalFormat": ".",
            "addressNumber": 1,
            "alphaName": f"{session.username} (emulated)",
            "appsRelease": "E920",
            "country": " ",
            "username": session.username,
            "longUserId": session.username.lower(),
            "timeZoneOffset": f"UTC{offset[:3]}:{offset[3:]}",
        }
        return 200, {
            "username": session.username,
            "environment": environment,
            "role": role,
            "jasserver": "http://jas.emulator:8079",
            "userInfo": user_info,
            "userAuthorized": False,
            "aisSessionCookie": f"{uuid.UUID(int=emu.random.getrandbits(128)).hex}!emulated",
            "adminAuthorized": False,
            "passwordAboutToExpire": False,
            "envColor": "#1e4a6d",
            "machineName": "ais-emulator",
            "currencyEnvironment": True,
        }

    def orchestrate(self, name: str, body: Mapping[str, object], session: EmulatedSession) -> Answer:
        """``/v3/orchestrator/{name}``: outputs plus the ``jde__*`` trailer, or the ERROR shape."""
        emu = self.emu
        registration = emu.orchestrations.get(name)
        if registration is None:
            return self.error(404, f"Orchestration {name} was not found")
        if not emu.allowed(session.username, name):
            return self.error(
                403, f"User {session.username} is not authorized to run {name}", "SecurityException"
            )
        inputs = dict(body)
        pairs = body.get("inputs")
        if registration.input_format == "JDE Standard":
            pairs = pairs if isinstance(pairs, list) else []
            inputs = {str(pair.get("name")): pair.get("value") for pair in pairs if isinstance(pair, dict)}
        started, begun = emu.clock(), time.perf_counter()
        safe_inputs = {key: (REDACTED if is_secret_key(key) else value) for key, value in inputs.items()}
        call = OrchestrationCall(
            name=name, inputs=inputs, username=session.username, tables=emu.tables, settings=emu.settings
        )
        try:
            outputs = dict(registration.handler(call))
        except OrchestrationFailure as failure:
            record = OrchestrationRecord(
                name=name, username=session.username, inputs=safe_inputs, status="ERROR", at=started
            )
            emu.orchestration_log.append(attrs.evolve(record, errors=failure.errors))
            errors = [
                {"CODE": e.code, "TITLE": e.title, "DESC": e.description, "MOBILE": e.title}
                for e in failure.errors
            ]
            response = {failure.form: {"errors": errors, "warnings": []}}
            return emu.orchestration_error_status, {
                "message": {f"ServiceRequest: {failure.step}": {"JAS Response": response}},
                "exception": "Exception",
                "exceptionId": str(uuid.UUID(int=emu.random.getrandbits(128))),
                "jde__simpleMessage": f"{name} failed: {failure}",
                **self._trailer("ERROR", started, begun),
            }
        emu.orchestration_log.append(
            OrchestrationRecord(
                name=name,
                username=session.username,
                inputs=safe_inputs,
                status="SUCCESS",
                outputs=outputs,
                at=started,
            )
        )
        return 200, {**outputs, **self._trailer("SUCCESS", started, begun)}

    def _trailer(self, status: str, started: datetime, begun: float) -> dict[str, object]:
        return {
            "jde__status": status,
            "jde__startTimestamp": timestamp(started),
            "jde__endTimestamp": timestamp(self.emu.clock()),
            "jde__serverExecutionSeconds": round(time.perf_counter() - begun, 3),
        }

    def discover(self, name: str) -> Answer:
        """``/discover`` and ``/discover/{name}`` (the discovery example's shape)."""
        chosen = [r for r in self.emu.orchestrations.values() if not name or r.name == name]
        if name and not chosen:
            return self.error(404, f"Orchestration {name} was not found")
        return 200, {
            "orchestrations": [
                {
                    "name": r.name,
                    "description": r.description,
                    "inputFormat": r.input_format,
                    "inputs": [{"name": n, "type": t} for n, t in r.inputs],
                    "outputs": [{"name": n, "type": t} for n, t in r.outputs],
                    "version": "v3",
                }
                for r in chosen
            ]
        }
