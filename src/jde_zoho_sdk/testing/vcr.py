"""A vcrpy configuration that scrubs every secret before a cassette is written.

Use it for contract tests and to record exchanges with your own AIS server or Zoho org: passwords, tokens
(headers, query strings, the ``token=`` inside AIS next-page links, ``userInfo.token``,
``aisSessionCookie``), Zoho access and refresh tokens, client secrets, authorization codes and notification
channel tokens are replaced by ``REDACTED`` in requests *and* responses. Requires the ``test`` extra (vcrpy).

Example:
    >>> from jde_zoho_sdk.testing.vcr import make_vcr
    >>> recorder = make_vcr("tests/cassettes", record_mode="once")
    >>> # with recorder.use_cassette("token.yaml"):
    >>> #     client.browse("F0101", ["AN8"])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import vcr
from vcr.request import Request as VcrRequest

from jde_zoho_sdk._redact import REDACTED, install_log_redaction, is_secret_key, redact_body, redact_url

__all__ = ["find_secrets", "make_vcr", "scrub_request", "scrub_response"]

_MATCH_ON = ("method", "scheme", "host", "port", "path", "redacted_query")
_VCR_LOGGERS = (
    "vcr",
    "vcr.cassette",
    "vcr.stubs",
    "vcr.stubs.httpx_stubs",
    "vcr.matchers",
    "vcr.patch",
    "vcr.request",
)


def _content_type(headers: Mapping[str, Any]) -> str:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return str(value[0] if isinstance(value, list) else value)
    return ""


def scrub_request(request: VcrRequest) -> VcrRequest:
    """Remove secrets from a request about to be recorded (URL, headers and body).

    Args:
        request: vcrpy's request.

    Returns:
        The same request, scrubbed in place.
    """
    request.uri = redact_url(request.uri)
    for name in list(request.headers):
        if is_secret_key(name):
            request.headers[name] = REDACTED
    body = request.body
    if body:
        raw = body.encode() if isinstance(body, str) else body
        request.body = redact_body(raw, _content_type(request.headers))
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Remove secrets from a response about to be recorded (headers and body).

    Args:
        response: vcrpy's response dictionary.

    Returns:
        The same dictionary, scrubbed in place.
    """
    headers: dict[str, Any] = response.get("headers", {})
    for name in list(headers):
        if is_secret_key(name):
            headers[name] = [REDACTED]
    body = response.get("body", {})
    content = body.get("string")
    if content:
        raw = content.encode() if isinstance(content, str) else content
        body["string"] = redact_body(raw, _content_type(headers))
    return response


def _redacted_query(left: VcrRequest, right: VcrRequest) -> None:
    # A recorded query has its secrets replaced, so the live request is compared in the same redacted form.
    if sorted(_query(left)) != sorted(_query(right)):
        raise AssertionError(f"query differs: {_query(left)} != {_query(right)}")


def _query(request: VcrRequest) -> list[tuple[str, str]]:
    redacted = VcrRequest(request.method, redact_url(request.uri), b"", {})
    return list(redacted.query)


def make_vcr(cassette_dir: str | Path, *, record_mode: str = "none") -> vcr.VCR:
    """Build a ``vcr.VCR`` that scrubs secrets and matches requests on their redacted form.

    Args:
        cassette_dir: Where cassettes live.
        record_mode: vcrpy's record mode: ``"none"`` (replay only, the default for CI), ``"once"`` to record
            a missing cassette against a real system.

    Returns:
        The configured recorder; use ``recorder.use_cassette("name.yaml")``.
    """
    recorder = vcr.VCR(
        cassette_library_dir=str(cassette_dir),
        record_mode=record_mode,
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
        match_on=_MATCH_ON,
    )
    recorder.register_matcher("redacted_query", _redacted_query)
    # vcrpy logs every recorded exchange, bodies included, at INFO: its loggers get our redaction too.
    install_log_redaction(*_VCR_LOGGERS)
    return recorder


def find_secrets(cassette: str | Path, secrets: Iterable[str]) -> list[str]:
    """Return which of ``secrets`` appear in a cassette file (an empty list means it is clean).

    Args:
        cassette: The cassette's path.
        secrets: The secret values to look for.

    Returns:
        The secrets found, in the order given.
    """
    text = Path(cassette).read_text(encoding="utf-8")
    return [secret for secret in secrets if secret and secret in text]
