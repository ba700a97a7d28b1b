"""The world the store state machine works in: its services, clock, operations and view.

:mod:`prodlife.testing.store_machine` drives the steps; this module holds what
they work with: the ids, customers and products, the operations a step may
carry out, one side of the comparison (a store and its open transaction), and
:func:`compared`, everything compared between the two stores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.cycles import MONTHLY
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    StoreError,
    ValidationError,
)
from prodlife.lifecycle.actors import Actor, Permission
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.operations import reboot, suspend, unsuspend
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.renewals import invoice_next_period, renew
from prodlife.lifecycle.scheduler import SchedulerPolicy, run_service
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import ACTIVE, ORDERED, ServiceStatus, Status, SuspensionKind
from prodlife.money import Money
from prodlife.ports import IssuedLine, ServiceQuery, Store, StoredEvent, UnitOfWork
from prodlife.pricing.recurring import RecurringPrice

#: Where the machine's clock starts; it moves only by the ``tick`` step.
BASE = datetime(2025, 4, 24, 9, tzinfo=UTC)
#: Ids whose order tells code points from other collations.
SERVICE_IDS = ("S-1", "s-1", "S-10", "S-9", "é-2", "Ω")
CUSTOMERS = ("C-1", "C-2")
PRODUCTS = {"WEB": Money("10.00", "USD"), "VPS": Money("25.50", "EUR")}
WORKERS = ("w-1", "w-2")
POLICY = SchedulerPolicy(invoice_days_before=5, suspend_days_after=10, terminate_days_after=40)
STAFF = Actor.staff("machine", set(Permission))
STATUSES = {
    "active": ACTIVE,
    "ordered": ORDERED,
    "suspended": ServiceStatus(Status.SUSPENDED, SuspensionKind.FOR_NON_PAYMENT),
}

OPERATIONS: dict[str, Callable[[Service, datetime], Outcome | None]] = {
    "suspend": lambda s, at: suspend(s, STAFF, at, SuspensionKind.BY_ADMINISTRATOR),
    "unsuspend": lambda s, at: unsuspend(s, STAFF, at),
    "reboot": lambda s, at: reboot(s, STAFF, at),
    "renew": lambda s, at: renew(s, STAFF, at),
    "invoice": lambda s, at: invoice_next_period(s, STAFF, at),
    "scheduler": lambda s, at: run_service(s, at, POLICY),
}

#: The errors a store raises on purpose; any other escaping exception is a bug.
_STORE_ERRORS = (NotFound, AlreadyExists, ConcurrencyConflict, StoreError, ValidationError)


def machine_service(service_id: str, customer_id: str, product_code: str, status: str) -> Service:
    """A monthly service begun on 2025-04-01, due on 2025-05-01, in ``status``."""
    paid = status != "ordered"
    return Service(
        id=service_id,
        customer_id=customer_id,
        product_code=product_code,
        edition=None,
        cycle=MONTHLY,
        price=RecurringPrice.at_order(PRODUCTS[product_code]),
        payment_method="card",
        start=date(2025, 4, 1),
        next_due=date(2025, 5, 1),
        paid_through=date(2025, 4, 30) if paid else None,
        status=STATUSES[status],
    )


def machine_lines(
    service_id: str, customer_id: str, amounts: Sequence[tuple[int, int]], day: date
) -> list[InvoiceLine]:
    """One-time lines of ``units`` scaled down by ``places`` digits: charges and credits,
    some below a cent, in USD (even ``places``) or EUR (odd)."""
    return [
        InvoiceLine(
            service_id,
            customer_id,
            LineType.ONE_TIME,
            f"FEE-{index}",
            "",
            f"line {index}",
            Money(Decimal(units).scaleb(-places), "EUR" if places % 2 else "USD"),
            day=day,
            reverses=units < 0,
        )
        for index, (units, places) in enumerate(amounts)
    ]


class Boom(Exception):
    """The host's exception, raised inside a transaction."""


class Side:
    """One store and the transaction open on it, if any."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.manager: AbstractContextManager[UnitOfWork] | None = None
        self.uow: UnitOfWork | None = None

    def begin(self) -> None:
        self.manager = self.store.transaction()
        self.uow = self.manager.__enter__()

    def unit(self) -> UnitOfWork:
        assert self.uow is not None, "no transaction is open"
        return self.uow

    def leave(self, error: BaseException | None = None) -> bool | None:
        """End the ``with`` block, normally or with ``error``; whether it swallowed it."""
        manager, self.manager, self.uow = self.manager, None, None
        assert manager is not None
        if error is None:
            return manager.__exit__(None, None, None)
        return manager.__exit__(type(error), error, error.__traceback__)


def attempt(work: Callable[[UnitOfWork], Any], uow: UnitOfWork) -> tuple[str, Any]:
    """``("ok", value)``, or the kind of store error ``work`` raised and the error."""
    try:
        return "ok", work(uow)
    except _STORE_ERRORS as error:
        kind = next(k for k in _STORE_ERRORS if isinstance(error, k))
        return kind.__name__, error


def lines_of(items: Sequence[IssuedLine]) -> list[tuple[InvoiceLine, str, datetime]]:
    sequences = [item.sequence for item in items]
    assert sequences == sorted(set(sequences)), f"sequences out of insertion order: {sequences}"
    return [(item.line, item.product_code, item.issued_at) for item in items]


def events_of(items: Sequence[StoredEvent]) -> list[tuple[Event, bool]]:
    sequences = [item.sequence for item in items]
    assert sequences == sorted(set(sequences)), f"sequences out of insertion order: {sequences}"
    return [(item.event, item.published) for item in items]


def compared(uow: UnitOfWork, now: datetime) -> dict[str, object]:
    """Everything the machine compares between the two stores."""
    today = now.date()
    services = uow.services.find(ServiceQuery())
    view: dict[str, object] = {
        "services": services,
        # Every operation a stored service went through is in its history, in order.
        "histories complete": [
            (service.id, uow.services.history(service.id).total == service.version)
            for service in services
        ],
        "count": uow.services.count(ServiceQuery()),
        "due today": uow.services.find(ServiceQuery(due_on_or_before=today)),
        "due soon": uow.services.find(ServiceQuery(due_on_or_before=today + timedelta(days=30))),
        "unpublished": events_of(uow.events.unpublished()),
        "revenue": uow.invoice_lines.revenue_by_product(
            BASE - timedelta(days=1), BASE + timedelta(days=3 * 366)
        ),
    }
    for customer in CUSTOMERS:
        view[f"lines of {customer}"] = lines_of(uow.invoice_lines.for_customer(customer))
    for service_id in SERVICE_IDS:
        view[f"lines of {service_id}"] = lines_of(uow.invoice_lines.for_service(service_id))
        view[f"events of {service_id}"] = events_of(uow.events.for_service(service_id))
        try:
            view[f"history of {service_id}"] = uow.services.history(service_id)
        except NotFound:
            view[f"history of {service_id}"] = None
    return view
