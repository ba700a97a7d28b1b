"""A service's status: one :class:`Status`, with a substate for three of them.

Seed 002's list: ``pending`` says where the payment is (:class:`PendingReason`),
``in progress`` says what the provider is doing (:class:`Progress`) and keeps
where it came from and where it is heading, ``suspended`` says who or what
suspended it (:class:`SuspensionKind`). A :class:`ServiceStatus` is the pair,
checked when built. The transitions between statuses are in
:mod:`prodlife.lifecycle.transitions`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeAlias, TypeVar

import attrs

from prodlife._enums import Labelled
from prodlife.errors import ValidationError

__all__ = [
    "ACTIVE",
    "CONFIGURATION_REQUIRED",
    "ORDERED",
    "PendingReason",
    "Progress",
    "ServiceStatus",
    "Status",
    "Substate",
    "SuspensionKind",
    "declared_member",
]


E = TypeVar("E", bound=Labelled)


def declared_member(kind: type[E], label: str) -> E:
    """A member of ``kind`` that the host declares: ``label`` beside the built-in ones.

    Seed 002's product-specific operations (issue a certificate, change the
    registrar, open the KVM console) have their own operations and in-progress
    substates, which a host declares without editing prodlife
    (:class:`~prodlife.lifecycle.product_operations.OperationDefinition`). Each
    is a member of :class:`~prodlife.lifecycle.Operation` or :class:`Progress`
    like the built-in ones, so history entries and statuses hold it and the
    stores write and read it back as its label; it is not among the members a
    loop over the enum yields. Declaring a label again gives the same member.

    Raises:
        ValidationError: ``label`` is not text, or is blank.
    """
    known = kind._value2member_map_.get(label)
    if isinstance(known, kind):
        return known
    if not isinstance(label, str) or not label.strip() or label != label.strip():
        raise ValidationError(
            f"a declared {kind.__name__} needs a label of text with no spaces at either end, "
            f"not {label!r}"
        )
    member = object.__new__(kind)
    member._name_ = label.upper().replace(" ", "_").replace("-", "_")
    member._value_ = label
    # Kept where the enum looks values up, so ``kind(label)`` (a stored document) finds it.
    kind._value2member_map_[label] = member
    return member


class Status(Labelled):
    """Where a service is in its life (seed 002's list; seed 003's names)."""

    PENDING = "pending"
    CONFIGURATION_REQUIRED = "configuration required"
    IN_PROGRESS = "in progress"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    NOT_AVAILABLE = "not available"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"
    DELETED = "deleted"


class PendingReason(Labelled):
    """Why a pending service waits (seed 002: "in cart", "payment in progress")."""

    ORDERED = "ordered"
    AWAITING_PAYMENT = "awaiting payment"
    PAYMENT_IN_PROGRESS = "payment in progress"


class Progress(Labelled):
    """What the provider is doing to an in-progress service (seed 002's states)."""

    ACTIVATION = "activation"
    SUSPENSION = "suspension"
    RESUME = "resume"
    REBOOT = "reboot"
    RENEWAL = "renewal"
    TRANSFER = "transfer"
    DELETION = "deletion"


class SuspensionKind(Labelled):
    """Who or what suspended a service (seed 002; seed 000's temporary pause)."""

    BY_CUSTOMER = "by customer"
    BY_ADMINISTRATOR = "by administrator"
    FOR_ABUSE = "for abuse"
    FOR_NON_PAYMENT = "for non-payment"
    TEMPORARY = "temporarily"


Substate: TypeAlias = PendingReason | Progress | SuspensionKind

_SUBSTATE_KIND: Mapping[Status, type[enum.Enum]] = MappingProxyType(
    {
        Status.PENDING: PendingReason,
        Status.IN_PROGRESS: Progress,
        Status.SUSPENDED: SuspensionKind,
    }
)


def _check_status(instance: ServiceStatus) -> None:
    status, substate = instance.status, instance.substate
    if not isinstance(status, Status):
        raise ValidationError(f"status {status!r} is not a Status; pass e.g. Status.ACTIVE")
    kind = _SUBSTATE_KIND.get(status)
    if kind is None and substate is not None:
        raise ValidationError(
            f"a service that is {status} has no substate, got {substate!r}; pass None"
        )
    if kind is not None and not isinstance(substate, kind):
        raise ValidationError(
            f"a service that is {status} needs a {kind.__name__} substate, got {substate!r}; "
            f"pass e.g. {kind.__name__}.{next(iter(kind)).name}"
        )
    ends = (instance.previous, instance.target)
    if status is Status.IN_PROGRESS:
        for end in ends:
            if not isinstance(end, ServiceStatus) or end.status is Status.IN_PROGRESS:
                raise ValidationError(
                    f"an in-progress status needs the settled statuses it comes from and "
                    f"goes to, got previous={instance.previous!r}, target={instance.target!r}"
                )
    elif ends != (None, None):
        raise ValidationError(
            f"only an in-progress status has previous and target statuses, not {status}"
        )


@attrs.frozen(slots=True)
class ServiceStatus:
    """A status with its substate, e.g. suspended (by administrator).

    Args:
        status: the status.
        substate: required for pending (a :class:`PendingReason`), in progress
            (a :class:`Progress`) and suspended (a :class:`SuspensionKind`);
            ``None`` for every other status.
        previous: in progress only: the settled status it started from, where
            a failure returns.
        target: in progress only: the settled status it lands on when done.

    Raises:
        ValidationError: the substate does not fit the status, or previous and
            target are missing or given when they do not belong.

    >>> print(ServiceStatus(Status.SUSPENDED, SuspensionKind.FOR_ABUSE))
    suspended (for abuse)
    """

    status: Status
    substate: Substate | None = None
    previous: ServiceStatus | None = attrs.field(default=None, kw_only=True)
    target: ServiceStatus | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        _check_status(self)

    def __str__(self) -> str:
        if self.substate is None:
            return str(self.status)
        return f"{self.status} ({self.substate})"


#: A freshly ordered service waiting in the cart.
ORDERED = ServiceStatus(Status.PENDING, PendingReason.ORDERED)
#: A quick order the customer must complete before it can be paid (seed 002).
CONFIGURATION_REQUIRED = ServiceStatus(Status.CONFIGURATION_REQUIRED)
#: An active service.
ACTIVE = ServiceStatus(Status.ACTIVE)
