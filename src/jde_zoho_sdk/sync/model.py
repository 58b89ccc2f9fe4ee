"""Canonical records and the sync's bookkeeping models: links, audit events, failures, queue items.

Canonical records (:class:`Customer`, :class:`ContactPerson`, :class:`Supplier`) are the neutral form both
systems are mapped to and from. Their fields are flat and typed (text is ``str``, ``""`` when empty; money is
``Decimal``), and ``extra`` holds the host's own canonical fields (see ``MappingConfig.custom_fields``), so a
custom field is diffed, merged and snapshotted like a built-in one.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, Final, TypeAlias, TypedDict, TypeVar

import attrs

from jde_zoho_sdk._redact import Secret

__all__ = [
    "AddressFields",
    "AuditAction",
    "AuditEvent",
    "Canonical",
    "ChannelState",
    "ContactPerson",
    "Customer",
    "Direction",
    "Entity",
    "Failure",
    "JdeAggregate",
    "Link",
    "Outcome",
    "PendingWrite",
    "QueuedChange",
    "Supplier",
    "canonical_from_values",
    "contact_key",
    "split_contact_key",
]

_NO_EXTRA: Final[Mapping[str, object]] = MappingProxyType({})
C = TypeVar("C", bound="_Canonical")


class AddressFields(TypedDict):
    """The canonical address fields shared by customers and suppliers."""

    address_line1: str
    address_line2: str
    address_line3: str
    address_line4: str
    city: str
    state: str
    postal_code: str
    country: str


class Entity(enum.StrEnum):
    """The kinds of record the sync keeps in agreement."""

    CUSTOMER = "customer"
    """A JDE customer (F0101 + F03012 ...) and a Zoho Account."""
    CONTACT = "contact"
    """A JDE who's who line (F0111 + F01151/F0115) and a Zoho Contact."""
    SUPPLIER = "supplier"
    """A JDE supplier (F0101 + F0401 ...) and a Zoho Vendor."""


class Direction(enum.StrEnum):
    """Which way a change flows."""

    JDE_TO_ZOHO = "jde_to_zoho"
    ZOHO_TO_JDE = "zoho_to_jde"


class AuditAction(enum.StrEnum):
    """What the sync did (or declined to do) to a record."""

    CREATE = "create"
    UPDATE = "update"
    LINK = "link"
    """An existing record on the other side was found (by key, tax id or email) and linked, not duplicated."""
    MERGE = "merge"
    """Both sides had changed: the fields were merged by owner policy."""
    DELETE = "delete"
    """A delete on one side was recorded; nothing was deleted on the other side."""
    SKIP = "skip"
    FAIL = "fail"


class Outcome(enum.StrEnum):
    """How an audited action ended."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


def _read_only(value: Mapping[str, object]) -> Mapping[str, object]:
    if not value and type(value) in (dict, MappingProxyType):
        return _NO_EXTRA  # nearly every record has no custom field: share one empty view
    return MappingProxyType(dict(value))


def _decimal_or_none(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


_FIELD_NAMES: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}


def _field_names(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
    """A class's built-in field names (``extra`` left out), as a tuple and as a set.

    Every comparison, merge and snapshot asks for a record's values: the class's fields are read once.
    """
    names = _FIELD_NAMES.get(cls)
    if names is None:
        ordered = tuple(a.name for a in attrs.fields(cls) if a.name != "extra")
        names = _FIELD_NAMES[cls] = (ordered, frozenset(ordered))
    return names


def _replace_fields(record: C, changes: Mapping[str, object]) -> C:
    """A copy of ``record`` with ``changes`` (as ``attrs.evolve``, without its per-call introspection).

    Args:
        record: A canonical record.
        changes: New values by attribute name (``extra`` included).
    """
    arguments: dict[str, Any] = {name: getattr(record, name) for name in _field_names(type(record))[0]}
    arguments["extra"] = record.extra
    arguments.update(changes)
    return type(record)(**arguments)


@attrs.frozen(kw_only=True)
class _Canonical:
    extra: Mapping[str, object] = attrs.field(default=_NO_EXTRA, converter=_read_only)

    entity: ClassVar[Entity]

    def values(self) -> dict[str, object]:
        """All canonical field values, built-in and custom (``extra``), in one flat mapping."""
        data = {name: getattr(self, name) for name in _field_names(type(self))[0]}
        if self.extra:
            data.update(self.extra)
        return data


@attrs.frozen(kw_only=True)
class _Party(_Canonical):
    """The fields customers and suppliers share (each documents them with its own Zoho field names)."""

    name: str
    tax_id: str = ""
    email: str = ""
    phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    address_line3: str = ""
    address_line4: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    payment_terms: str = ""
    currency: str = ""
    category: str = ""


@attrs.frozen(kw_only=True)
class Customer(_Party):
    """A customer: JDE address book + customer master <-> Zoho Account.

    Attributes:
        name: Alpha name (F0101.ALPH) / ``Account_Name``.
        tax_id: Tax id (F0101.TAX) / ``Tax_ID``.
        email: The entity's e-mail (F01151, line 0) / ``Email``; lower-cased.
        phone: Business phone (F0115 area code + number) / ``Phone``.
        address_line1: Address lines 1-4 (F0116.ADD1-4) / ``Billing_Street`` (joined by newlines).
        address_line2: See ``address_line1``.
        address_line3: See ``address_line1``.
        address_line4: See ``address_line1``.
        city: F0116.CTY1 / ``Billing_City``.
        state: F0116.ADDS / ``Billing_State``.
        postal_code: F0116.ADDZ / ``Billing_Code``.
        country: F0116.CTR / ``Billing_Country`` (JDE country code, mapped to Zoho's text by value map).
        credit_limit: F03012.ACL / ``Credit_Limit``.
        payment_terms: F03012.TRAR (JDE code) / ``Payment_Terms`` picklist.
        currency: F03012.CRCD / the org's currency field.
        credit_hold: F03012.HOLD not blank / ``Credit_Hold``.
        category: F0101.AC01 (JDE code) / ``Customer_Category`` picklist.
        extra: The host's own canonical fields.
    """

    entity: ClassVar[Entity] = Entity.CUSTOMER

    credit_limit: Decimal | None = attrs.field(default=None, converter=_decimal_or_none)
    credit_hold: bool = False


@attrs.frozen(kw_only=True)
class ContactPerson(_Canonical):
    """A contact person: JDE who's who line <-> Zoho Contact, hanging off a customer or supplier.

    Attributes:
        parent_address_number: The JDE address number of the customer (or supplier) the contact belongs to;
            the Zoho side holds the linked Account as ``Account_Name``.
        first_name: F0111.GNNM / ``First_Name``.
        last_name: F0111.SRNM / ``Last_Name``.
        title: F0111.ATTL / ``Title``.
        email: F01151 for the contact's line / ``Email``; lower-cased.
        phone: F0115 business phone for the line / ``Phone``.
        mobile: F0115 ``CAR`` phone for the line / ``Mobile``.
        extra: The host's own canonical fields.
    """

    entity: ClassVar[Entity] = Entity.CONTACT

    parent_address_number: int
    last_name: str
    first_name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""


@attrs.frozen(kw_only=True)
class Supplier(_Party):
    """A supplier: JDE address book + supplier master <-> Zoho Vendor.

    Attributes:
        name: F0101.ALPH / ``Vendor_Name``.
        tax_id: F0101.TAX / ``Tax_ID``.
        email: F01151 line 0 / ``Email``; lower-cased.
        phone: F0115 business phone / ``Phone``.
        address_line1: F0116.ADD1-4 / ``Street`` (joined by newlines).
        address_line2: See ``address_line1``.
        address_line3: See ``address_line1``.
        address_line4: See ``address_line1``.
        city: F0116.CTY1 / ``City``.
        state: F0116.ADDS / ``State``.
        postal_code: F0116.ADDZ / ``Zip_Code``.
        country: F0116.CTR / ``Country``.
        payment_terms: F0401.TRAP / ``Payment_Terms``.
        currency: F0401.CRRP / ``Currency``.
        payment_hold: F0401.HDPY not blank / ``Payment_Hold``.
        category: F0101.AC01 / ``Category``.
        extra: The host's own canonical fields.
    """

    entity: ClassVar[Entity] = Entity.SUPPLIER

    payment_hold: bool = False


Canonical: TypeAlias = Customer | ContactPerson | Supplier
"""Any canonical record."""


@attrs.frozen(kw_only=True)
class JdeAggregate:
    """The JDE rows of one record across tables: what a mapper turns into a canonical record.

    Rows are read-only mappings keyed by column alias (``"AN8"``, ``"ALPH"``), as
    :meth:`jde_zoho_sdk.jde.AisClient.browse` yields them.

    Attributes:
        entity: The kind of record.
        address_number: F0101.AN8 (for a contact, its customer's or supplier's).
        line_number: The who's who line (F0111.IDLN) of a contact; 0 otherwise.
        rows: Rows by table; a table with no row for the record is absent or empty.
        updated_at: The newest UPMJ/UPMT among the rows (UTC), if any.
    """

    entity: Entity
    address_number: int
    rows: Mapping[str, tuple[Mapping[str, object], ...]]
    line_number: int = 0
    updated_at: datetime | None = None

    @property
    def key(self) -> str:
        """The JDE key (``"4242"``, or ``"4242-3"`` for a contact)."""
        if self.entity is Entity.CONTACT:
            return contact_key(self.address_number, self.line_number)
        return str(self.address_number)

    def first(self, table: str) -> Mapping[str, object] | None:
        """The first row of ``table``, or None.

        Args:
            table: The table (``"F0101"``).
        """
        found = self.rows.get(table)
        return found[0] if found else None

    def all(self, table: str) -> tuple[Mapping[str, object], ...]:
        """Every row of ``table`` (possibly none).

        Args:
            table: The table (``"F0101"``).
        """
        return self.rows.get(table, ())


_CANONICAL_TYPES: Final[Mapping[Entity, type[Canonical]]] = MappingProxyType(
    {Entity.CUSTOMER: Customer, Entity.CONTACT: ContactPerson, Entity.SUPPLIER: Supplier}
)


def builtin_fields(entity: Entity) -> frozenset[str]:
    """The built-in canonical field names of ``entity`` (the host's own fields live in ``extra``)."""
    return _field_names(_CANONICAL_TYPES[entity])[1]


def canonical_from_values(entity: Entity, values: Mapping[str, object]) -> Canonical:
    """Rebuild a canonical record from its flat values (a link snapshot); unknown names go to ``extra``.

    Args:
        entity: The kind of record.
        values: Field name -> value, as :meth:`Customer.values` gives them.

    Returns:
        The record.
    """
    cls = _CANONICAL_TYPES[entity]
    builtin = _field_names(cls)[1]
    known = {name: value for name, value in values.items() if name in builtin}
    extra = {name: value for name, value in values.items() if name not in builtin}
    return cls(**known, extra=extra)  # type: ignore[arg-type]


def contact_key(address_number: int, line_number: int) -> str:
    """The JDE key of a contact: ``"<AN8>-<IDLN>"``.

    Example:
        >>> contact_key(4242, 3)
        '4242-3'
    """
    return f"{address_number}-{line_number}"


def split_contact_key(key: str) -> tuple[int, int]:
    """Split a contact key into (address number, line number).

    Raises:
        ValueError: The key is not ``"<AN8>-<IDLN>"``.

    Example:
        >>> split_contact_key("4242-3")
        (4242, 3)
    """
    number, sep, line = key.partition("-")
    if not sep:
        raise ValueError(f"not a contact key: {key!r}")
    return int(number), int(line)


@attrs.frozen(kw_only=True)
class PendingWrite:
    """A write to a linked pair, journaled just before it is sent and cleared by the checkpoint after it.

    A crash between the write and its checkpoint leaves it on the link. The next run then takes, as the
    last synced value of each field written, the value written wherever the target holds it (the write
    landed), so that write is not mistaken for a change made on that side, which a later edit of another
    field would otherwise date and let win a conflict.

    Attributes:
        jde_snapshot: The canonical values JDE holds once written (as the checkpoint would record them).
        zoho_snapshot: The canonical values Zoho holds once written.
        to_jde: The fields written to JDE.
        to_zoho: The fields written to Zoho.
    """

    jde_snapshot: Mapping[str, object]
    zoho_snapshot: Mapping[str, object]
    to_jde: frozenset[str] = frozenset()
    to_zoho: frozenset[str] = frozenset()


@attrs.frozen(kw_only=True)
class Link:
    """The identity of one record in both systems, and what was last synced.

    Attributes:
        entity: The kind of record.
        jde_key: The JDE key (``"4242"``, or ``"4242-3"`` for a contact).
        zoho_id: The Zoho record id.
        jde_snapshot: The canonical values last synced, as JDE stores them (JSON-compatible).
        zoho_snapshot: The canonical values last synced, as Zoho stores them (JSON-compatible).
        email: The record's e-mail, lower-cased, for duplicate lookups.
        tax_id: The record's tax id, for duplicate lookups.
        jde_updated_at: The newest JDE update time seen for the record (UTC).
        zoho_modified_at: The newest Zoho ``Modified_Time`` seen for the record (UTC).
        synced_at: When the pair was last written or confirmed (UTC).
        deleted_in: ``"jde"`` or ``"zoho"`` once the record was deleted there; ``""`` while alive.
        deleted_at: When the delete was recorded.
        pending: A write journaled before it was sent and not checkpointed yet (see :class:`PendingWrite`);
            a state store keeps it like the other fields.
    """

    entity: Entity
    jde_key: str
    zoho_id: str
    jde_snapshot: Mapping[str, object]
    zoho_snapshot: Mapping[str, object]
    synced_at: datetime
    email: str = ""
    tax_id: str = ""
    jde_updated_at: datetime | None = None
    zoho_modified_at: datetime | None = None
    deleted_in: str = ""
    deleted_at: datetime | None = None
    pending: PendingWrite | None = None

    @property
    def deleted(self) -> bool:
        """True once either side deleted the record."""
        return bool(self.deleted_in)


@attrs.frozen(kw_only=True)
class AuditEvent:
    """One audited action on one record.

    Attributes:
        audit_id: Unique id of the event; also written to the target record where the system allows it.
        run_id: The run that acted.
        at: When (UTC).
        entity: The kind of record.
        direction: Which way the change flowed.
        action: What was done.
        outcome: How it ended.
        jde_key: The JDE key, when known.
        zoho_id: The Zoho id, when known.
        fields: The canonical fields written or merged.
        message: A short human explanation (the merge winners, the error...).
    """

    audit_id: str
    run_id: str
    at: datetime
    entity: Entity
    direction: Direction
    action: AuditAction
    outcome: Outcome
    jde_key: str = ""
    zoho_id: str = ""
    fields: tuple[str, ...] = ()
    message: str = ""

    @property
    def source_key(self) -> str:
        """The key on the side the change came from."""
        return self.jde_key if self.direction is Direction.JDE_TO_ZOHO else self.zoho_id

    @property
    def target_key(self) -> str:
        """The key on the side the change went to."""
        return self.zoho_id if self.direction is Direction.JDE_TO_ZOHO else self.jde_key


@attrs.frozen(kw_only=True)
class Failure:
    """A record that could not be synced, kept with what is needed to replay it.

    A store keeps one open failure per (entity, direction, source key): a record that fails again updates
    it (``attempts`` grows) instead of adding a row.

    Attributes:
        failure_id: Unique id.
        run_id: The run in which it (last) failed.
        entity: The kind of record.
        direction: The direction that failed.
        source_key: The key on the source side (JDE key or Zoho id).
        target_key: The key on the target side, when linked.
        stage: Where it failed: ``"map"``, ``"dedup"``, ``"parent"``, ``"write"``...
        error_code: The error's code (``"INVALID_DATA"``, ``"MappingError"``, a JDE form error code...).
        message: The error message (never a secret).
        payload: The canonical values at failure time (JSON-compatible), for inspection.
        created_at: When it first failed.
        last_attempt_at: When it last failed.
        attempts: How many times it failed.
        resolved_at: When a later run or a replay synced the record.
        resolution: How it was resolved (``"replayed"``, ``"synced"``, ``"unchanged"``...).
    """

    failure_id: str
    run_id: str
    entity: Entity
    direction: Direction
    source_key: str
    stage: str
    error_code: str
    message: str
    created_at: datetime
    last_attempt_at: datetime
    target_key: str = ""
    payload: Mapping[str, object] = attrs.field(factory=dict)
    attempts: int = 1
    resolved_at: datetime | None = None
    resolution: str = ""


@attrs.frozen(kw_only=True)
class QueuedChange:
    """A Zoho record id waiting to be processed (from a notification).

    Attributes:
        module: The Zoho module (``"Accounts"``).
        zoho_id: The record id.
        operation: ``"insert"``, ``"update"`` or ``"delete"``.
        server_time: Zoho's time of the notification (UTC).
        sequence: Bumped by the store on every enqueue of the same record, so acknowledging a claimed item
            never drops a notification that arrived while it was being processed.
    """

    module: str
    zoho_id: str
    operation: str
    server_time: datetime
    sequence: int = 0


@attrs.frozen(kw_only=True)
class ChannelState:
    """A Zoho notification channel the sync keeps alive.

    Attributes:
        channel_id: Zoho's channel id (a number, as text).
        events: The watched events (``"Accounts.all"``...).
        notify_url: Where Zoho posts notifications.
        token: The verification token Zoho echoes in every notification (a secret).
        expires_at: The expiry Zoho answered (UTC).
    """

    channel_id: str
    events: tuple[str, ...]
    notify_url: str
    token: Secret
    expires_at: datetime
