"""Checks of config values types cannot express: regions, URLs, zones, schedules, ranges, secret sources.

Each check returns :class:`Problem` rows (key path, what is expected) instead of raising, so the loader can
report every problem of a file at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from jde_zoho_sdk._cli.config_model import AppConfig, JdeSection, ServeSection, SyncSection, ZohoSection
from jde_zoho_sdk._cli.schedule import parse_schedule
from jde_zoho_sdk._cli.secrets import ENV_NAME
from jde_zoho_sdk._redact import redact_text
from jde_zoho_sdk._urls import url_problem
from jde_zoho_sdk.sync import ContactPerson, Customer, Entity, FieldPolicy, Supplier
from jde_zoho_sdk.zoho import EDITION_CONCURRENCY
from jde_zoho_sdk.zoho.regions import DATA_CENTERS

__all__ = ["REGIONS", "Problem", "check_config", "parse_listen"]

REGIONS: Final = tuple(center.name.lower() for center in DATA_CENTERS)
"""Zoho data centers by their config name (``uk`` is the newest; its API host is UNCONFIRMED)."""
ENVIRONMENTS: Final = ("production", "sandbox", "developer")
GRANTS: Final = ("refresh_token", "client_credentials")
_API_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")
_MAX_CHANNEL_SECONDS: Final = 7 * 24 * 3600

# Ranges of the numbers in the file, (least, most, what a number counts). The upper ends are far beyond any
# useful value; they stop a typo from reaching timedelta, SQLite or AIS as an overflow (or a thread storm).
_PAGE_SIZE: Final = (1, 100_000, "a number of rows")
_SYNC_RANGES: Final = {
    "overlap_minutes": (0, 7 * 24 * 60, "a number of minutes"),
    "batch_size": (1, 100_000, "a number of records"),
    "jde_concurrency": (1, 64, "a number of orchestration calls"),
}
_QUEUE_DELAY: Final = (0, 24 * 3600, "a number of seconds")
_THREADS: Final = (1, 256, "a number of threads")


@attrs.frozen
class Problem:
    """One thing wrong with the config file.

    Attributes:
        path: The key path (``"zoho.region"``), or ``""`` for the file as a whole.
        message: What is wrong and what is expected.
    """

    path: str
    message: str


def _choices(values: object) -> str:
    return ", ".join(str(value) for value in values)  # type: ignore[attr-defined]


def _url(path: str, value: str, *, what: str, allow_insecure_http: bool | None = None) -> Iterator[Problem]:
    """Problems of a URL; ``allow_insecure_http`` given: one the sync sends secrets to (see ``_urls``)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        yield Problem(path, f"expected {what} such as https://host:port, got {redact_text(value)!r}")
        return
    try:
        _ = parts.port
    except ValueError:
        yield Problem(path, f"the port in {redact_text(value)!r} is not a number from 0 to 65535")
    if allow_insecure_http is None:
        return
    problem = url_problem(parts, allow_insecure_http=allow_insecure_http)
    if problem is None:
        return
    # Point at the setting only when it would make the URL acceptable: it does nothing for a password in it.
    if url_problem(parts, allow_insecure_http=True) is None:
        section = path.split(".", maxsplit=1)[0]
        problem = f"{problem} (in the file: {section}.allow_insecure_http = true)"
    yield Problem(path, problem)


def _in_range(path: str, value: float, bounds: tuple[int, int, str]) -> Iterator[Problem]:
    """A problem when ``value`` is outside ``bounds`` (NaN is outside any)."""
    least, most, what = bounds
    if not least <= value <= most:
        yield Problem(path, f"expected {what} from {least} to {most}, got {value}")


def _one_source(
    section: str, name: str, env: str | None, command: tuple[str, ...] | None
) -> Iterator[Problem]:
    """Exactly one of ``<name>_env`` and ``<name>_command``, each well formed."""
    example = f'{name}_env = "{section.upper()}_{name.upper()}"'
    if env is None and command is None:
        yield Problem(
            f"{section}.{name}_env",
            f"missing: say where the {name.replace('_', ' ')} comes from with {example} (an environment "
            f'variable) or {name}_command = ["pass", "show", "..."] (a command that prints it)',
        )
    elif env is not None and command is not None:
        yield Problem(f"{section}.{name}_env", f"give {name}_env or {name}_command, not both")
    elif env is not None and not ENV_NAME.fullmatch(env):
        yield Problem(f"{section}.{name}_env", f"{env!r} is not an environment variable name")
    elif command is not None and (not command or not command[0]):
        yield Problem(f"{section}.{name}_command", "expected the program and its arguments, as a list")


def _check_jde(jde: JdeSection, base: Path) -> Iterator[Problem]:
    yield from _url(
        "jde.base_url", jde.base_url, what="the AIS Server's URL", allow_insecure_http=jde.allow_insecure_http
    )
    try:
        ZoneInfo(jde.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        yield Problem(
            "jde.timezone",
            f"unknown time zone {jde.timezone!r}: expected the JDE database server's IANA zone, such as "
            "America/Chicago",
        )
    if isinstance(jde.verify, str) and not (base / Path(jde.verify).expanduser()).is_file():
        yield Problem(
            "jde.verify", f"expected true, false or the path of a CA bundle; {jde.verify!r} is no file"
        )
    yield from _one_source("jde", "password", jde.password_env, jde.password_command)
    if not jde.username.strip():
        yield Problem("jde.username", "expected the JD Edwards user the sync logs in as")
    yield from _in_range("jde.page_size", jde.page_size, _PAGE_SIZE)
    if not jde.company.strip():
        yield Problem(
            "jde.company", 'expected the JDE company whose customer master is synced, such as "00000"'
        )
    yield from _check_search_types(jde)
    for key, name in attrs.asdict(jde.orchestrations).items():
        if name is not None and not name.strip():
            yield Problem(f"jde.orchestrations.{key}", "expected an orchestration name")


def _check_search_types(jde: JdeSection) -> Iterator[Problem]:
    codes: dict[str, set[str]] = {}
    for key in ("customer_search_types", "supplier_search_types"):
        types: tuple[str, ...] = getattr(jde, key)
        if not types:
            yield Problem(f"jde.{key}", "expected at least one F0101 search type (AT1), such as C or V")
        for index, code in enumerate(types):
            if not code.strip():
                yield Problem(f"jde.{key}[{index}]", "expected an F0101 search type (AT1), such as C or V")
        # The engine strips the codes, so " C" and "C" are the same search type.
        codes[key] = {code.strip() for code in types if code.strip()}
    both = codes["customer_search_types"] & codes["supplier_search_types"]
    if both:
        yield Problem(
            "jde.supplier_search_types",
            f"{', '.join(sorted(both))} also in customer_search_types: a record would be a customer and a "
            "supplier",
        )


def _check_region(zoho: ZohoSection) -> Iterator[Problem]:
    custom = zoho.accounts_url is not None or zoho.api_domain is not None
    if zoho.region is None and not custom:
        yield Problem("zoho.region", f"missing: expected the org's data center, one of {_choices(REGIONS)}")
    elif zoho.region is not None and custom:
        yield Problem(
            "zoho.region", "give region, or accounts_url with api_domain (a private set-up), not both"
        )
    elif zoho.region is not None and zoho.region.lower() not in REGIONS:
        yield Problem("zoho.region", f"unknown region {zoho.region!r}: expected one of {_choices(REGIONS)}")
    if custom:
        for key in ("accounts_url", "api_domain"):
            value = getattr(zoho, key)
            if value is None:
                yield Problem(f"zoho.{key}", "missing: accounts_url and api_domain go together")
            else:
                yield from _url(
                    f"zoho.{key}", value, what="a URL", allow_insecure_http=zoho.allow_insecure_http
                )
    if zoho.environment not in ENVIRONMENTS:
        yield Problem(
            "zoho.environment", f"expected one of {_choices(ENVIRONMENTS)}, got {zoho.environment!r}"
        )
    elif custom and zoho.environment != "production":
        yield Problem("zoho.environment", "a private set-up (accounts_url, api_domain) has no environments")


def _check_zoho(zoho: ZohoSection) -> Iterator[Problem]:
    yield from _check_region(zoho)
    if not zoho.client_id.strip():
        yield Problem("zoho.client_id", "expected the OAuth client id (1000.XXXX)")
    yield from _one_source("zoho", "client_secret", zoho.client_secret_env, zoho.client_secret_command)
    yield from _check_grant(zoho)
    if zoho.edition not in EDITION_CONCURRENCY:
        yield Problem(
            "zoho.edition", f"expected one of {_choices(EDITION_CONCURRENCY)}, got {zoho.edition!r}"
        )
    if zoho.credit_budget is not None and zoho.credit_budget < 1:
        yield Problem("zoho.credit_budget", "expected a number of API credits of at least 1")
    for key, name in attrs.asdict(zoho.fields).items():
        if name is not None and not _API_NAME.fullmatch(name):
            yield Problem(f"zoho.fields.{key}", f"{name!r} is not a Zoho field API name (such as Tax_ID)")


def _check_grant(zoho: ZohoSection) -> Iterator[Problem]:
    refresh_given = zoho.refresh_token_env is not None or zoho.refresh_token_command is not None
    if zoho.grant == "refresh_token":
        yield from _one_source("zoho", "refresh_token", zoho.refresh_token_env, zoho.refresh_token_command)
        if zoho.org_id is not None:
            yield Problem(
                "zoho.org_id", 'only the client-credentials grant uses it (grant = "client_credentials")'
            )
    elif zoho.grant == "client_credentials":
        if not zoho.org_id:
            yield Problem("zoho.org_id", "missing: the client-credentials grant needs the CRM org id")
        if not zoho.scopes:
            yield Problem("zoho.scopes", "expected the scopes to ask for, such as ZohoCRM.modules.ALL")
        if refresh_given:
            yield Problem("zoho.refresh_token_env", "the client-credentials grant uses no refresh token")
    else:
        yield Problem("zoho.grant", f"expected one of {_choices(GRANTS)}, got {zoho.grant!r}")


def _policy_fields() -> dict[str, frozenset[str]]:
    fields = {}
    for entity, model in (
        (Entity.CUSTOMER, Customer),
        (Entity.CONTACT, ContactPerson),
        (Entity.SUPPLIER, Supplier),
    ):
        fields[str(entity)] = frozenset(a.name for a in attrs.fields(model)) - {"extra"}
    return fields


def _check_sync(sync: SyncSection) -> Iterator[Problem]:
    entities = [str(entity) for entity in Entity]
    if not sync.entities:
        yield Problem("sync.entities", f"expected at least one of {_choices(entities)}")
    for index, name in enumerate(sync.entities):
        if name not in entities:
            yield Problem(
                f"sync.entities[{index}]", f"unknown entity {name!r}: expected one of {_choices(entities)}"
            )
    for key, bounds in _SYNC_RANGES.items():
        yield from _in_range(f"sync.{key}", getattr(sync, key), bounds)
    policies = [str(policy) for policy in FieldPolicy]
    if sync.default_policy not in policies:
        yield Problem(
            "sync.default_policy", f"expected one of {_choices(policies)}, got {sync.default_policy!r}"
        )
    fields = _policy_fields()
    every = frozenset().union(*fields.values())
    for key, value in sync.policies.items():
        entity, _, field = key.rpartition(".")
        known = fields.get(entity, frozenset()) if entity else every
        if field not in known or (entity and entity not in fields):
            yield Problem(
                f"sync.policies.{key}",
                "unknown field: expected a canonical field such as credit_limit, or entity.field such as "
                "supplier.payment_terms",
            )
        if value not in policies:
            yield Problem(f"sync.policies.{key}", f"expected one of {_choices(policies)}, got {value!r}")


def parse_listen(text: str) -> tuple[str, int]:
    """Split ``host:port`` (``[::1]:8080`` for IPv6).

    Raises:
        ValueError: Not ``host:port`` with a port from 0 to 65535.
    """
    host, sep, port = text.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected host:port such as 0.0.0.0:8080, got {text!r}")
    return host, int(port)


def _check_serve(serve: ServeSection) -> Iterator[Problem]:
    try:
        parse_listen(serve.listen)
    except ValueError as bad:
        yield Problem("serve.listen", str(bad))
    if serve.notify_url is not None:
        yield from _url(
            "serve.notify_url", serve.notify_url, what="the public URL Zoho posts notifications to"
        )
    if not serve.path.startswith("/"):
        yield Problem("serve.path", f"expected a URL path starting with /, got {serve.path!r}")
    for key in ("jde_schedule", "reconcile_schedule"):
        try:
            parse_schedule(getattr(serve, key))
        except ValueError as bad:
            yield Problem(f"serve.{key}", str(bad))
    yield from _in_range("serve.queue_delay_seconds", serve.queue_delay_seconds, _QUEUE_DELAY)
    if not 0 < serve.channel_lifetime_seconds <= _MAX_CHANNEL_SECONDS:
        yield Problem(
            "serve.channel_lifetime_seconds", "expected seconds from 1 to 604800 (Zoho keeps a week)"
        )
    if not 0 < serve.channel_renew_before_seconds < serve.channel_lifetime_seconds:
        yield Problem(
            "serve.channel_renew_before_seconds", "expected seconds, more than 0 and less than the lifetime"
        )
    yield from _in_range("serve.threads", serve.threads, _THREADS)


def check_config(config: AppConfig) -> list[Problem]:
    """Every problem of a structured config that its types do not rule out.

    Args:
        config: The config as structured from the file.

    Returns:
        The problems, in file order of sections.
    """
    return [
        *_check_jde(config.jde, config.source.parent),
        *_check_zoho(config.zoho),
        *_check_sync(config.sync),
        *_check_serve(config.serve),
    ]
