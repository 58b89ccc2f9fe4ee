"""The checks of ``jde-zoho doctor``: read-only probes of AIS and Zoho, each a row with what to fix.

Every probe reads: the AIS login (a session, released at the end), one row of each table, the list of
orchestrations, the Zoho token, field metadata and the channel list. Nothing is written anywhere.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence

import attrs
import httpx

from jde_zoho_sdk._cli.config_model import AppConfig
from jde_zoho_sdk._redact import redact_text
from jde_zoho_sdk.errors import (
    AuthenticationError,
    ConfigError,
    PermissionDeniedError,
    SdkError,
    TransportError,
)
from jde_zoho_sdk.jde import AisClient
from jde_zoho_sdk.sync import DefaultMapper, Entity, MappingConfig, SyncConfig
from jde_zoho_sdk.zoho import EDITION_CONCURRENCY, FieldMeta, ZohoClient

__all__ = ["Check", "Result", "ais_checks", "reachability", "zoho_checks"]


class Result(enum.StrEnum):
    """How a check ended."""

    PASS = "PASS"  # noqa: S105 - a verdict, not a password
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


@attrs.frozen
class Check:
    """One row of the doctor's table.

    Attributes:
        name: What was checked.
        result: How it ended.
        detail: What was found, and for a failure what to fix.
    """

    name: str
    result: Result
    detail: str


def _why(error: BaseException) -> str:
    return redact_text(f"{type(error).__name__}: {error}")


def reachability(url: str, verify: bool | str, *, timeout: float) -> Check:
    """Whether AIS answers at all over the configured TLS settings (``GET /jderest/defaultconfig``)."""
    name = "AIS reachable (network, TLS)"
    try:
        with httpx.Client(verify=verify, timeout=timeout) as client:
            answer = client.get(f"{url.rstrip('/').removesuffix('/jderest')}/jderest/defaultconfig")
    except httpx.ConnectError as error:
        if "CERTIFICATE" in str(error).upper() or "SSL" in str(error).upper():
            return Check(
                name,
                Result.FAIL,
                f"TLS verification failed ({error}); for a private CA set jde.verify to its bundle's path",
            )
        return Check(
            name, Result.FAIL, f"cannot connect ({error}); check jde.base_url, the port and firewalls"
        )
    except httpx.HTTPError as error:
        return Check(name, Result.FAIL, f"{type(error).__name__}: {error}; check jde.base_url")
    return Check(name, Result.PASS, f"{url} answered (HTTP {answer.status_code})")


def _needed_tables(mapper: DefaultMapper, sync: SyncConfig) -> dict[str, tuple[str, ...]]:
    tables: dict[str, dict[str, None]] = {}
    for entity in sorted(sync.entities):
        for table, columns in mapper.jde_columns(entity).items():
            tables.setdefault(table, {}).update(dict.fromkeys(columns))
    return {table: tuple(columns) for table, columns in tables.items()}


def _orchestrations(sync: SyncConfig) -> list[tuple[str, str]]:
    names = sync.orchestrations
    wanted = []
    for entity in sorted(sync.entities):
        wanted += [(f"create_{entity}", names.create(entity)), (f"update_{entity}", names.update(entity))]
    if names.flag_deleted:
        wanted.append(("flag_deleted", names.flag_deleted))
    return wanted


def ais_checks(ais: AisClient, config: AppConfig, sync: SyncConfig, mapper: DefaultMapper) -> Iterator[Check]:
    """Login, read access to each table the engine reads, and the configured orchestrations."""
    try:
        session = ais.session
    except AuthenticationError as error:
        yield Check(
            "AIS login (token request)",
            Result.FAIL,
            f"{_why(error)}; check jde.username, the password's source (jde.password_env or "
            "jde.password_command), jde.environment and jde.role",
        )
        return
    except SdkError as error:
        yield Check("AIS login (token request)", Result.FAIL, _why(error))
        return
    yield Check(
        "AIS login (token request)",
        Result.PASS,
        f"{session.username} in {session.environment}, role {session.role}, dates {session.date_format}",
    )
    for table, columns in _needed_tables(mapper, sync).items():
        name = f"JDE table {table} readable"
        try:
            next(iter(ais.browse(table, list(columns), page_size=1)), None)
        except PermissionDeniedError as error:
            yield Check(name, Result.FAIL, f"{_why(error)}; ask the JDE security administrator to let "
                        f"{config.jde.username} read {table} through the AIS data service")  # fmt: skip
        except SdkError as error:
            yield Check(name, Result.FAIL, f"{_why(error)}; the columns read are {', '.join(columns)}")
        else:
            yield Check(name, Result.PASS, f"{len(columns)} columns")
    try:
        known = {found.name for found in ais.discover()}
    except SdkError as error:
        yield Check("JDE orchestrations", Result.FAIL, f"discover failed: {_why(error)}")
        return
    for key, orchestration in _orchestrations(sync):
        name = f"JDE orchestration {orchestration}"
        if orchestration in known:
            yield Check(name, Result.PASS, f"exists (jde.orchestrations.{key})")
        else:
            yield Check(
                name,
                Result.FAIL,
                f"not found for {config.jde.username}: import the orchestration (docs: the orchestrations "
                f"the sync calls) and grant it to the user, or set jde.orchestrations.{key} to yours",
            )


@attrs.frozen
class _Need:
    key: str  # the zoho.fields key that names it, or "" for a standard field
    field: str
    types: tuple[str, ...] = ()
    unique: bool = False


def _needs(mapping: MappingConfig, mapper: DefaultMapper, entity: Entity, *, flagged: bool) -> list[_Need]:
    names = mapping.zoho_fields
    identity = mapper.zoho_identity(entity)
    keyed = {
        names.jde_address_number: "jde_address_number", names.jde_contact_key: "jde_contact_key",
        names.tax_id: "tax_id", names.email: "email", names.credit_limit: "credit_limit",
        names.payment_terms: "payment_terms", names.credit_hold: "credit_hold",
        names.customer_category: "customer_category", names.audit_id: "audit_id",
        names.jde_deleted: "jde_deleted",
    }  # fmt: skip
    types = {
        names.credit_limit: ("currency", "double", "decimal"),
        names.payment_terms: ("picklist",),
        names.credit_hold: ("boolean",),
        names.customer_category: ("picklist",),
        names.audit_id: ("text",),
        names.jde_address_number: ("text",),
        names.jde_contact_key: ("text",),
        names.tax_id: ("text",),
        names.jde_deleted: ("boolean",),
    }
    if entity is Entity.CUSTOMER:
        types[names.email] = ("email",)
    # "@currency" is a placeholder the mapper lists even when no currency field is configured; it names no
    # field of the org (reported to the sync's owners), so it is not looked for.
    wanted = [field for field in mapper.zoho_fields(entity) if not field.startswith("@")]
    if flagged and identity.deleted_flag_field:  # reconcile sets it (sync.flag_zoho_on_jde_delete)
        wanted.append(identity.deleted_flag_field)
    fields = dict.fromkeys((*wanted, identity.audit_field))
    return [
        _Need(
            key=keyed.get(field, ""),
            field=field,
            types=types.get(field, ()),
            unique=field in identity.duplicate_check_fields,
        )
        for field in fields
    ]


def _field_problems(needs: Sequence[_Need], found: dict[str, FieldMeta], module: str) -> list[str]:
    problems = []
    for need in needs:
        meta = found.get(need.field)
        setting = f" (or set zoho.fields.{need.key} to your field's API name)" if need.key else ""
        kind = f"{'/'.join(need.types)} " if need.types else ""
        if meta is None:
            unique = "unique " if need.unique else ""
            problems.append(
                f"{need.field} is missing: create a {unique}{kind}field {need.field} in {module}{setting}"
            )
            continue
        if need.types and meta.data_type not in need.types:
            problems.append(f"{need.field} is {meta.data_type}, expected {'/'.join(need.types)}{setting}")
        if need.unique and not meta.is_unique:
            problems.append(
                f"{need.field} must not allow duplicate values (Zoho: 'Do not allow duplicate values')"
            )
    return problems


def _picklist_gaps(mapping: MappingConfig, found: dict[str, FieldMeta]) -> list[str]:
    gaps = []
    names = mapping.zoho_fields
    for field, table in (
        (names.payment_terms, mapping.payment_terms),
        (names.customer_category, mapping.customer_categories),
    ):
        meta = found.get(field)
        if meta is None or meta.data_type != "picklist":
            continue
        offered = {value.actual_value.casefold() for value in meta.pick_list_values}
        missing = [
            f"{code} → {value}" for code, value in table.pairs.items() if value.casefold() not in offered
        ]
        if missing:
            gaps.append(f"{field} has no value for {', '.join(missing)}")
    return gaps


def _token_checks(zoho: ZohoClient, config: AppConfig, module: str) -> tuple[list[Check], list[FieldMeta]]:
    """The first call (the fields of ``module``) brings the token: its failure says which part is wrong."""
    grant = "client credentials" if config.zoho.grant == "client_credentials" else "refresh token"
    issued = Check("Zoho token", Result.PASS, f"issued ({grant} grant)")
    try:
        fields = zoho.fields(module)
    except ConfigError as error:
        fix = "check zoho.region and zoho.environment"
        return [issued, Check("Zoho API domain in region", Result.FAIL, f"{_why(error)}; {fix}")], []
    except AuthenticationError as error:
        fix = (
            "check zoho.client_id, the client secret's and the refresh token's sources, and zoho.region "
            "(a token works only in its data center)"
        )
        return [Check("Zoho token", Result.FAIL, f"{_why(error)}; {fix}")], []
    except TransportError as error:
        fix = f"check the network path to {zoho.oauth.region.accounts_url}"
        return [Check("Zoho token", Result.FAIL, f"{_why(error)}; {fix}")], []
    except SdkError as error:
        fix = "the token needs the ZohoCRM.settings scope"
        return [issued, Check(f"Zoho module {module}", Result.FAIL, f"{_why(error)}; {fix}")], []
    domain = f"{zoho.oauth.api_domain} is an API host of {zoho.oauth.region.name}"
    return [issued, Check("Zoho API domain in region", Result.PASS, domain)], fields


def _module_checks(
    zoho: ZohoClient,
    mapper: DefaultMapper,
    entity: Entity,
    found: dict[str, FieldMeta] | None,
    *,
    flagged: bool,
) -> Iterator[Check]:
    module = mapper.zoho_identity(entity).module
    if found is None:
        try:
            found = {meta.api_name: meta for meta in zoho.fields(module)}
        except SdkError as error:
            fix = "is the module enabled for this user?"
            yield Check(f"Zoho module {module}", Result.FAIL, f"{_why(error)}; {fix}")
            return
    problems = _field_problems(_needs(mapper.config, mapper, entity, flagged=flagged), found, module)
    if problems:
        yield Check(f"Zoho module {module}: fields", Result.FAIL, "; ".join(problems))
    else:
        unique = ", ".join(mapper.zoho_identity(entity).duplicate_check_fields)
        yield Check(f"Zoho module {module}: fields", Result.PASS, f"all present; unique: {unique}")
    gaps = _picklist_gaps(mapper.config, found) if entity is Entity.CUSTOMER else []
    if gaps:
        fix = "add the values to the picklist, or map the codes to existing values in [mapping]"
        detail = f"{'; '.join(gaps)}: records with these codes will be refused; {fix}"
        yield Check(f"Zoho module {module}: picklists", Result.WARN, detail)


def zoho_checks(
    zoho: ZohoClient, config: AppConfig, sync: SyncConfig, mapper: DefaultMapper
) -> Iterator[Check]:
    """Token, API domain, modules and fields the mapping needs, notification access, edition limits."""
    entities = sorted(sync.entities)
    first = mapper.zoho_identity(entities[0]).module
    checks, fields = _token_checks(zoho, config, first)
    yield from checks
    if not fields:
        return
    for entity in entities:
        known = {meta.api_name: meta for meta in fields} if entity is entities[0] else None
        yield from _module_checks(zoho, mapper, entity, known, flagged=sync.flag_zoho_on_jde_delete)
    try:
        channels = zoho.channels.list()
    except PermissionDeniedError as error:
        fix = "the token needs ZohoCRM.notifications.ALL"
        yield Check("Zoho notifications", Result.FAIL, f"{_why(error)}; {fix}")
    except SdkError as error:
        yield Check("Zoho notifications", Result.FAIL, _why(error))
    else:
        yield Check(
            "Zoho notifications", Result.PASS, f"readable; {len(channels)} channel(s) enabled by this client"
        )
    edition = config.zoho.edition
    budget = config.zoho.credit_budget
    yield Check(
        "Zoho edition limits",
        Result.PASS,
        f"{edition}: at most {EDITION_CONCURRENCY[edition]} calls in flight (the client keeps to it); "
        f"credit budget per run: {budget if budget else 'none'}",
    )
