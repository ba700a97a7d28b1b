"""Every settled service status by name, and a plain service, for a host's own tests.

:mod:`prodlife.lifecycle` names three statuses (:data:`ORDERED`,
:data:`CONFIGURATION_REQUIRED`, :data:`ACTIVE`); a test that puts a service in
any other writes the :class:`~prodlife.lifecycle.ServiceStatus` out. Here each
status a service can rest in has a name (the three above are the same objects as
prodlife.lifecycle's), and :data:`SETTLED_STATUSES` holds them all. An *in
progress* status is not among them: it needs the statuses it comes from and goes
to.

:func:`make_service` is a plain service with every field set, for tests that need
one service and change a few of its fields. Needs neither pytest nor hypothesis:

>>> from prodlife.testing import SUSPENDED_FOR_NON_PAYMENT, make_service
>>> service = make_service("S-7", status=SUSPENDED_FOR_NON_PAYMENT)
>>> print(service.status, service.next_due, service.paid_through, service.price.amount)
suspended (for non-payment) 2025-05-01 2025-04-30 USD 10.00
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from prodlife.cycles import MONTHLY
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import (
    ACTIVE,
    CONFIGURATION_REQUIRED,
    ORDERED,
    PendingReason,
    ServiceStatus,
    Status,
    SuspensionKind,
)
from prodlife.money import Money
from prodlife.pricing.recurring import RecurringPrice

__all__ = [
    "ACTIVE",
    "AWAITING_PAYMENT",
    "CANCELLED",
    "CONFIGURATION_REQUIRED",
    "DELETED",
    "NOT_AVAILABLE",
    "ORDERED",
    "PAYMENT_IN_PROGRESS",
    "SETTLED_STATUSES",
    "SUSPENDED_BY_ADMINISTRATOR",
    "SUSPENDED_BY_CUSTOMER",
    "SUSPENDED_FOR_ABUSE",
    "SUSPENDED_FOR_NON_PAYMENT",
    "SUSPENDED_TEMPORARILY",
    "TERMINATED",
    "make_service",
]

#: Pending: checked out, waiting for the payment.
AWAITING_PAYMENT = ServiceStatus(Status.PENDING, PendingReason.AWAITING_PAYMENT)
#: Pending: a payment is under way.
PAYMENT_IN_PROGRESS = ServiceStatus(Status.PENDING, PendingReason.PAYMENT_IN_PROGRESS)
#: Suspended at the customer's request.
SUSPENDED_BY_CUSTOMER = ServiceStatus(Status.SUSPENDED, SuspensionKind.BY_CUSTOMER)
#: Suspended by staff.
SUSPENDED_BY_ADMINISTRATOR = ServiceStatus(Status.SUSPENDED, SuspensionKind.BY_ADMINISTRATOR)
#: Suspended for abuse.
SUSPENDED_FOR_ABUSE = ServiceStatus(Status.SUSPENDED, SuspensionKind.FOR_ABUSE)
#: Suspended for non-payment.
SUSPENDED_FOR_NON_PAYMENT = ServiceStatus(Status.SUSPENDED, SuspensionKind.FOR_NON_PAYMENT)
#: Paused for a while (seed 000's temporary pause).
SUSPENDED_TEMPORARILY = ServiceStatus(Status.SUSPENDED, SuspensionKind.TEMPORARY)
#: Not available: the provider lacks the resources to activate it.
NOT_AVAILABLE = ServiceStatus(Status.NOT_AVAILABLE)
#: Cancelled (a service with this status has a termination date).
CANCELLED = ServiceStatus(Status.CANCELLED)
#: Terminated (a service with this status has a termination date).
TERMINATED = ServiceStatus(Status.TERMINATED)
#: Deleted (a service with this status has a termination date).
DELETED = ServiceStatus(Status.DELETED)

#: Every status a service can rest in, each once: all but *in progress*.
SETTLED_STATUSES: tuple[ServiceStatus, ...] = (
    ORDERED,
    AWAITING_PAYMENT,
    PAYMENT_IN_PROGRESS,
    CONFIGURATION_REQUIRED,
    ACTIVE,
    SUSPENDED_BY_CUSTOMER,
    SUSPENDED_BY_ADMINISTRATOR,
    SUSPENDED_FOR_ABUSE,
    SUSPENDED_FOR_NON_PAYMENT,
    SUSPENDED_TEMPORARILY,
    NOT_AVAILABLE,
    CANCELLED,
    TERMINATED,
    DELETED,
)

_ENDED = frozenset({Status.CANCELLED, Status.TERMINATED, Status.DELETED})


def make_service(
    service_id: str = "S-1",
    *,
    customer_id: str = "C-1",
    product_code: str = "WEB",
    status: ServiceStatus = ACTIVE,
    next_due: date | None = date(2025, 5, 1),
    **fields: Any,
) -> Service:
    """A plain service: monthly, started on 2025-04-01, 10.00 USD, paid until its next due date.

    Its edition is ``"BASIC"`` and its payment method ``"card"``; it is paid through the
    day before ``next_due`` (nothing paid when ``next_due`` is ``None``), and a service
    that is cancelled, terminated or deleted ended on 2025-04-20. It has no history and
    names no catalog: store it, or hand it to a lifecycle operation with the catalog of
    your test.

    Args:
        service_id: its id.
        customer_id: the customer who owns it.
        product_code: its product.
        status: its status (:data:`ACTIVE`, or another of :data:`SETTLED_STATUSES`).
        next_due: the first day not paid for, or ``None``.
        fields: any other field of :class:`~prodlife.lifecycle.Service`, which wins over
            the defaults above (``edition``, ``price``, ``paid_through``,
            ``termination_date``...).

    Raises:
        RuleViolation, ValidationError: the fields make no valid service, as
            :class:`~prodlife.lifecycle.Service` says.
    """
    values: dict[str, Any] = {
        "edition": "BASIC",
        "cycle": MONTHLY,
        "price": RecurringPrice.at_order(Money("10.00", "USD")),
        "payment_method": "card",
        "start": date(2025, 4, 1),
        "paid_through": None if next_due is None else next_due - timedelta(days=1),
        "termination_date": date(2025, 4, 20) if status.status in _ENDED else None,
    }
    values.update(fields)
    return Service(
        id=service_id,
        customer_id=customer_id,
        product_code=product_code,
        status=status,
        next_due=next_due,
        **values,
    )
