"""The SyncEngine and what hosts plug into it: state store, mapper and observer protocols.

Example:
    >>> from jde_zoho_sdk.sync import SyncEngine, SqliteStateStore  # doctest: +SKIP
    >>> engine = SyncEngine(ais=ais, zoho=zoho, store=SqliteStateStore("sync.db"))  # doctest: +SKIP
    >>> engine.run().written  # doctest: +SKIP
"""

from jde_zoho_sdk.sync._lock import SyncLockedError
from jde_zoho_sdk.sync.channels import ChannelKeeper
from jde_zoho_sdk.sync.config import DEFAULT_POLICIES, OrchestrationNames, SyncConfig
from jde_zoho_sdk.sync.engine import SyncAbortedError, SyncEngine
from jde_zoho_sdk.sync.events import (
    BatchWritten,
    CheckpointCommitted,
    ConflictMerged,
    PageRead,
    RecordFailed,
    RunFinished,
    RunStarted,
    SyncEvent,
)
from jde_zoho_sdk.sync.mapping import DefaultMapper, UnlinkedParentError
from jde_zoho_sdk.sync.mapping_config import CustomField, MappingConfig, ValueMap, ZohoFieldNames
from jde_zoho_sdk.sync.merge import FieldPolicy
from jde_zoho_sdk.sync.model import (
    AuditAction,
    AuditEvent,
    Canonical,
    ChannelState,
    ContactPerson,
    Customer,
    Direction,
    Entity,
    Failure,
    JdeAggregate,
    Link,
    Outcome,
    PendingWrite,
    QueuedChange,
    Supplier,
)
from jde_zoho_sdk.sync.observers import LoggingObserver, RecordingObserver
from jde_zoho_sdk.sync.protocols import Mapper, MappingContext, StateStore, SyncObserver, ZohoIdentity
from jde_zoho_sdk.sync.report import EntityCounts, FieldChange, PlannedChange, SyncPlan, SyncReport
from jde_zoho_sdk.sync.sqlite_store import SqliteStateStore, StoreStats

__all__ = [
    "DEFAULT_POLICIES",
    "AuditAction",
    "AuditEvent",
    "BatchWritten",
    "Canonical",
    "ChannelKeeper",
    "ChannelState",
    "CheckpointCommitted",
    "ConflictMerged",
    "ContactPerson",
    "CustomField",
    "Customer",
    "DefaultMapper",
    "Direction",
    "Entity",
    "EntityCounts",
    "Failure",
    "FieldChange",
    "FieldPolicy",
    "JdeAggregate",
    "Link",
    "LoggingObserver",
    "Mapper",
    "MappingConfig",
    "MappingContext",
    "OrchestrationNames",
    "Outcome",
    "PageRead",
    "PendingWrite",
    "PlannedChange",
    "QueuedChange",
    "RecordFailed",
    "RecordingObserver",
    "RunFinished",
    "RunStarted",
    "SqliteStateStore",
    "StateStore",
    "StoreStats",
    "Supplier",
    "SyncAbortedError",
    "SyncConfig",
    "SyncEngine",
    "SyncEvent",
    "SyncLockedError",
    "SyncObserver",
    "SyncPlan",
    "SyncReport",
    "UnlinkedParentError",
    "ValueMap",
    "ZohoFieldNames",
    "ZohoIdentity",
]
