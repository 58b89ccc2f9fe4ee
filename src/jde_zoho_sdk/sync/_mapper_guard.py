"""A host mapper's unexpected exception fails the one record it was mapping, never its batch.

Mappers are the host's code (``DefaultMapper`` subclasses, or their own), so a ``KeyError`` or
``ValueError`` on one odd record is to be expected. The engine only knows how to fail a record on a
:class:`~jde_zoho_sdk.errors.MappingError`; this wrapper turns any other exception of the per-record
methods into one (the original kept as ``__cause__`` and logged with its traceback by the failure). The
SDK's own errors pass through unchanged: a system error from a mapper that calls a remote system stops the
run like any other. The per-entity methods (columns, fields, identity) are configuration, not per record,
so their errors stop the run.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import ParamSpec, TypeVar

import attrs

from jde_zoho_sdk.errors import MappingError, SdkError
from jde_zoho_sdk.sync.merge import Side
from jde_zoho_sdk.sync.model import Canonical, Entity, JdeAggregate
from jde_zoho_sdk.sync.protocols import Mapper, MappingContext, ZohoIdentity
from jde_zoho_sdk.zoho import ZohoRecord

P = ParamSpec("P")
T = TypeVar("T")

_HINT = "the mapper raised it on this record: fix the mapper, then replay the failure"


def _guarded(method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    try:
        return method(*args, **kwargs)
    except SdkError:
        raise
    except Exception as error:
        raise MappingError(f"{type(error).__name__}: {error}", hint=_HINT) from error


@attrs.frozen
class GuardedMapper:
    """Delegates to ``inner``; per-record methods raise only the SDK's errors."""

    inner: Mapper

    def jde_columns(self, entity: Entity) -> Mapping[str, tuple[str, ...]]:
        return self.inner.jde_columns(entity)

    def zoho_fields(self, entity: Entity) -> tuple[str, ...]:
        return self.inner.zoho_fields(entity)

    def zoho_identity(self, entity: Entity) -> ZohoIdentity:
        return self.inner.zoho_identity(entity)

    def from_jde(self, aggregate: JdeAggregate) -> Canonical:
        return _guarded(self.inner.from_jde, aggregate)

    def to_zoho(
        self, record: Canonical, *, fields: Collection[str] | None, context: MappingContext
    ) -> dict[str, object]:
        return _guarded(self.inner.to_zoho, record, fields=fields, context=context)

    def from_zoho(self, entity: Entity, record: ZohoRecord, *, context: MappingContext) -> Canonical:
        return _guarded(self.inner.from_zoho, entity, record, context=context)

    def to_jde(
        self, record: Canonical, *, fields: Collection[str] | None, context: MappingContext
    ) -> dict[str, object]:
        return _guarded(self.inner.to_jde, record, fields=fields, context=context)

    def normalize(self, record: Canonical, side: Side) -> Canonical:
        return _guarded(self.inner.normalize, record, side)
