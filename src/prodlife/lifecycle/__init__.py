"""The service lifecycle: statuses and their transition table, actors and policy, history.

A service moves between :class:`Status` values only through the rows of
:data:`TRANSITIONS` (:func:`next_status`); :func:`authorize` decides whether an
:class:`Actor` may ask for an operation; each transition is kept as a
:class:`HistoryEntry`. See ``docs/lifecycle.md``.
"""

from prodlife.lifecycle.actors import (
    CUSTOMER_OPERATIONS,
    CUSTOMER_SUSPENSIONS,
    REQUIRED_PERMISSION,
    SYSTEM_OPERATIONS,
    SYSTEM_SUSPENSIONS,
    SYSTEM_UNSUSPENSIONS,
    Actor,
    ActorKind,
    Permission,
    authorize,
    not_yours,
)
from prodlife.lifecycle.history import History, HistoryEntry, format_entry
from prodlife.lifecycle.service_parts import (
    ENDED,
    CancellationKind,
    CancellationRequest,
    OverrideAutoSuspend,
    ServiceAddOn,
    ServiceOption,
)
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import (
    ACTIVE,
    CONFIGURATION_REQUIRED,
    ORDERED,
    PendingReason,
    Progress,
    ServiceStatus,
    Status,
    Substate,
    SuspensionKind,
)
from prodlife.lifecycle.transitions import (
    GUARDS,
    TRANSITIONS,
    Operation,
    Target,
    Transition,
    allowed,
    allowed_operations,
    find_transition,
    next_status,
    transition_table_markdown,
    visible_to_customer,
)

__all__ = [
    "ACTIVE",
    "CONFIGURATION_REQUIRED",
    "CUSTOMER_OPERATIONS",
    "CUSTOMER_SUSPENSIONS",
    "ENDED",
    "GUARDS",
    "ORDERED",
    "REQUIRED_PERMISSION",
    "SYSTEM_OPERATIONS",
    "SYSTEM_SUSPENSIONS",
    "SYSTEM_UNSUSPENSIONS",
    "TRANSITIONS",
    "Actor",
    "ActorKind",
    "CancellationKind",
    "CancellationRequest",
    "History",
    "HistoryEntry",
    "Operation",
    "OverrideAutoSuspend",
    "PendingReason",
    "Permission",
    "Progress",
    "Service",
    "ServiceAddOn",
    "ServiceOption",
    "ServiceStatus",
    "Status",
    "Substate",
    "SuspensionKind",
    "Target",
    "Transition",
    "allowed",
    "allowed_operations",
    "authorize",
    "find_transition",
    "format_entry",
    "next_status",
    "not_yours",
    "transition_table_markdown",
    "visible_to_customer",
]
