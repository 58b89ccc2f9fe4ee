"""Calling named orchestrations (``POST /jderest/v3/orchestrator/{name}``) and reading their answers.

An orchestration answers its outputs plus the ``jde__*`` trailer (``jde__status``, ``jde__startTimestamp``,
``jde__endTimestamp``, ``jde__serverExecutionSeconds``, optionally ``jde__simpleMessage``). A business
failure answers ``jde__status: "ERROR"`` with the form errors of the failing step nested in ``message``;
that is an :class:`~jde_zoho_sdk.jde.errors.OrchestrationError` whatever the HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal
from urllib.parse import quote

import attrs
import httpx

from jde_zoho_sdk._redact import redact_json
from jde_zoho_sdk.jde._convert import DiscoveredOrchestration, structure_answer
from jde_zoho_sdk.jde.errors import (
    AisUnexpectedResponseError,
    OrchestrationError,
    error_from_response,
    iter_form_errors,
    loads,
)

__all__ = [
    "InputFormat",
    "OrchestrationResult",
    "build_orchestration_body",
    "parse_discovery",
    "parse_orchestration_answer",
]

InputFormat = Literal["generic", "jde_standard"]
"""An orchestration's input format: ``"generic"`` (flat JSON) or ``"jde_standard"`` (``inputs`` list)."""

_TRAILER: Final = "jde__"


@attrs.frozen(kw_only=True)
class OrchestrationResult:
    """The answer of a successful orchestration.

    Attributes:
        name: The orchestration's name.
        outputs: Its outputs (every key but the ``jde__*`` trailer), numbers with a fraction as ``Decimal``.
        status: ``jde__status`` (``"SUCCESS"``, or ``"WARNING"``), ``""`` when not sent.
        started_at: ``jde__startTimestamp``.
        ended_at: ``jde__endTimestamp``.
        server_seconds: ``jde__serverExecutionSeconds``.
        simple_message: ``jde__simpleMessage``, when sent.
        http_status: The HTTP status.

    Example:
        >>> result = parse_orchestration_answer("JZ_CreateCustomer", 200, b'{"AddressNumber": 4242}')
        >>> result["AddressNumber"]
        4242
    """

    name: str
    outputs: Mapping[str, object]
    status: str = ""
    started_at: datetime | None = None
    ended_at: datetime | None = None
    server_seconds: float | None = None
    simple_message: str = ""
    http_status: int = 200

    def __getitem__(self, key: str) -> object:
        return self.outputs[key]

    def get(self, key: str, default: object = None) -> object:
        """The output ``key``, or ``default``.

        Args:
            key: The output's name.
            default: What to return when the orchestration did not answer it.
        """
        return self.outputs.get(key, default)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent to AIS")
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be an orchestration input")


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def build_orchestration_body(inputs: Mapping[str, object], input_format: InputFormat) -> bytes:
    """Encode orchestration inputs.

    Args:
        inputs: Input names to values. For ``"jde_standard"``, a list of mappings becomes a
            ``detailInputs`` grid (``repeatingInputs``).
        input_format: ``"generic"`` (flat JSON, numbers stay numbers) or ``"jde_standard"``
            (``{"inputs": [{"name", "value"}]}``, values as text).

    Returns:
        The JSON body.

    Raises:
        ValueError: An unknown input format.
        TypeError: A value that cannot be sent.
    """
    if input_format == "generic":
        payload: object = dict(inputs)
    elif input_format == "jde_standard":
        scalars = [{"name": k, "value": _text(v)} for k, v in inputs.items() if not isinstance(v, list)]
        grids = [
            {
                "name": name,
                "repeatingInputs": [
                    {"inputs": [{"name": k, "value": _text(v)} for k, v in row.items()]}
                    for row in rows
                    if isinstance(row, Mapping)
                ],
            }
            for name, rows in inputs.items()
            if isinstance(rows, list)
        ]
        payload = {"inputs": scalars, **({"detailInputs": grids} if grids else {})}
    else:
        raise ValueError(f"input_format must be 'generic' or 'jde_standard', not {input_format!r}")
    return json.dumps(payload, default=_json_default, separators=(",", ":"), ensure_ascii=False).encode()


def orchestration_path(name: str) -> str:
    """The v3 path of an orchestration."""
    if not name.strip():
        raise ValueError("an orchestration name is required")
    return f"/jderest/v3/orchestrator/{quote(name.strip(), safe='')}"


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    # fromisoformat (in C) reads what AIS sends (2026-02-01T10:15:30.123-0600) as the patterns do, at a
    # twentieth of strptime's cost (two per orchestration call); the patterns stay for what it refuses.
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def _seconds(value: object) -> float | None:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    return None


def parse_orchestration_answer(
    name: str, status: int, content: bytes, *, response: httpx.Response | None = None
) -> OrchestrationResult:
    """Read an orchestration answer.

    Args:
        name: The orchestration's name.
        status: The HTTP status.
        content: The body.
        response: The whole answer, for error details (method, redacted URL).

    Returns:
        The result of a successful run.

    Raises:
        OrchestrationError: ``jde__status`` is ``"ERROR"`` (whatever the HTTP status).
        AisApiError: Any other error answer (invalid session, permission, server failure...).
        AisUnexpectedResponseError: A 200 answer that is not a JSON object.
    """
    try:
        body = loads(content) if content else {}
    except ValueError:
        body = None
    if isinstance(body, Mapping) and body.get("jde__status") == "ERROR":
        form_errors = tuple(iter_form_errors(body))
        simple = body.get("jde__simpleMessage")
        simple_text = simple if isinstance(simple, str) else ""
        message = body.get("message")
        reason = simple_text or "; ".join(e.title for e in form_errors if e.title)
        if not reason and isinstance(message, str):
            reason = message
        exception_id = body.get("exceptionId")
        details = redact_json(dict(body))
        request = response.request if response is not None else None
        reason = reason or "no reason given"
        raise OrchestrationError(
            reason if name in reason else f"orchestration {name} failed: {reason}",
            orchestration=name,
            form_errors=form_errors,
            simple_message=simple_text,
            exception_id=exception_id if isinstance(exception_id, str) else "",
            status=status,
            details=details if isinstance(details, Mapping) else None,
            method=request.method if request is not None else "POST",
            url=str(request.url.copy_with(query=None)) if request is not None else "",
        )
    if status != 200:
        if response is None:
            raise AisUnexpectedResponseError(f"orchestration {name} answered HTTP {status}", status=status)
        raise error_from_response(response, what=f"orchestration {name}")
    if not isinstance(body, Mapping):
        raise AisUnexpectedResponseError(f"orchestration {name}: the answer is not JSON", status=status)
    trailer = {key: value for key, value in body.items() if key.startswith(_TRAILER)}
    state = trailer.get("jde__status")
    simple = trailer.get("jde__simpleMessage")
    return OrchestrationResult(
        name=name,
        outputs={key: value for key, value in body.items() if not key.startswith(_TRAILER)},
        status=state if isinstance(state, str) else "",
        started_at=_timestamp(trailer.get("jde__startTimestamp")),
        ended_at=_timestamp(trailer.get("jde__endTimestamp")),
        server_seconds=_seconds(trailer.get("jde__serverExecutionSeconds")),
        simple_message=simple if isinstance(simple, str) else "",
        http_status=status,
    )


def parse_discovery(content: bytes) -> tuple[DiscoveredOrchestration, ...]:
    """Read a discovery answer: ``{"orchestrations": [...]}``, a list, or one orchestration object.

    Raises:
        AisUnexpectedResponseError: The answer has none of these shapes.
    """
    try:
        body = loads(content)
    except ValueError:
        raise AisUnexpectedResponseError("discovery: the answer is not JSON") from None
    if isinstance(body, Mapping) and "orchestrations" in body:
        body = body["orchestrations"]
    items = body if isinstance(body, list) else [body]
    return tuple(structure_answer(item, DiscoveredOrchestration, what="AIS discovery") for item in items)
