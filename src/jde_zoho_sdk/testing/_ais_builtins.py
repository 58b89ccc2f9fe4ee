"""The orchestrations built into the AIS emulator: the contract of ``docs/jde-orchestrations.md``.

Creates are idempotent on the external reference (F0101.ALKY by default for customers and suppliers,
F0111.REM1 for contacts): a repeated create answers the existing keys with ``Existing: true`` and writes
nothing. Updates leave absent inputs unchanged and clear a column given as ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from jde_zoho_sdk.testing._ais_orchestrations import OrchestrationCall, Registration, Run, as_int, form_error

__all__ = ["BUILT_INS"]

_ENTITY: Final = {
    "AlphaName": ("F0101", "ALPH"),
    "TaxId": ("F0101", "TAX"),
    "SearchType": ("F0101", "AT1"),
    "CategoryCode01": ("F0101", "AC01"),
    "MailingName": ("F0111", "MLNM"),
    "AddressLine1": ("F0116", "ADD1"),
    "AddressLine2": ("F0116", "ADD2"),
    "AddressLine3": ("F0116", "ADD3"),
    "AddressLine4": ("F0116", "ADD4"),
    "City": ("F0116", "CTY1"),
    "State": ("F0116", "ADDS"),
    "PostalCode": ("F0116", "ADDZ"),
    "Country": ("F0116", "CTR"),
}
_CUSTOMER: Final = {
    "CreditLimit": ("F03012", "ACL"),
    "PaymentTerms": ("F03012", "TRAR"),
    "Currency": ("F03012", "CRCD"),
    "HoldCode": ("F03012", "HOLD"),
}
_SUPPLIER: Final = {
    "PaymentTermsAP": ("F0401", "TRAP"),
    "Currency": ("F0401", "CRRP"),
    "HoldPaymentCode": ("F0401", "HDPY"),
}
_CONTACT: Final = {
    "GivenName": ("F0111", "GNNM"),
    "MiddleName": ("F0111", "MDNM"),
    "Surname": ("F0111", "SRNM"),
    "MailingName": ("F0111", "MLNM"),
    "ContactTitle": ("F0111", "ATTL"),
    "ContactType": ("F0111", "TYC"),
}
_FORMS: Final = {
    "customer": "fs_P03013_W03013B",
    "supplier": "fs_P04012_W04012B",
    "contact": "fs_P0111_W0111A",
}


def _existing_entity(run: Run, reference: str) -> int | None:
    column = run.settings.external_reference_column
    stored = run.tables.table("F0101").definition.columns[column].coerce(reference)
    for row in run.tables.rows("F0101", **{column: stored}):
        return as_int(row["AN8"])
    return None


def _current_address(run: Run, an8: int) -> object:
    """The effective date (EFTB) of the address in force today: the latest not after today.

    The Address Book MBF updates the current address when no effective date is given (with date-effective
    addresses off, the only row has a blank EFTB); a new row is added only for a record without one.
    """
    today = run.tables.stamp()[0]
    dated = [row["EFTB"] for row in run.tables.rows("F0116", AN8=an8)]
    in_force = [day for day in dated if day is None or day <= today]  # type: ignore[operator]
    if not in_force:
        return None
    return max(in_force, key=lambda day: (day is not None, day))


def _write_entity(
    run: Run, an8: int, master: Mapping[str, tuple[str, str]], master_key: Mapping[str, object]
) -> None:
    changes = run.changes({**_ENTITY, **master})
    if "F0101" in changes:
        run.upsert("F0101", {"AN8": an8}, changes["F0101"])
    if "F0111" in changes:
        run.upsert("F0111", {"AN8": an8, "IDLN": 0}, changes["F0111"])
    if "F0116" in changes:
        run.upsert("F0116", {"AN8": an8, "EFTB": _current_address(run, an8)}, changes["F0116"])
    master_table = next(iter({table for table, _ in master.values()}))
    if master_table in changes:
        run.upsert(master_table, {"AN8": an8, **master_key}, changes[master_table])
    run.contact_lines(an8, 0)


def _create_entity(call: OrchestrationCall, *, supplier: bool) -> Mapping[str, object]:
    run = Run(call, _FORMS["supplier" if supplier else "customer"])
    reference = run.required("ExternalReference")
    alpha = run.required("AlphaName")
    run.check_udc()
    existing = _existing_entity(run, reference)
    if existing is not None:
        return {"AddressNumber": existing, "Existing": True}
    an8 = run.tables.next_number("AN8")
    settings = run.settings
    search_type = run.text("SearchType") or (
        settings.supplier_search_type if supplier else settings.customer_search_type
    )
    run.upsert(
        "F0101",
        {"AN8": an8},
        {settings.external_reference_column: reference, "ALPH": alpha, "AT1": search_type}
        | ({"ATP": "Y"} if supplier else {"ATR": "Y"}),
    )
    run.upsert("F0111", {"AN8": an8, "IDLN": 0}, {"MLNM": run.text("MailingName") or alpha, "ALPH": alpha})
    run.upsert("F0116", {"AN8": an8, "EFTB": None}, {})
    master = _SUPPLIER if supplier else _CUSTOMER
    key = {} if supplier else {"CO": run.text("Company") or settings.company}
    run.upsert("F0401" if supplier else "F03012", {"AN8": an8, **key}, {})
    _write_entity(run, an8, master, key)
    return {"AddressNumber": an8, "Existing": False}


def _update_entity(call: OrchestrationCall, *, supplier: bool) -> Mapping[str, object]:
    run = Run(call, _FORMS["supplier" if supplier else "customer"])
    an8 = run.address_number()
    run.check_udc()
    key = {} if supplier else {"CO": run.text("Company") or run.settings.company}
    _write_entity(run, an8, _SUPPLIER if supplier else _CUSTOMER, key)
    return {"AddressNumber": an8}


def _contact_line(run: Run, an8: int) -> int:
    line = run.number("LineNumber", required=True) or 0
    if line < 1 or run.tables.get("F0111", {"AN8": an8, "IDLN": line}) is None:
        raise run.fail(form_error("0002", f"Who's Who Line {an8}-{line} Invalid", "no F0111 line."))
    return line


def create_contact(call: OrchestrationCall) -> Mapping[str, object]:
    """``JZ_CreateContact``: a who's who line with its e-mail and phones, idempotent on the reference."""
    run = Run(call, _FORMS["contact"])
    an8 = run.address_number()
    reference = run.required("ExternalReference")
    surname = run.required("Surname")
    column = run.settings.contact_reference_column
    stored = run.tables.table("F0111").definition.columns[column].coerce(reference)
    for row in run.tables.rows("F0111", AN8=an8, **{column: stored}):
        return {"AddressNumber": an8, "LineNumber": row["IDLN"], "Existing": True}
    lines = [as_int(row["IDLN"]) for row in run.tables.rows("F0111", AN8=an8)]
    line = max(lines, default=0) + 1
    given = run.text("GivenName") or ""
    fields = run.changes(_CONTACT).get("F0111", {})
    run.upsert(
        "F0111",
        {"AN8": an8, "IDLN": line},
        {"MLNM": " ".join(p for p in (given, surname) if p), "TYC": "C", **fields, column: reference},
    )
    run.contact_lines(an8, line)
    return {"AddressNumber": an8, "LineNumber": line, "Existing": False}


def update_contact(call: OrchestrationCall) -> Mapping[str, object]:
    """``JZ_UpdateContact``: change a who's who line; absent inputs are left as they are."""
    run = Run(call, _FORMS["contact"])
    an8 = run.address_number()
    line = _contact_line(run, an8)
    fields = run.changes(_CONTACT).get("F0111")
    if fields:
        run.upsert("F0111", {"AN8": an8, "IDLN": line}, fields)
    run.contact_lines(an8, line)
    return {"AddressNumber": an8, "LineNumber": line}


def flag_deleted(call: OrchestrationCall) -> Mapping[str, object]:
    """``JZ_FlagDeleted``: F0101.AC30 (or F0111.W010 for a contact line) set to ``DEL``."""
    run = Run(call, "fs_P01012_W01012A")
    an8 = run.address_number()
    if run.text("LineNumber"):
        line = _contact_line(run, an8)
        run.upsert("F0111", {"AN8": an8, "IDLN": line}, {"W010": "DEL"})
    else:
        run.upsert("F0101", {"AN8": an8}, {"AC30": "DEL"})
    return {"AddressNumber": an8}


_COMMON_IN: Final = (
    ("AlphaName", "String"),
    ("MailingName", "String"),
    ("TaxId", "String"),
    ("SearchType", "String"),
    ("CategoryCode01", "String"),
    *((f"AddressLine{n}", "String") for n in range(1, 5)),
    ("City", "String"),
    ("State", "String"),
    ("PostalCode", "String"),
    ("Country", "String"),
    ("Email", "String"),
    ("PhoneAreaCode", "String"),
    ("PhoneNumber", "String"),
    ("AuditId", "String"),
)
_CUSTOMER_IN: Final = (
    *_COMMON_IN,
    ("Company", "String"),
    ("CreditLimit", "Numeric"),
    ("PaymentTerms", "String"),
    ("Currency", "String"),
    ("HoldCode", "String"),
)
_SUPPLIER_IN: Final = (
    *_COMMON_IN,
    ("PaymentTermsAP", "String"),
    ("Currency", "String"),
    ("HoldPaymentCode", "String"),
)
_CONTACT_IN: Final = (
    *((name, "String") for name in ("GivenName", "MiddleName", "Surname", "MailingName", "ContactTitle")),
    *((name, "String") for name in ("ContactType", "Email", "PhoneAreaCode", "PhoneNumber")),
    *((name, "String") for name in ("MobileAreaCode", "MobileNumber")),
    ("AuditId", "String"),
)
_REF: Final = (("ExternalReference", "String"),)
_AN8_IN: Final = (("AddressNumber", "Numeric"),)
_LINE_IN: Final = (("LineNumber", "Numeric"),)
_CREATED: Final = (("AddressNumber", "Numeric"), ("Existing", "Boolean"))

BUILT_INS: Final = (
    Registration(
        name="JZ_CreateCustomer",
        handler=lambda call: _create_entity(call, supplier=False),
        description="Create a customer (F0101, F0111, F0116, F01151, F0115, F03012), idempotent",
        inputs=(*_REF, *_CUSTOMER_IN),
        outputs=_CREATED,
    ),
    Registration(
        name="JZ_UpdateCustomer",
        handler=lambda call: _update_entity(call, supplier=False),
        description="Update a customer; absent inputs are left unchanged",
        inputs=(*_AN8_IN, *_CUSTOMER_IN),
        outputs=_AN8_IN,
    ),
    Registration(
        name="JZ_CreateSupplier",
        handler=lambda call: _create_entity(call, supplier=True),
        description="Create a supplier (F0101, F0111, F0116, F01151, F0115, F0401), idempotent",
        inputs=(*_REF, *_SUPPLIER_IN),
        outputs=_CREATED,
    ),
    Registration(
        name="JZ_UpdateSupplier",
        handler=lambda call: _update_entity(call, supplier=True),
        description="Update a supplier; absent inputs are left unchanged",
        inputs=(*_AN8_IN, *_SUPPLIER_IN),
        outputs=_AN8_IN,
    ),
    Registration(
        name="JZ_CreateContact",
        handler=create_contact,
        description="Create a contact person (F0111 line, F01151, F0115); idempotent on ExternalReference",
        inputs=(*_AN8_IN, *_REF, *_CONTACT_IN),
        outputs=(*_AN8_IN, *_LINE_IN, ("Existing", "Boolean")),
    ),
    Registration(
        name="JZ_UpdateContact",
        handler=update_contact,
        description="Update a contact person; absent inputs are left unchanged",
        inputs=(*_AN8_IN, *_LINE_IN, *_CONTACT_IN),
        outputs=(*_AN8_IN, *_LINE_IN),
    ),
    Registration(
        name="JZ_FlagDeleted",
        handler=flag_deleted,
        description="Flag a record deleted in CRM (F0101.AC30 or F0111.W010 = DEL); deletes nothing",
        inputs=(*_AN8_IN, *_LINE_IN, ("Reason", "String"), ("AuditId", "String")),
        outputs=_AN8_IN,
    ),
)
"""The orchestrations of the sync contract."""
