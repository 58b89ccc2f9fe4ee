"""Frozen models of Zoho CRM answers: records, write results, field metadata, channels, notifications."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

import attrs

from jde_zoho_sdk._redact import redact_json, redact_url

__all__ = [
    "Channel",
    "DeletedRecord",
    "FieldMeta",
    "Lookup",
    "Notification",
    "PageInfo",
    "PicklistValue",
    "RecordError",
    "UpsertResult",
    "WriteAction",
    "ZohoRecord",
]


def _url_repr(url: str | None) -> str:
    return "None" if url is None else repr(redact_url(url))


def _params_repr(params: Mapping[str, str]) -> str:
    return repr(redact_json(params))


WriteAction = Literal["insert", "update"]
"""What a write did to a record that landed: ``"insert"`` or ``"update"``."""


@attrs.frozen
class ZohoRecord:
    """One record of a module, as Zoho sent it.

    ``values`` holds every field of the answer under its API name, unchanged except that numbers with a
    fraction are ``Decimal`` (never ``float``). Lookups are ``{"name": ..., "id": ...}`` mappings; use
    :class:`~jde_zoho_sdk.zoho.Account` and friends for typed access.

    Attributes:
        id: The record id (a numeric string).
        module: The module API name (``"Accounts"``).
        modified_time: ``Modified_Time`` as an aware datetime, when the answer had it.
        values: The field values by API name (read-only).
    """

    id: str
    module: str
    modified_time: datetime | None
    values: Mapping[str, object] = attrs.field(repr=False)

    def get(self, field: str, default: object = None) -> object:
        """Return the value of ``field`` (its API name), or ``default`` when the answer lacks it.

        Args:
            field: The field's API name.
            default: What to return when the answer lacks the field.
        """
        return self.values.get(field, default)


@attrs.frozen
class Lookup:
    """A reference to another record: ``{"name": "Zylker", "id": "4150868000000224005"}`` on the wire.

    Attributes:
        id: The referenced record's id.
        name: Its display name (read answers only; writes send only the id).
        extra: Other keys Zoho sent (``email`` on owners...).
    """

    id: str
    name: str | None = None
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class RecordError:
    """Why Zoho refused one record of a write.

    Attributes:
        code: Zoho's code (``INVALID_DATA``, ``DUPLICATE_DATA``, ``MANDATORY_NOT_FOUND``...).
        message: Zoho's message.
        api_name: The field at fault, when Zoho named one.
        json_path: Where in the request (``$.data[3].Email``).
        details: All of Zoho's details (``expected_data_type``, ``maximum_length``, ``duplicate_record``...).
    """

    code: str
    message: str
    api_name: str | None = None
    json_path: str | None = None
    details: Mapping[str, object] = attrs.field(factory=dict)

    @property
    def duplicate_record_id(self) -> str | None:
        """For ``DUPLICATE_DATA``: the id of the record that already holds the value."""
        duplicate = self.details.get("duplicate_record")
        if isinstance(duplicate, Mapping) and duplicate.get("id") is not None:
            return str(duplicate["id"])
        return None


@attrs.frozen(kw_only=True)
class UpsertResult:
    """The outcome of one input record of an upsert, insert or update (one per input, in input order).

    Attributes:
        index: The record's position in the sequence given to the client.
        action: ``"insert"`` or ``"update"`` when the record landed, None when it was refused.
        id: The record id when it landed.
        duplicate_field: For upserts, the field that matched an existing record (None for an insert).
        modified_time: ``Modified_Time`` Zoho stamped, when it said.
        message: Zoho's message (``"record added"``, ``"invalid data"``...).
        error: Why the record was refused, or None.
    """

    index: int
    action: WriteAction | None
    id: str | None
    duplicate_field: str | None = None
    modified_time: datetime | None = None
    message: str = ""
    error: RecordError | None = None

    @property
    def ok(self) -> bool:
        """True when the record landed."""
        return self.error is None


@attrs.frozen(kw_only=True)
class PageInfo:
    """The ``info`` object of a list answer.

    Attributes:
        more_records: Whether another page follows.
        count: Records on this page.
        per_page: The page size asked for.
        page: The page number (1 when reading by token).
        next_page_token: The token for the next page (reads past 2,000 records).
        page_token_expiry: When that token expires.
        sort_by: The sort field Zoho applied.
        sort_order: ``"asc"`` or ``"desc"``.
        extra: Other keys Zoho sent.
    """

    more_records: bool = False
    count: int = 0
    per_page: int | None = None
    page: int | None = None
    next_page_token: str | None = None
    page_token_expiry: datetime | None = None
    sort_by: str | None = None
    sort_order: str | None = None
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)


@attrs.frozen
class PicklistValue:
    """One choice of a picklist field.

    Attributes:
        actual_value: The value stored and sent through the API.
        display_value: The label users see.
        extra: Other keys Zoho sent.
    """

    actual_value: str
    display_value: str | None = None
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class FieldMeta:
    """Metadata of one field (``GET /settings/fields?module=...``), for validating mappings.

    Attributes:
        api_name: The field's API name.
        data_type: ``text``, ``email``, ``picklist``, ``currency``, ``boolean``, ``lookup``...
        field_label: The label users see.
        json_type: ``string``, ``double``, ``jsonobject``...
        length: Maximum length (characters, or digits for numbers).
        unique: Zoho's ``unique`` object; empty when the field is not unique.
        system_mandatory: Whether Zoho requires the field on every record.
        read_only: Whether the field cannot be written.
        custom_field: Whether an admin added the field.
        decimal_place: Decimal places kept (currency, decimal).
        pick_list_values: The choices of a picklist.
        lookup: For lookups, ``{"module": {"api_name": ...}}``.
        id: The field id.
        extra: Every other key Zoho sent.
    """

    api_name: str
    data_type: str
    field_label: str | None = None
    json_type: str | None = None
    length: int | None = None
    unique: Mapping[str, object] | None = None
    system_mandatory: bool = False
    read_only: bool = False
    custom_field: bool = False
    decimal_place: int | None = None
    pick_list_values: tuple[PicklistValue, ...] = ()
    lookup: Mapping[str, object] | None = None
    id: str | None = None
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)

    @property
    def is_unique(self) -> bool:
        """True for a field with "do not allow duplicate values" (usable in ``duplicate_check_fields``)."""
        return bool(self.unique)

    @property
    def picklist(self) -> tuple[str, ...]:
        """The values a picklist accepts through the API."""
        return tuple(choice.actual_value for choice in self.pick_list_values)


@attrs.frozen(kw_only=True)
class DeletedRecord:
    """An entry of the deleted-records list.

    Attributes:
        id: The deleted record's id.
        type: ``"recycle"`` (in the recycle bin) or ``"permanent"``.
        deleted_time: When it was deleted.
        display_name: Its name, while in the recycle bin.
        deleted_by: Who deleted it, while in the recycle bin.
        extra: Other keys Zoho sent.
    """

    id: str
    type: str
    deleted_time: datetime
    display_name: str | None = None
    deleted_by: Lookup | None = None
    extra: Mapping[str, object] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Channel:
    """A notification channel as Zoho confirmed it.

    Attributes:
        channel_id: Our id of the channel.
        expiry: When Zoho stops notifying (as Zoho answered it, which may differ from what was asked).
        modules: The modules watched.
        events: The events watched (``"Accounts.all"``...), when Zoho listed them.
        notify_url: Where Zoho posts, when Zoho listed it (secret query values are hidden from ``repr``).
    """

    channel_id: str
    expiry: datetime
    modules: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    # The URL's query may carry a secret (Zoho's own example passes authorization=...).
    notify_url: str | None = attrs.field(default=None, repr=_url_repr)


@attrs.frozen(kw_only=True)
class Notification:
    """A verified notification: which records of which module changed, and how.

    Zoho sends only ids; fetch the records with :meth:`~jde_zoho_sdk.zoho.ZohoClient.get_records`.
    The channel token is checked and then dropped; it is never kept on the model.

    Attributes:
        module: The module (``"Accounts"``).
        operation: ``"insert"``, ``"update"`` or ``"delete"`` (other values are passed through).
        ids: The ids of the records concerned.
        channel_id: The channel that delivered it.
        server_time: When Zoho sent it.
        resource_uri: The module's API URI.
        affected_fields: Fields changed, when the channel asked for them (read leniently: the shape beyond
            ``[]`` is undocumented).
        query_params: The query parameters of the notify URL, echoed by Zoho (secret values are hidden
            from ``repr``).
    """

    module: str
    operation: str
    ids: tuple[str, ...]
    channel_id: str
    server_time: datetime
    resource_uri: str | None = None
    affected_fields: tuple[str, ...] = ()
    query_params: Mapping[str, str] = attrs.field(factory=dict, repr=_params_repr)
