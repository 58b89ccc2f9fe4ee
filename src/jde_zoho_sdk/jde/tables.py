# ruff: noqa: RUF009 - column declarations are attrs fields, like attrs.field itself
"""Typed rows of the JD Edwards tables the sync reads: F0101, F0111, F0116, F01151, F0115, F03012, F0401.

Each model is a frozen attrs class with Python names for the columns (``address_number`` for AN8) and
keeps the :class:`~jde_zoho_sdk.jde.rows.Row` it was built from in ``raw``, so a column the model does not
name is still one lookup away (``customer.raw["AC02"]``). Text is stripped of JDE's trailing blanks,
numbers are ``int``, amounts ``Decimal``, dates ``date`` (``None`` when blank), and ``updated_at`` is the
UTC instant of UPMJ+UPMT read in the JDE server's zone (the earlier reading in the repeated autumn hour).

Column names and lengths: Oracle JD Edwards table references (erpref.com, schema 9.2) and the Oracle
batch-interface field lists; see ``docs/jde-orchestrations.md`` for the columns the sync writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import ClassVar, Final

import attrs

from jde_zoho_sdk.jde.columns import TableRow, amount_column, date_column, number_column, text_column

__all__ = [
    "F0101",
    "F0111",
    "F0115",
    "F01151",
    "F0116",
    "F03012",
    "F0401",
    "TABLE_KEYS",
    "TableRow",
    "amount_column",
    "date_column",
    "number_column",
    "text_column",
]


@attrs.frozen(kw_only=True)
class F0101(TableRow):
    """Address Book Master (prefix AB): one record per customer, supplier, company, person...

    Attributes:
        address_number: AN8, the key.
        long_address_number: ALKY, a second unique key (holds the external reference of records the sync
            creates).
        tax_id: TAX.
        alpha_name: ALPH, the name.
        compressed_description: DC, the name compressed for word search.
        business_unit: MCU.
        search_type: AT1 (UDC 01/ST; C customer and V supplier by convention).
        industry_classification: SIC.
        language: LNGP.
        credit_message: CM (UDC 00/CM).
        person_corporation: TAXC.
        payables: ATP (Y supplier, N not...).
        receivables: ATR.
        additional_tax_id: TX2.
        category_code_01: AC01..AC30 are ``category_code_01``..``category_code_30`` (UDC 01/01..01/30).
    """

    TABLE: ClassVar[str] = "F0101"
    KEYS: ClassVar[tuple[str, ...]] = ("AN8",)

    address_number: int = number_column("AN8")
    long_address_number: str = text_column("ALKY")
    tax_id: str = text_column("TAX")
    alpha_name: str = text_column("ALPH")
    compressed_description: str = text_column("DC")
    business_unit: str = text_column("MCU")
    search_type: str = text_column("AT1")
    industry_classification: str = text_column("SIC")
    language: str = text_column("LNGP")
    credit_message: str = text_column("CM")
    person_corporation: str = text_column("TAXC")
    payables: str = text_column("ATP")
    receivables: str = text_column("ATR")
    additional_tax_id: str = text_column("TX2")
    category_code_01: str = text_column("AC01")
    category_code_02: str = text_column("AC02")
    category_code_03: str = text_column("AC03")
    category_code_04: str = text_column("AC04")
    category_code_05: str = text_column("AC05")
    category_code_06: str = text_column("AC06")
    category_code_07: str = text_column("AC07")
    category_code_08: str = text_column("AC08")
    category_code_09: str = text_column("AC09")
    category_code_10: str = text_column("AC10")
    category_code_11: str = text_column("AC11")
    category_code_12: str = text_column("AC12")
    category_code_13: str = text_column("AC13")
    category_code_14: str = text_column("AC14")
    category_code_15: str = text_column("AC15")
    category_code_16: str = text_column("AC16")
    category_code_17: str = text_column("AC17")
    category_code_18: str = text_column("AC18")
    category_code_19: str = text_column("AC19")
    category_code_20: str = text_column("AC20")
    category_code_21: str = text_column("AC21")
    category_code_22: str = text_column("AC22")
    category_code_23: str = text_column("AC23")
    category_code_24: str = text_column("AC24")
    category_code_25: str = text_column("AC25")
    category_code_26: str = text_column("AC26")
    category_code_27: str = text_column("AC27")
    category_code_28: str = text_column("AC28")
    category_code_29: str = text_column("AC29")
    category_code_30: str = text_column("AC30")


@attrs.frozen(kw_only=True)
class F0111(TableRow):
    """Address Book - Who's Who (prefix WW): the people (lines) of an address book record.

    Line 0 is the entity itself (its mailing name); lines 1.. are its contact people.

    Attributes:
        address_number: AN8, first key.
        line_number: IDLN, second key.
        display_sequence: DSS5.
        mailing_name: MLNM (40).
        contact_title: ATTL (40), the professional title.
        remark: REM1 (40), free text not shown on Address Book forms (holds the external reference of
            contacts the sync creates).
        salutation: SLNM (40).
        alpha_name: ALPH (40).
        given_name: GNNM (25).
        middle_name: MDNM (25).
        surname: SRNM (25).
        type_code: TYC (1): A attention, B billing, C contact, E emergency, O other...
        contact_type: NTYP (3, UDC 01/CT).
        nickname: NICK (40).
        gender: GEND (1).
        category_code_01: W001..W010 are ``category_code_01``..``category_code_10`` (UDC 01/W1..01/WT).
    """

    TABLE: ClassVar[str] = "F0111"
    KEYS: ClassVar[tuple[str, ...]] = ("AN8", "IDLN")

    address_number: int = number_column("AN8")
    line_number: int = number_column("IDLN")
    display_sequence: int = number_column("DSS5")
    mailing_name: str = text_column("MLNM")
    contact_title: str = text_column("ATTL")
    remark: str = text_column("REM1")
    salutation: str = text_column("SLNM")
    alpha_name: str = text_column("ALPH")
    given_name: str = text_column("GNNM")
    middle_name: str = text_column("MDNM")
    surname: str = text_column("SRNM")
    type_code: str = text_column("TYC")
    contact_type: str = text_column("NTYP")
    nickname: str = text_column("NICK")
    gender: str = text_column("GEND")
    category_code_01: str = text_column("W001")
    category_code_02: str = text_column("W002")
    category_code_03: str = text_column("W003")
    category_code_04: str = text_column("W004")
    category_code_05: str = text_column("W005")
    category_code_06: str = text_column("W006")
    category_code_07: str = text_column("W007")
    category_code_08: str = text_column("W008")
    category_code_09: str = text_column("W009")
    category_code_10: str = text_column("W010")


@attrs.frozen(kw_only=True)
class F0116(TableRow):
    """Address by Date (prefix AL): postal addresses, by effective date when date-effective addresses are on.

    Attributes:
        address_number: AN8, first key.
        effective_date: EFTB, second key (None when blank).
        address_line_1: ADD1 (40); ``address_line_2``..``address_line_4`` are ADD2..ADD4.
        postal_code: ADDZ (12).
        city: CTY1 (25).
        county: COUN.
        state: ADDS (UDC 00/S).
        country: CTR (UDC 00/CN).
    """

    TABLE: ClassVar[str] = "F0116"
    KEYS: ClassVar[tuple[str, ...]] = ("AN8", "EFTB")

    address_number: int = number_column("AN8")
    effective_date: date | None = date_column("EFTB")
    address_line_1: str = text_column("ADD1")
    address_line_2: str = text_column("ADD2")
    address_line_3: str = text_column("ADD3")
    address_line_4: str = text_column("ADD4")
    postal_code: str = text_column("ADDZ")
    city: str = text_column("CTY1")
    county: str = text_column("COUN")
    state: str = text_column("ADDS")
    country: str = text_column("CTR")


@attrs.frozen(kw_only=True)
class F01151(TableRow):
    """Electronic Address (prefix EA): e-mail and web addresses of a who's who line.

    Attributes:
        address_number: AN8, first key.
        line_number: IDLN (who's who line; 0 = the entity), second key.
        sequence: RCK7, third key.
        address_type: ETP (UDC 01/ET: E e-mail, I internet...).
        address: EMAL (256).
    """

    TABLE: ClassVar[str] = "F01151"
    KEYS: ClassVar[tuple[str, ...]] = ("AN8", "IDLN", "RCK7")

    address_number: int = number_column("AN8")
    line_number: int = number_column("IDLN")
    sequence: int = number_column("RCK7")
    address_type: str = text_column("ETP")
    address: str = text_column("EMAL")


@attrs.frozen(kw_only=True)
class F0115(TableRow):
    """Address Book - Phone Numbers (prefix WP).

    Attributes:
        address_number: AN8, first key.
        line_number: IDLN, second key.
        sequence: RCK7, third key.
        phone_type: PHTP (UDC 01/PH: blank business, CAR mobile, FAX, HOM...).
        area_code: AR1 (6).
        phone_number: PH1 (20).
    """

    TABLE: ClassVar[str] = "F0115"
    KEYS: ClassVar[tuple[str, ...]] = ("AN8", "IDLN", "RCK7")

    address_number: int = number_column("AN8")
    line_number: int = number_column("IDLN")
    sequence: int = number_column("RCK7")
    phone_type: str = text_column("PHTP")
    area_code: str = text_column("AR1")
    phone_number: str = text_column("PH1")


@attrs.frozen(kw_only=True)
class F03012(TableRow):
    """Customer Master by Line of Business (prefix AI): a customer's terms per company.

    Attributes:
        address_number: AN8, first key.
        company: CO, second key.
        credit_limit: ACL (stored without decimals).
        hold_invoices: HDAR.
        payment_terms: TRAR (A/R payment terms).
        currency: CRCD.
        tax_area: TXA1.
        tax_explanation: EXR1.
        ar_class: ARC (G/L offset).
        price_group: CPGP (UDC 40/PC).
        hold_code: HOLD (UDC 42/HC; blank = not on hold).
        category_code_01: AC01.
    """

    TABLE: ClassVar[str] = "F03012"
    KEYS: ClassVar[tuple[str, ...]] = ("AN8", "CO")

    address_number: int = number_column("AN8")
    company: str = text_column("CO")
    credit_limit: Decimal = amount_column("ACL")
    hold_invoices: str = text_column("HDAR")
    payment_terms: str = text_column("TRAR")
    currency: str = text_column("CRCD")
    tax_area: str = text_column("TXA1")
    tax_explanation: str = text_column("EXR1")
    ar_class: str = text_column("ARC")
    price_group: str = text_column("CPGP")
    hold_code: str = text_column("HOLD")
    category_code_01: str = text_column("AC01")


@attrs.frozen(kw_only=True)
class F0401(TableRow):
    """Supplier Master (prefix A6).

    Attributes:
        address_number: AN8, the key.
        payment_terms: TRAP (A/P payment terms).
        hold_payment_code: HDPY (UDC H01/HD).
        currency: CRRP.
        tax_area: TXA2.
        tax_explanation: EXR2.
        price_group: CPGP.
    """

    TABLE: ClassVar[str] = "F0401"
    KEYS: ClassVar[tuple[str, ...]] = ("AN8",)

    address_number: int = number_column("AN8")
    payment_terms: str = text_column("TRAP")
    hold_payment_code: str = text_column("HDPY")
    currency: str = text_column("CRRP")
    tax_area: str = text_column("TXA2")
    tax_explanation: str = text_column("EXR2")
    price_group: str = text_column("CPGP")


TABLE_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    model.TABLE: model.KEYS for model in (F0101, F0111, F0116, F01151, F0115, F03012, F0401)
}
"""The primary key columns of the tables above, in key order (used to page in key order)."""
