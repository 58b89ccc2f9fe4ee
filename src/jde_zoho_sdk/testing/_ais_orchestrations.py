"""The orchestration machinery of the AIS emulator: calls, failures, settings, UDC lists, write helpers.

Each orchestration is a Python callable taking an :class:`OrchestrationCall` and returning its outputs. A
business error is raised as :class:`OrchestrationFailure`; the emulator answers it in the documented
ERROR shape (form errors nested under ``message``, ``jde__status: "ERROR"``). The error codes the
built-ins use are the emulator's own choice (UNCONFIRMED against a real system); their shape is Oracle's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

import attrs

from jde_zoho_sdk.testing._ais_schema import ColumnRuleError
from jde_zoho_sdk.testing._ais_store import Tables

__all__ = [
    "DEFAULT_UDC",
    "FormErrorSpec",
    "OrchestrationCall",
    "OrchestrationFailure",
    "OrchestrationHandler",
    "Registration",
    "Run",
    "Settings",
    "as_int",
    "form_error",
]

DEFAULT_UDC: Final[Mapping[str, frozenset[str]]] = {
    "search_types": frozenset({"C", "V", "E", "O", "X", "DL", "D", "R", "SG", "F", "P"}),
    "payment_terms": frozenset(
        {"", "N10", "N15", "N30", "N45", "N60", "N90", "DUE", "COD", "PRE", "2N1", "001"}
    ),
    "currencies": frozenset({"", "USD", "CAD", "EUR", "GBP", "MXN", "JPY", "AUD", "CHF", "CNY"}),
    "hold_codes": frozenset({"", "C1", "C2", "CH", "PH", "H1", "NP"}),
    "payment_hold_codes": frozenset({"", "N", "Y", "A", "H"}),
    "states": frozenset(
        {"", "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA"}
        | {"KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM"}
        | {"NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA"}
        | {"WV", "WI", "WY", "ON", "QC", "BC", "AB", "NL", "JAL", "CMX"}
    ),
    "countries": frozenset(
        {"", "US", "CA", "MX", "GB", "DE", "FR", "NL", "IT", "ES", "AU", "JP", "CN", "BR"}
    ),
}
"""UDC value lists of the emulator (payment terms, currencies, hold codes 42/HC, states 00/S...)."""

_UDC_OF: Final = {
    "SearchType": ("search_types", "01/ST"),
    "State": ("states", "00/S"),
    "Country": ("countries", "00/CN"),
    "PaymentTerms": ("payment_terms", "00/PT"),
    "PaymentTermsAP": ("payment_terms", "00/PT"),
    "Currency": ("currencies", "00/CR"),
    "HoldCode": ("hold_codes", "42/HC"),
    "HoldPaymentCode": ("payment_hold_codes", "H01/HD"),
}

_PROGRAM: Final = {
    "F0101": "EP01012",
    "F0111": "EP0111",
    "F0116": "EP01012",
    "F01151": "EP01111",
    "F0115": "EP0115",
    "F03012": "EP03013",
    "F0401": "EP04012",
}


@attrs.frozen(kw_only=True)
class FormErrorSpec:
    """One form error of a failed orchestration (``CODE``, ``TITLE``, ``DESC``).

    Attributes:
        code: The JD Edwards error code (``"0001"``).
        title: The short message (``"Error: Branch Plant Invalid"``).
        description: The long explanation.
    """

    code: str
    title: str
    description: str = ""


class OrchestrationFailure(Exception):  # noqa: N818 - it is what the orchestration reports, not a bug
    """Raised by an orchestration callable for a business error (answered in the ERROR shape).

    Args:
        *errors: The form errors.
        step: The failing step's name.
        form: The form that reported them (``"fs_P01012_W01012A"``).
    """

    def __init__(self, *errors: FormErrorSpec, step: str = "Step1", form: str = "fs_P01012_W01012A") -> None:
        super().__init__("; ".join(error.title for error in errors))
        self.errors = errors
        self.step = step
        self.form = form


@attrs.frozen(kw_only=True)
class Settings:
    """What the built-in orchestrations need to know about the emulated system."""

    customer_search_type: str
    supplier_search_type: str
    external_reference_column: str
    contact_reference_column: str
    udc: Mapping[str, frozenset[str]]
    company: str = "00000"


@attrs.frozen(kw_only=True)
class OrchestrationCall:
    """One run of an orchestration.

    Attributes:
        name: The orchestration.
        inputs: Its inputs (the JSON body for Generic; name/value pairs flattened for JDE Standard).
        username: The session's user.
        tables: The emulator's tables.
        settings: The emulator's settings.
    """

    name: str
    inputs: Mapping[str, object]
    username: str
    tables: Tables
    settings: Settings


OrchestrationHandler = Callable[[OrchestrationCall], Mapping[str, object]]
"""An emulated orchestration: takes the call, returns the outputs or raises :class:`OrchestrationFailure`."""


@attrs.frozen(kw_only=True)
class Registration:
    """An orchestration known to the emulator, with what discovery says about it."""

    name: str
    handler: OrchestrationHandler
    description: str = ""
    input_format: str = "Generic"
    inputs: tuple[tuple[str, str], ...] = ()
    outputs: tuple[tuple[str, str], ...] = ()


def as_int(value: object) -> int:
    """A stored whole number as ``int``."""
    if isinstance(value, int | Decimal | str):
        return int(value)
    raise TypeError(f"{value!r} is not a whole number")


def form_error(code: str, title: str, cause: str) -> FormErrorSpec:
    """A form error in JD Edwards' style (``Error: ...`` title, ``CAUSE . . . .`` description)."""
    return FormErrorSpec(code=code, title=f"Error: {title}", description=f"{cause}")


class Run:
    """Helpers over one call: typed inputs, validation, and stamped writes."""

    def __init__(self, call: OrchestrationCall, form: str) -> None:
        self.call = call
        self.inputs = call.inputs
        self.tables = call.tables
        self.settings = call.settings
        self.form = form

    def fail(self, *errors: FormErrorSpec) -> OrchestrationFailure:
        return OrchestrationFailure(*errors, step=f"{self.call.name}_Step1", form=self.form)

    def text(self, name: str) -> str | None:
        value = self.inputs.get(name)
        if name not in self.inputs or value is None:
            return None
        return format(value, "f") if isinstance(value, Decimal) else str(value).strip()

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise self.fail(form_error("0001", f"{name} is required", f"{name} was not entered."))
        return value

    def number(self, name: str, *, required: bool = False) -> int | None:
        text = self.required(name) if required else self.text(name)
        if text is None or text == "":
            return None
        try:
            return int(Decimal(text))
        except InvalidOperation:
            raise self.fail(form_error("0003", f"{name} is not a number", f"{text!r}.")) from None

    def check_udc(self) -> None:
        problems = []
        for name, (list_name, udc) in _UDC_OF.items():
            value = self.text(name)
            allowed = self.settings.udc.get(list_name)
            if value is not None and allowed is not None and value.upper() not in allowed and value != "":
                problems.append(
                    form_error(
                        "0004",
                        f"{name} '{value}' is not in UDC {udc}",
                        f"{value} not in {udc}.",
                    )
                )
        if "CreditLimit" in self.inputs and self.text("CreditLimit"):
            try:
                Decimal(self.text("CreditLimit") or "0")
            except InvalidOperation:
                problems.append(form_error("0003", "CreditLimit is not a number", "not numeric."))
        if problems:
            raise self.fail(*problems)

    def changes(self, fields: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, object]]:
        out: dict[str, dict[str, object]] = {}
        for name, (table, column) in fields.items():
            if name in self.inputs:
                out.setdefault(table, {})[column] = self.text(name) or ""
        return out

    def audit(self, table: str) -> dict[str, object]:
        return {"USER": self.call.username, "PID": _PROGRAM.get(table, "EP01012"), "JOBN": "AIS"}

    def upsert(self, table: str, key: Mapping[str, object], changes: Mapping[str, object]) -> None:
        try:
            current = self.tables.get(table, key)
            if current is None:
                self.tables.insert(table, {**key, **changes, **self.audit(table)})
                return
            column_of = self.tables.table(table).definition.columns
            if any(column_of[alias].coerce(value) != current[alias] for alias, value in changes.items()):
                self.tables.update(table, key, {**changes, **self.audit(table)})
        except ColumnRuleError as bad:
            raise self.fail(form_error("0003", str(bad), "the value does not fit the column.")) from None

    def address_number(self) -> int:
        an8 = self.number("AddressNumber", required=True) or 0
        if self.tables.get("F0101", {"AN8": an8}) is None:
            raise self.fail(form_error("0002", f"Address Number {an8} Invalid", "no F0101 record."))
        return an8

    def contact_lines(self, an8: int, line: int) -> None:
        email = self.text("Email")
        if email is not None:
            self.upsert("F01151", {"AN8": an8, "IDLN": line, "RCK7": 1}, {"ETP": "E", "EMAL": email})
        if "PhoneNumber" in self.inputs or "PhoneAreaCode" in self.inputs:
            phone = {"PHTP": ""}
            if "PhoneAreaCode" in self.inputs:
                phone["AR1"] = self.text("PhoneAreaCode") or ""
            if "PhoneNumber" in self.inputs:
                phone["PH1"] = self.text("PhoneNumber") or ""
            self.upsert("F0115", {"AN8": an8, "IDLN": line, "RCK7": 1}, phone)
        if "MobileNumber" in self.inputs or "MobileAreaCode" in self.inputs:
            mobile = {"PHTP": "CAR"}
            if "MobileAreaCode" in self.inputs:
                mobile["AR1"] = self.text("MobileAreaCode") or ""
            if "MobileNumber" in self.inputs:
                mobile["PH1"] = self.text("MobileNumber") or ""
            self.upsert("F0115", {"AN8": an8, "IDLN": line, "RCK7": 2}, mobile)
