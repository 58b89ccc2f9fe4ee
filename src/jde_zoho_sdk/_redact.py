"""Secret redaction for URLs, headers, bodies, free text and log records.

Two complementary mechanisms keep secrets out of logs, reprs, exceptions and cassettes:

* **Structural**: values under secret-looking names (``password``, ``token``, ``access_token``,
  ``Authorization``, ``jde-AIS-Auth``, ``aisSessionCookie``, ...) are replaced wherever they appear: URL query
  strings (including the ``token=`` inside AIS next-page links), headers, JSON and form bodies.
* **By value**: every :class:`Secret` registers its value; :func:`redact_text` also replaces those values
  verbatim, which catches a secret echoed back inside an error message.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

__all__ = [
    "REDACTED",
    "RedactingFilter",
    "Secret",
    "get_logger",
    "install_log_redaction",
    "is_secret_key",
    "redact_body",
    "redact_headers",
    "redact_json",
    "redact_text",
    "redact_url",
    "remember_secret",
]

REDACTED: Final = "REDACTED"

# Names are compared lower-cased with "_" and "-" removed, so "access_token", "accessToken" and
# "Access-Token" are one name.
_SECRET_KEYS: Final = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "token",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "pstoken",
        "clientsecret",
        "secret",
        "apikey",
        "authorization",
        "proxyauthorization",
        "jdeaisauth",
        "aissessioncookie",
        "cookie",
        "setcookie",
        "xzohooauthtoken",
    }
)
# In query strings and form bodies an OAuth authorization ``code`` is a one-time credential. In JSON,
# ``code`` is Zoho's error code and must stay readable.
_SECRET_PARAMS: Final = _SECRET_KEYS | {"code", "granttoken"}

_MIN_KNOWN_SECRET = 8  # shorter values would scrub ordinary words out of text
_MAX_KNOWN_SECRETS = 512


def _normalise(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def is_secret_key(name: str) -> bool:
    """Tell whether a header, parameter or JSON key holds a secret.

    Args:
        name: The key, in any case and with ``_`` or ``-`` separators.

    Returns:
        True for names such as ``password``, ``access_token``, ``jde-AIS-Auth`` or ``aisSessionCookie``.

    Example:
        >>> is_secret_key("refresh_token"), is_secret_key("Account_Name")
        (True, False)
    """
    return _normalise(name) in _SECRET_KEYS


class _KnownSecrets:
    """A bounded, thread-safe set of secret values seen by this process, for by-value scrubbing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: OrderedDict[str, None] = OrderedDict()
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str) -> None:
        if len(value) < _MIN_KNOWN_SECRET:
            return
        with self._lock:
            if value in self._values:
                self._values.move_to_end(value)
                return
            self._values[value] = None
            while len(self._values) > _MAX_KNOWN_SECRETS:
                self._values.popitem(last=False)
            self._pattern = None

    def scrub(self, text: str) -> str:
        with self._lock:
            if not self._values:
                return text
            if self._pattern is None:
                # Longest first, so a secret that contains another is replaced whole.
                alternatives = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(value) for value in alternatives))
            pattern = self._pattern
        return pattern.sub(REDACTED, text)


_known = _KnownSecrets()


def _register_secret(_instance: object, _attribute: object, value: str) -> None:
    _known.add(value)


@attrs.frozen(repr=False)
class Secret:
    """A secret string (password, token, client secret) that never shows itself.

    ``repr()`` and ``str()`` give ``********``; :meth:`reveal` gives the value to the code that must send
    it. Creating a ``Secret`` also teaches :func:`redact_text` its value, so the value is scrubbed from any
    log line or error message it might be echoed in.

    Args:
        value: The secret.

    Example:
        >>> password = Secret("s3cret-pa55word")
        >>> password
        Secret('********')
        >>> password.reveal()
        's3cret-pa55word'
    """

    _value: str = attrs.field(validator=[attrs.validators.instance_of(str), _register_secret])

    def reveal(self) -> str:
        """Return the secret value, to be sent to the system that asked for it and nowhere else."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def __bool__(self) -> bool:
        return bool(self._value)


def remember_secret(value: str) -> None:
    """Teach :func:`redact_text` a secret value that arrived from a remote system (a session token)."""
    _known.add(value)


def redact_url(url: object) -> str:
    """Return ``url`` as text with secret query parameters and any password in it replaced.

    Args:
        url: A string or ``httpx.URL``.

    Returns:
        The URL with ``token=``, ``access_token=``, ``code=``... values set to ``REDACTED``.

    Example:
        >>> redact_url("https://ais/jderest/v2/dataservice/next?stackId=1&token=044abc%3D")
        'https://ais/jderest/v2/dataservice/next?stackId=1&token=REDACTED'
    """
    text = str(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return redact_text(text)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{REDACTED}@{host}" if ":" in userinfo else netloc
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_normalise(key) in _SECRET_PARAMS for key, _ in pairs):
            query = urlencode(
                [(key, REDACTED if _normalise(key) in _SECRET_PARAMS else value) for key, value in pairs],
                safe="|,:/",
            )
    return _known.scrub(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def redact_headers(headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> dict[str, str]:
    """Return a copy of ``headers`` with secret headers replaced.

    Args:
        headers: A mapping or ``(name, value)`` pairs (``httpx.Headers`` works as either).

    Returns:
        A plain dict; ``Authorization``, ``jde-AIS-Auth``, ``Cookie``... carry ``REDACTED``.
    """
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name: (REDACTED if is_secret_key(name) else _known.scrub(value)) for name, value in items}


def redact_json(value: object) -> object:
    """Return a deep copy of a JSON value with every secret replaced.

    Values under secret keys become ``REDACTED``; strings elsewhere are scrubbed with :func:`redact_text`
    (so a next-page link's ``token=`` is removed too).

    Args:
        value: Any JSON-compatible value.

    Returns:
        The redacted copy.
    """
    if isinstance(value, Mapping):
        return {
            key: (REDACTED if isinstance(key, str) and is_secret_key(key) else redact_json(item))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_json(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def _redact_form(text: str) -> str:
    pairs = parse_qsl(text, keep_blank_values=True)
    return urlencode(
        [(key, REDACTED if _normalise(key) in _SECRET_PARAMS else value) for key, value in pairs]
    )


def redact_body(content: bytes, content_type: str = "") -> bytes:
    """Return a request or response body with its secrets replaced.

    JSON and form bodies are redacted structurally; anything else is treated as text.

    Args:
        content: The raw body.
        content_type: The ``Content-Type`` header value, used to choose the format.

    Returns:
        The redacted body, re-encoded as UTF-8 (or unchanged when empty or not text).
    """
    if not content:
        return content
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return content
    kind = content_type.lower()
    if "json" in kind or (not kind and text.lstrip()[:1] in "{["):
        try:
            return json.dumps(redact_json(json.loads(text)), separators=(",", ":")).encode()
        except ValueError:
            pass
    if "x-www-form-urlencoded" in kind:
        return _redact_form(text).encode()
    return redact_text(text).encode()


def _spellings(names: Iterable[str]) -> str:
    """A regex alternation of ``names`` (normalised: lower case, no separators) in any of their spellings.

    ``access_token``, ``accessToken``, ``access-token`` and ``ACCESS_TOKEN`` all normalise to one name: a
    separator may stand between any two letters of it.
    """
    return "|".join(
        "[_-]?".join(re.escape(letter) for letter in name) for name in sorted(names, key=len, reverse=True)
    )


# Built from the names the structural redaction uses, so text and structures agree on what is secret.
_KEY_ALTERNATION: Final = _spellings(_SECRET_PARAMS)
# key=value in query strings, form bodies and log text ("...&token=044abc&...").
_PARAM_PATTERN: Final = re.compile(rf"(?i)(?<![\w-])({_KEY_ALTERNATION})=([^&\s#\"',;]+)")
# "key": "value" in JSON-ish text (a body quoted in an error message or a log line), and 'key': 'value'
# in a Python repr of a dict. A JSON "code" is Zoho's error code, not a credential: it stays.
_JSON_KEYS: Final = _spellings(_SECRET_KEYS)
_JSON_PATTERN: Final = re.compile(rf"(?i)(\"(?:{_JSON_KEYS})\"\s*:\s*)\"(?:[^\"\\]|\\.)*\"")
_REPR_PATTERN: Final = re.compile(rf"(?i)('(?:{_JSON_KEYS})'\s*:\s*)'(?:[^'\\]|\\.)*'")
# Credentials in authorization header values quoted in text.
_SCHEME_PATTERN: Final = re.compile(r"(?i)\b(Zoho-oauthtoken|Bearer|Basic)\s+[A-Za-z0-9._~+/=%-]{6,}")
# A password inside a URL ("https://user:pw@host/").
_USERINFO_PATTERN: Final = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*):[^/\s@]+@")


def redact_text(text: str) -> str:
    """Scrub secrets out of free text.

    Replaces ``key=value`` pairs, JSON ``"key": "value"`` pairs, credentials after ``Bearer``, ``Basic`` or
    ``Zoho-oauthtoken``, passwords inside URLs (``user:pw@``), and every secret value of 8 characters or
    more this process has seen (shorter ones would scrub ordinary words, such as a demo password ``JDE``,
    out of every message; a remote system that echoes a short password back is not covered).

    Args:
        text: A log message, an error body, a URL...

    Returns:
        The text with each secret replaced by ``REDACTED``.

    Example:
        >>> redact_text('refused: {"password": "hunter22", "username": "jde"}')
        'refused: {"password": "REDACTED", "username": "jde"}'
    """
    if not text:
        return text
    text = _PARAM_PATTERN.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    text = _JSON_PATTERN.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    text = _REPR_PATTERN.sub(lambda m: f"{m.group(1)}'{REDACTED}'", text)
    text = _SCHEME_PATTERN.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _USERINFO_PATTERN.sub(lambda m: f"{m.group(1)}:{REDACTED}@", text)
    return _known.scrub(text)


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record's message and scrubs it with :func:`redact_text`.

    Installed by :func:`install_log_redaction` on the library's loggers and on those of httpx and httpcore,
    which log request URLs (an AIS next-page link carries the session token in its query string).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place (its traceback and stack too); never drops it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info:
            # A handler formats exc_info itself, past any filter: an exception chain's messages (a body
            # AIS echoed, a URL with its token) would reach the log whole. It is rendered and scrubbed here.
            record.exc_text = redact_text(_TRACEBACKS.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


_TRACEBACKS: Final = logging.Formatter()


_FILTER: Final = RedactingFilter()
_THIRD_PARTY_LOGGERS: Final = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "backoff",
)
_installed: set[str] = set()
_install_lock = threading.Lock()


def install_log_redaction(*logger_names: str) -> None:
    """Attach :class:`RedactingFilter` to the named loggers and to the HTTP stack's loggers (once each).

    A filter on a logger only sees records created on that very logger, so each module logger of the
    library is named here by :func:`get_logger`.

    Args:
        *logger_names: Extra logger names to protect.
    """
    with _install_lock:
        for name in (*_THIRD_PARTY_LOGGERS, *logger_names):
            if name not in _installed:
                logging.getLogger(name).addFilter(_FILTER)
                _installed.add(name)


def get_logger(name: str) -> logging.Logger:
    """Return the library logger ``name`` with secret redaction installed.

    Args:
        name: The module's ``__name__`` (under ``jde_zoho_sdk``).

    Returns:
        The logger.
    """
    install_log_redaction(name)
    return logging.getLogger(name)
