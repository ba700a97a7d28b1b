"""Lines onto invoices, inside the transaction that issues them (issue 15).

Every use case that issues lines hands them here with the services they
bill: they are grouped (:func:`~prodlife.billing.invoices.group_lines`),
numbered from the store's series, and the customer's credit balance is spent
on them; a group adding up to less than zero is a credit note whose amount
joins the credit balance. The credit balance is spent on the customer's
unpaid invoices of that currency, oldest due first
(:func:`~prodlife.billing.payments.settle`), so credit never waits while an
invoice is owed. Invoices named by a cancellation request's events are voided,
and restored when the request is withdrawn (seed 003).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import attrs

from prodlife.billing.invoices import (
    UNPAID,
    Invoice,
    InvoiceKey,
    InvoicePolicy,
    InvoiceStatus,
    NumberSeries,
    group_lines,
    oldest_due,
)
from prodlife.billing.lines import InvoiceLine
from prodlife.billing.payments import settle
from prodlife.errors import NotFound
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.settlement import with_unpaid_since
from prodlife.money import Money
from prodlife.periods import billing_date
from prodlife.ports import InvoiceQuery, UnitOfWork

__all__ = [
    "Issued",
    "Planned",
    "close_named",
    "issue",
    "journal",
    "owing",
    "plan",
    "product_of",
    "reckoned",
    "spend_credit",
]


def _payer(service: Service) -> tuple[str, bool]:
    invoicing = service.invoicing
    return (service.payment_method, invoicing is not None and invoicing.separate)


@attrs.frozen(slots=True)
class Issued:
    """What :func:`issue` did.

    Attributes:
        invoices: the new invoices, as issued.
        paid: every invoice paid by it (new ones paid on issue, older ones paid by
            credit), for their services to be settled once committed.
    """

    invoices: tuple[Invoice, ...] = ()
    paid: tuple[Invoice, ...] = ()

    def events(self, at: datetime, *, send_email: bool = True) -> list[Event]:
        """One :attr:`EventKind.INVOICE_ISSUED` event per new invoice, on the first service
        it bills, for the host's e-mail."""
        return [
            Event(
                EventKind.INVOICE_ISSUED,
                invoice.service_ids[0],
                invoice.customer_id,
                at,
                (
                    ("invoice", invoice.number),
                    ("total", str(invoice.total)),
                    ("due", invoice.due_on.isoformat()),
                    ("services", ",".join(invoice.service_ids)),
                    ("send_email", "yes" if send_email else "no"),
                ),
            )
            for invoice in self.invoices
        ]


@attrs.frozen(slots=True)
class Planned:
    """Lines grouped into the invoices they will go on, before any is numbered.

    Attributes:
        groups: for each invoice, its series, issue date, key and lines.
        owed: for each service billed by an invoice that will ask for money (its lines add
            up above zero), its earliest due date; the customer's credit may pay it on
            issue, which the settlement that follows records.
    """

    groups: tuple[tuple[NumberSeries, date, InvoiceKey, tuple[InvoiceLine, ...]], ...] = ()
    owed: Mapping[str, date] = attrs.field(factory=dict)


def plan(
    billed: Sequence[tuple[Service, Sequence[InvoiceLine]]], at: datetime, policy: InvoicePolicy
) -> Planned:
    """Group ``billed``'s lines into invoices (no store needed: the services can be saved,
    owing them, before the invoices are numbered)."""
    by_zone: dict[str, list[tuple[Service, Sequence[InvoiceLine]]]] = {}
    for service, lines in billed:
        if lines:
            by_zone.setdefault(service.time_zone, []).append((service, lines))
    groups: list[tuple[NumberSeries, date, InvoiceKey, tuple[InvoiceLine, ...]]] = []
    owed: dict[str, date] = {}
    for zone, pairs in by_zone.items():
        day = billing_date(at, zone)
        payers = {service.id: _payer(service) for service, _ in pairs}
        lines = [line for _, group in pairs for line in group]
        for key, group in group_lines(lines, payers, day, policy.net_days):
            groups.append((policy.series_for(group), day, key, group))
            if sum(line.amount.amount for line in group) > 0:
                for service_id in dict.fromkeys(line.service_id for line in group):
                    known = owed.get(service_id)
                    owed[service_id] = key.due_on if known is None else min(known, key.due_on)
    return Planned(tuple(groups), owed)


def issue(uow: UnitOfWork, planned: Planned, at: datetime) -> Issued:
    """Number and store the ``planned`` invoices, the customers' credit spent on them."""
    groups = planned.groups
    issued: list[Invoice] = []
    for series in dict.fromkeys(series for series, _, _, _ in groups):
        mine = [(day, key, group) for s, day, key, group in groups if s == series]
        first = uow.invoices.next_number(series.name, len(mine))  # one block a series
        for count, (day, key, group) in enumerate(mine, first):
            issued.append(Invoice.issue(series.number(count, day), key, group, at, day))
    for invoice in issued:
        uow.invoices.add(invoice)
    paid = [invoice for invoice in issued if invoice.status is InvoiceStatus.PAID]
    # Credit notes add to their customers' credit; credit is spent on what is unpaid.
    more: dict[tuple[str, str], Money] = {}
    for invoice in issued:
        if invoice.is_credit_note:
            payer = (invoice.customer_id, invoice.currency)
            more[payer] = more.get(payer, Money.zero(invoice.currency)) - invoice.total
    owing_customers = {i.customer_id for i in issued if i.status in UNPAID}
    held = uow.invoices.credits(sorted(owing_customers)) if owing_customers else {}
    spend = set(more) | {payer for payer in held if payer[0] in owing_customers}
    for customer_id, currency in sorted(spend):
        paid += spend_credit(uow, customer_id, currency, more.get((customer_id, currency)))
    return Issued(tuple(issued), tuple(paid))


def owing(service: Service, due_on: date | None) -> Service:
    """``service`` owing (also) what falls due on ``due_on``: the due date of its oldest
    unpaid invoice kept on it for the scheduler's dunning."""
    invoicing = service.invoicing
    since = None if invoicing is None else invoicing.unpaid_since
    if due_on is None or (since is not None and since <= due_on):
        return service
    return with_unpaid_since(service, due_on)


def reckoned(uow: UnitOfWork, service: Service) -> Service:
    """``service`` with the due date of its oldest unpaid invoice read from the store."""
    unpaid = uow.invoices.find(InvoiceQuery(service_id=service.id, unpaid=True))
    return with_unpaid_since(service, oldest_due(unpaid))


def spend_credit(
    uow: UnitOfWork, customer_id: str, currency: str, more: Money | None = None
) -> list[Invoice]:
    """Add ``more`` to the customer's credit balance and spend it on their unpaid invoices;
    return the invoices it paid in full."""
    held = uow.invoices.credit(customer_id, currency)
    credit = held if more is None else held + more
    if credit.amount <= 0:
        return []
    unpaid = uow.invoices.find(InvoiceQuery(customer_id=customer_id, unpaid=True))
    changed, left = settle(credit, unpaid)
    saved = [uow.invoices.save(invoice) for invoice in changed]
    if left != held:
        uow.invoices.set_credit(customer_id, left, expected=held)
    return [invoice for invoice in saved if invoice.status is InvoiceStatus.PAID]


def product_of(service: Service, line: InvoiceLine) -> str:
    """The product a line's revenue belongs to: an add-on's own code for the add-on's
    lines (and the discounts and taxes on it), the service's product for the rest."""
    if line.subject != service.product_code and any(
        addon.code == line.subject for addon in service.addons
    ):
        return line.subject
    return service.product_code


def journal(
    uow: UnitOfWork, billed: Sequence[tuple[Service, Sequence[InvoiceLine]]], at: datetime
) -> None:
    """Append ``billed``'s lines to the line journal, each under its product (one call
    per product)."""
    by_product: dict[str, list[InvoiceLine]] = {}
    for service, lines in billed:
        for line in lines:
            by_product.setdefault(product_of(service, line), []).append(line)
    for product_code, lines in by_product.items():
        uow.invoice_lines.add(lines, product_code=product_code, issued_at=at)


def _named(events: Iterable[Event], kind: EventKind) -> list[tuple[str, str]]:
    """(customer, invoice number) for each invoice the events of ``kind`` name."""
    return [
        (item.customer_id, number)
        for item in events
        if item.kind is kind
        for number in item.detail("invoices").split(",")
        if number
    ]


def close_named(uow: UnitOfWork, events: Sequence[Event]) -> set[str]:
    """Void the invoices a cancellation request cancelled; restore those a withdrawal
    gave back. Invoices of another customer, paid ones, and unknown numbers are left.
    Return the services those invoices bill."""
    touched: set[str] = set()
    for customer_id, number in _named(events, EventKind.INVOICES_CANCELLED):
        invoice = _own(uow, customer_id, number)
        if invoice is not None and invoice.status in UNPAID:
            uow.invoices.save(invoice.closed_as(InvoiceStatus.VOID, "cancellation requested"))
            touched.update(invoice.service_ids)
    for customer_id, number in _named(events, EventKind.INVOICES_RESTORED):
        invoice = _own(uow, customer_id, number)
        if invoice is not None and invoice.status is InvoiceStatus.VOID:
            uow.invoices.save(invoice.restored("cancellation withdrawn"))
            touched.update(invoice.service_ids)
    return touched


def _own(uow: UnitOfWork, customer_id: str, number: str) -> Invoice | None:
    try:
        invoice = uow.invoices.get(number)
    except NotFound:
        return None
    return invoice if invoice.customer_id == customer_id else None
