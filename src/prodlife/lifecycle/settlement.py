"""What a service gains when the invoices that billed it are paid (issue 15, seed 003).

A service is *paid* up to the end of the latest period a paid invoice billed
for it, but never past the start of a period still on an unpaid invoice: its
next due date and paid-through date follow (a renewal counted for a
cancellation "after N renewals"). Then, in this order:

- an ordered (pending) service whose order said "activate on payment" is
  activated, through the provisioning module;
- a change of package waiting for payment (:class:`~prodlife.catalog.ChangeTiming`
  ``AFTER_PAYMENT``) is carried out once no invoice of the service is unpaid;
- a suspension *for non-payment* is lifted (through the module) once nothing
  of the service is overdue; no other kind of suspension ever is.

It also keeps :attr:`~prodlife.lifecycle.ServiceInvoicing.unpaid_since` (the due date
of the service's oldest unpaid invoice), which the scheduler's dunning counts from.

:func:`settle_service` is pure except for the module it is given, like every
operation; :class:`~prodlife.app.Billing` calls it after a payment (or credit)
settles invoices, and calling it again changes nothing.

>>> from datetime import UTC, date, datetime
>>> from prodlife import Money
>>> from prodlife.cycles import MONTHLY
>>> from prodlife.lifecycle.status import ACTIVE
>>> from prodlife.lifecycle.timelines import billed
>>> from prodlife.lifecycle.outcome import Outcome
>>> from prodlife.pricing.recurring import RecurringPrice
>>> from prodlife.billing.invoices import Invoice, oldest_due, InvoiceKey
>>> service = Service(
...     id="S-1", customer_id="C-1", product_code="VPS", edition=None, cycle=MONTHLY,
...     price=RecurringPrice.at_order(Money("10.00", "USD")), payment_method="card",
...     start=date(2025, 1, 1), next_due=date(2025, 2, 1), paid_through=date(2025, 1, 31),
...     status=ACTIVE,
... )
>>> renewal = billed(Outcome(service), date(2025, 2, 1))
>>> at = datetime(2025, 2, 1, tzinfo=UTC)
>>> invoice = Invoice.issue("INV-1", InvoiceKey("C-1", "USD", date(2025, 2, 1), "card"),
...                         renewal.lines, at)
>>> paid = settle_service(renewal.service, [invoice.paid_with(invoice.total)], [], at)
>>> paid.service.next_due, paid.service.paid_through
(datetime.date(2025, 3, 1), datetime.date(2025, 2, 28))
>>> settle_service(paid.service, [invoice.paid_with(invoice.total)], [], at) is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from prodlife.billing.invoices import Invoice, oldest_due
from prodlife.billing.lines import InvoiceLine, LineType
from prodlife.catalog.change_rules import ChangeTiming
from prodlife.lifecycle.actors import Actor
from prodlife.lifecycle.events import EventKind
from prodlife.lifecycle.operations import activate, today, unsuspend
from prodlife.lifecycle.outcome import Outcome, event
from prodlife.lifecycle.package_changes import confirm_change_payment
from prodlife.lifecycle.provisioning import ProvisioningModule
from prodlife.lifecycle.renewals import _count_renewal
from prodlife.lifecycle.service_parts import owing_since
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.status import Status, SuspensionKind
from prodlife.lifecycle.terms import owed_since
from prodlife.lifecycle.transitions import Operation, allowed

__all__ = ["paid_until", "record_owing", "settle_service", "with_unpaid_since"]

_SYSTEM = Actor.system()


def _periods(service_id: str, invoices: Sequence[Invoice]) -> list[tuple[date, date]]:
    """The (start, end) of each recurring period the invoices bill for the service."""
    spans = []
    for invoice in invoices:
        for line in invoice.lines:
            span = _span(line, service_id)
            if span is not None:
                spans.append(span)
    return spans


def _span(line: InvoiceLine, service_id: str) -> tuple[date, date] | None:
    period = line.period
    if (
        line.service_id != service_id
        or line.type is not LineType.RECURRING
        or line.reverses
        or period is None
    ):
        return None
    return (period.start, period.end)


def paid_until(service_id: str, paid: Sequence[Invoice], unpaid: Sequence[Invoice]) -> date | None:
    """The day a service is paid up to (excluded): the end of the latest period
    ``paid`` bills for it, at most the start of the first period ``unpaid`` bills;
    ``None`` when ``paid`` bills no period of it."""
    ends = [end for _, end in _periods(service_id, paid)]
    if not ends:
        return None
    until = max(ends)
    owed = [start for start, _ in _periods(service_id, unpaid)]
    return min([until, *owed])


def _paid_dates(
    service: Service, until: date, paid: Sequence[Invoice], numbers: str, at: datetime
) -> Outcome | None:
    """``service`` paid up to ``until``: its dates moved, a renewal recorded when live."""
    due, last = service.next_due, until - timedelta(days=1)
    if last < service.start:
        return None
    changes: dict[str, object] = {}
    if due is not None and until > due:
        changes["next_due"] = until
    if service.paid_through is None or last > service.paid_through:
        changes["paid_through"] = last
    if not changes:
        return None
    if "next_due" not in changes or service.status.status not in (Status.ACTIVE, Status.SUSPENDED):
        return Outcome(service._evolved(**changes))
    assert due is not None
    renewals = len({start for start, _ in _periods(service.id, paid) if due <= start < until})
    done = service.perform(
        Operation.RENEW,
        _SYSTEM,
        at,
        f"invoice {numbers} paid",
        provisioning=False,
        details=f"paid through {last}",
    )
    changes["cancellation"] = _count_renewal(done.cancellation, max(renewals, 1))
    details = (("invoices", numbers), ("next_due", until.isoformat()))
    return Outcome(done._evolved(**changes), (event(done, EventKind.RENEWED, at, details),))


def settle_service(
    service: Service,
    paid: Sequence[Invoice],
    unpaid: Sequence[Invoice],
    at: datetime,
    *,
    activate_on_payment: bool = False,
    module: ProvisioningModule | None = None,
) -> Outcome | None:
    """What ``service`` gains from the ``paid`` invoices, the ``unpaid`` ones (of it) left.

    Args:
        paid: paid invoices billing the service (those a payment just settled,
            or all of them: what is paid already changes nothing).
        unpaid: the open and partially paid invoices billing the service.
        activate_on_payment: activate a pending service once paid.
        module: the host's provisioning module (activation, change, unsuspension).

    Returns:
        The outcome, or ``None`` when nothing changes.

    Raises:
        ModuleFailed: the module refused (nothing changed).
    """
    numbers = ",".join(invoice.number for invoice in paid)
    outcome = _owing(service, unpaid, at)
    current = service if outcome is None else outcome.service
    until = paid_until(service.id, paid, unpaid)
    if until is not None:
        dated = _paid_dates(current, until, paid, numbers, at)
        if dated is not None:
            outcome = dated if outcome is None else outcome.then(dated)
            current = dated.service
    steps: list[Callable[[Service], Outcome]] = []
    status = current.status.status
    if activate_on_payment and status is Status.PENDING and not _owes(current.id, unpaid):
        steps.append(lambda s: activate(s, _SYSTEM, at, module=module, reason="paid"))
    pending = current.pending_change
    if (
        pending is not None
        and pending.timing is ChangeTiming.AFTER_PAYMENT
        and not _owes(current.id, unpaid)
    ):
        steps.append(lambda s: confirm_change_payment(s, at, module=module))
    for step in steps:
        done = step(current)
        outcome = done if outcome is None else outcome.then(done)
        current = done.service
    if current.status.substate is SuspensionKind.FOR_NON_PAYMENT and not _overdue(current, at):
        done = unsuspend(current, _SYSTEM, at, module=module, reason=f"invoice {numbers} paid")
        outcome = done if outcome is None else outcome.then(done)
    return outcome


def _owes(service_id: str, unpaid: Sequence[Invoice]) -> bool:
    return any(service_id in invoice.service_ids for invoice in unpaid)


def _owing(service: Service, unpaid: Sequence[Invoice], at: datetime) -> Outcome | None:
    """``service`` with the due date of its oldest unpaid invoice kept up to date."""
    since = oldest_due(unpaid)
    return record_owing(service, since, at)


def with_unpaid_since(service: Service, since: date | None) -> Service:
    """``service`` with ``since`` as the due date of its oldest unpaid invoice (itself when
    it has it already). Bookkeeping, not an operation: see :func:`record_owing` for one."""
    invoicing = service.invoicing
    if (None if invoicing is None else invoicing.unpaid_since) == since:
        return service
    return service._evolved(invoicing=owing_since(invoicing, since))


def record_owing(service: Service, since: date | None, at: datetime) -> Outcome | None:
    """``service`` owing since ``since`` (the due date of its oldest unpaid invoice, or
    ``None``), recorded by the system as invoicing work, so that a writer holding the
    service as it was cannot save over it; ``None`` when nothing changes, or for a
    service the scheduler no longer looks at (not pending, active or suspended).
    """
    invoicing = service.invoicing
    if (None if invoicing is None else invoicing.unpaid_since) == since:
        return None
    if not allowed(service.status, Operation.INVOICE):
        return None
    done = service.perform(
        Operation.INVOICE,
        _SYSTEM,
        at,
        "invoices paid or closed" if since is None else f"unpaid since {since}",
        provisioning=False,
    )
    return Outcome(with_unpaid_since(done, since))


def _overdue(service: Service, at: datetime) -> bool:
    """Whether money the service owes fell due before today and is not paid."""
    since = owed_since(service)
    return since is not None and since < today(service, at)
