# ruff: noqa: RUF009 - wire_field declares attrs fields, like attrs.field itself
"""The one cattrs converter for AIS JSON, and the wire models it structures (token answer, discovery).

Data service rows do not go through it: they are the hot path and are built directly (see ``rows.py``).
Secrets in answers (``userInfo.token``, ``aisSessionCookie``) are structured straight into
:class:`~jde_zoho_sdk._redact.Secret`, so they can never show up in a repr or a log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeVar

import attrs
import cattrs

from jde_zoho_sdk._redact import Secret, remember_secret
from jde_zoho_sdk._wire import make_converter, structure, wire_field
from jde_zoho_sdk.jde.errors import AisUnexpectedResponseError

T = TypeVar("T")

__all__ = [
    "DiscoveredOrchestration",
    "OrchestrationParameter",
    "TokenAnswer",
    "UserInfo",
    "converter",
    "structure_answer",
]


@attrs.frozen(kw_only=True)
class UserInfo:
    """``userInfo`` of a token answer: the session token and the user's formats."""

    token: Secret = attrs.field(repr=False)
    date_format: str = wire_field("dateFormat", default="")
    date_separator: str = wire_field("dateSeperator", default="/")  # sic: AIS's spelling
    simple_date_format: str = wire_field("simpleDateFormat", default="")
    decimal_format: str = wire_field("decimalFormat", default=".")
    time_format: str = wire_field("timeFormat", default="")
    locale: str = ""
    lang_pref: str = wire_field("langPref", default="")
    address_number: int | None = wire_field("addressNumber", default=None)
    alpha_name: str = wire_field("alphaName", default="")
    apps_release: str = wire_field("appsRelease", default="")
    time_zone_offset: str = wire_field("timeZoneOffset", default="")
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class TokenAnswer:
    """The answer of ``POST /jderest/v2/tokenrequest``."""

    user_info: UserInfo = wire_field("userInfo")
    username: str = ""
    environment: str = ""
    role: str = ""
    jasserver: str = ""
    ais_session_cookie: Secret | None = wire_field("aisSessionCookie", default=None, repr=False)
    password_about_to_expire: bool = wire_field("passwordAboutToExpire", default=False)
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class OrchestrationParameter:
    """One input or output of a discovered orchestration.

    Attributes:
        name: The input's or output's name.
        type: Its type as discovery says (``"String"``, ``"Numeric"``...), when it says.
        extra: Every other key the server sent.
    """

    name: str
    type: str = ""
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class DiscoveredOrchestration:
    """One orchestration in a discovery answer (``GET /jderest/discover``).

    Attributes:
        name: The orchestration's name.
        description: What it does.
        input_format: ``"Generic"``, ``"JDE Standard"`` or ``"Oracle Cloud IoT"``.
        inputs: Its inputs.
        outputs: Its outputs (when the server lists them).
        version: Its version (``"v3"``...), when listed.
        extra: Every other key the server sent.
    """

    name: str
    description: str = ""
    input_format: str = wire_field("inputFormat", default="")
    inputs: tuple[OrchestrationParameter, ...] = ()
    outputs: tuple[OrchestrationParameter, ...] = ()
    version: str = ""
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)


def _secret(value: object, _type: object) -> Secret:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    remember_secret(value)
    return Secret(value)


def _build() -> cattrs.Converter:
    built = make_converter()
    built.register_structure_hook(Secret, _secret)
    built.register_structure_hook(
        Secret | None, lambda value, _type: None if value in (None, "") else _secret(value, Secret)
    )
    return built


converter: Final = _build()


def structure_answer(data: object, cls: type[T], *, what: str) -> T:
    """Structure an AIS answer into ``cls``; a shape mismatch is an :class:`AisUnexpectedResponseError`."""
    return structure(converter, data, cls, what=what, error=AisUnexpectedResponseError)
