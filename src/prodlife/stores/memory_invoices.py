"""The memory store's invoices, numbering, credit balances and payments.

(:class:`prodlife.ports.InvoiceRepository`, :class:`prodlife.ports.PaymentRepository`.)
Invoices by number, each series' last count, credit balances per customer and currency,
payments by reference; written through the unit of work's undo log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from prodlife.billing.invoices import Invoice
from prodlife.billing.payments import Payment
from prodlife.errors import AlreadyExists, ConcurrencyConflict, NotFound
from prodlife.money import Money
from prodlife.ports import InvoiceQuery, check_query
from prodlife.stores._common import (
    check_count,
    check_credit,
    check_invoice_save,
    invoice_keys,
    lookup_key,
    of_type,
    payment_keys,
    stored_key,
)
from prodlife.stores._documents import check_document

if TYPE_CHECKING:
    from prodlife.stores.memory import MemoryUnitOfWork

__all__ = ["InvoicingState", "MemoryInvoices", "MemoryPayments"]


@attrs.define(slots=True)
class InvoicingState:
    """What the memory store keeps of invoicing."""

    invoices: dict[str, Invoice] = attrs.Factory(dict)
    invoice_counts: dict[str, int] = attrs.Factory(dict)
    credits: dict[tuple[str, str], Money] = attrs.Factory(dict)
    payments: dict[str, Payment] = attrs.Factory(dict)


@attrs.frozen(slots=True)
class MemoryInvoices:
    """Invoices, numbering, credit balances: :class:`~prodlife.ports.InvoiceRepository`."""

    uow: MemoryUnitOfWork

    def next_number(self, series: str, count: int = 1) -> int:
        stored_key(series, "invoice series")
        check_count(count)
        counts = self.uow.state().invoicing.invoice_counts
        first = counts.get(series, 0) + 1
        self.uow.put(counts, series, first + count - 1)
        return first

    def add(self, invoice: Invoice) -> None:
        invoice_keys(invoice)
        invoices = self.uow.state().invoicing.invoices
        if invoice.number in invoices:
            raise AlreadyExists("invoice", invoice.number)
        check_document(invoice)
        self.uow.put(invoices, invoice.number, invoice)

    def add_all(self, invoices: Sequence[Invoice]) -> None:
        self.uow.writable()
        stored = self.uow.state().invoicing.invoices
        numbers: set[str] = set()
        for invoice in invoices:
            invoice_keys(invoice)
            if invoice.number in stored or invoice.number in numbers:
                raise AlreadyExists("invoice", invoice.number)
            check_document(invoice)
            numbers.add(invoice.number)
        for invoice in invoices:
            self.uow.put(stored, invoice.number, invoice)

    def get(self, number: str) -> Invoice:
        lookup_key(number, "invoice number")
        invoice = self.uow.state().invoicing.invoices.get(number)
        if invoice is None:
            raise NotFound("invoice", number)
        return invoice

    def save(self, invoice: Invoice) -> Invoice:
        stored = self.get(of_type(invoice, Invoice, "the invoice to save").number)
        self.uow.writable()
        if stored.version != invoice.version:
            raise ConcurrencyConflict("invoice", invoice.number, invoice.version, stored.version)
        check_invoice_save(stored, invoice)
        check_document(invoice)
        saved = attrs.evolve(invoice, version=invoice.version + 1)
        self.uow.put(self.uow.state().invoicing.invoices, invoice.number, saved)
        return saved

    def find(self, query: InvoiceQuery) -> list[Invoice]:
        check_query(query, InvoiceQuery)
        found = sorted(
            (i for i in self.uow.state().invoicing.invoices.values() if query.matches(i)),
            key=lambda i: (i.due_on, i.number),
        )
        return found if query.limit is None else found[: query.limit]

    def credit(self, customer_id: str, currency: str) -> Money:
        lookup_key(customer_id, "customer id")
        zero = Money.zero(currency)
        return self.uow.state().invoicing.credits.get((customer_id, zero.currency.code), zero)

    def credits(self, customer_ids: Sequence[str]) -> dict[tuple[str, str], Money]:
        wanted = {lookup_key(customer_id, "customer id") for customer_id in customer_ids}
        return {
            key: amount
            for key, amount in self.uow.state().invoicing.credits.items()
            if key[0] in wanted and amount.amount > 0
        }

    def set_credit(self, customer_id: str, amount: Money, *, expected: Money) -> None:
        check_credit(customer_id, amount, expected)
        self.uow.writable()
        stored = self.credit(customer_id, amount.currency.code)
        if stored != expected:
            raise ConcurrencyConflict(
                "credit balance", f"{customer_id} {amount.currency}", str(expected), str(stored)
            )
        self.uow.put(
            self.uow.state().invoicing.credits, (customer_id, amount.currency.code), amount
        )


@attrs.frozen(slots=True)
class MemoryPayments:
    """Payments and refunds; see :class:`prodlife.ports.PaymentRepository`."""

    uow: MemoryUnitOfWork

    def add(self, payment: Payment) -> None:
        payment_keys(payment)
        payments = self.uow.state().invoicing.payments
        if payment.reference in payments:
            raise AlreadyExists("payment", payment.reference)
        check_document(payment)
        self.uow.put(payments, payment.reference, payment)

    def get(self, reference: str) -> Payment:
        lookup_key(reference, "payment reference")
        payment = self.uow.state().invoicing.payments.get(reference)
        if payment is None:
            raise NotFound("payment", reference)
        return payment

    def for_customer(self, customer_id: str) -> list[Payment]:
        lookup_key(customer_id, "customer id")
        mine = [
            p for p in self.uow.state().invoicing.payments.values() if p.customer_id == customer_id
        ]
        return sorted(mine, key=lambda p: (p.received_at, p.reference))
