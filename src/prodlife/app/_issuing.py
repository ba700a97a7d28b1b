"""Planned invoices numbered and stored, inside the transaction that issues their lines.

What goes on which invoice is decided without a store (:mod:`prodlife.lifecycle.issuing`);
here the groups are numbered from the store's series (one block a series) and stored, and
the customers' credit balance is spent on them: a credit note's amount joins the credit
balance (:func:`~prodlife.billing.payments.credit_from_notes`), and credit is spent on the
customer's unpaid invoices of that currency, oldest due first
(:func:`~prodlife.billing.payments.settle`), so credit never waits while an invoice is
owed. Invoices named by a cancellation request's events are voided, and restored when the
request is withdrawn (seed 003).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prodlife.billing.invoices import UNPAID, Invoice, InvoiceStatus, oldest_due
from prodlife.billing.lines import InvoiceLine
from prodlife.billing.payments import credit_from_notes, settle
from prodlife.errors import NotFound
from prodlife.lifecycle.events import Event, EventKind
from prodlife.lifecycle.issuing import Issued, Planned, named_invoices, product_of
from prodlife.lifecycle.services import Service
from prodlife.lifecycle.settlement import with_unpaid_since
from prodlife.money import Money
from prodlife.ports import InvoiceQuery, UnitOfWork

__all__ = ["close_named", "issue", "journal", "reckoned", "spend_credit"]


def issue(uow: UnitOfWork, planned: Planned, at: datetime) -> Issued:
    """Number and store the ``planned`` invoices, the customers' credit spent on them."""
    groups = planned.groups
    issued: list[Invoice] = []
    for series in dict.fromkeys(series for series, _, _, _ in groups):
        mine = [(day, key, group) for s, day, key, group in groups if s == series]
        first = uow.invoices.next_number(series.name, len(mine))  # one block a series
        for count, (day, key, group) in enumerate(mine, first):
            issued.append(Invoice.issue(series.number(count, day), key, group, at, day))
    uow.invoices.add_all(issued)
    paid = [invoice for invoice in issued if invoice.status is InvoiceStatus.PAID]
    more = credit_from_notes(issued)
    owing_customers = {i.customer_id for i in issued if i.status in UNPAID}
    held = uow.invoices.credits(sorted(owing_customers)) if owing_customers else {}
    spend = set(more) | {payer for payer in held if payer[0] in owing_customers}
    for customer_id, currency in sorted(spend):
        paid += spend_credit(uow, customer_id, currency, more.get((customer_id, currency)))
    return Issued(tuple(issued), tuple(paid))


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


def close_named(uow: UnitOfWork, events: Sequence[Event]) -> set[str]:
    """Void the invoices a cancellation request cancelled; restore those a withdrawal
    gave back. Invoices of another customer, paid ones, and unknown numbers are left.
    Return the services those invoices bill."""
    touched: set[str] = set()
    for customer_id, number in named_invoices(events, EventKind.INVOICES_CANCELLED):
        invoice = _own(uow, customer_id, number)
        if invoice is not None and invoice.status in UNPAID:
            uow.invoices.save(invoice.closed_as(InvoiceStatus.VOID, "cancellation requested"))
            touched.update(invoice.service_ids)
    for customer_id, number in named_invoices(events, EventKind.INVOICES_RESTORED):
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
